// Every GraphQL operation the app runs, typed from the schema by gql.tada.
import { graphql, type ResultOf } from './graphql';

export const ProfilesQuery = graphql(`
	query Profiles {
		profiles(orderBy: { name: ASC }, pagination: { page: { limit: 200, page: 0 } }) {
			nodes {
				id
				name
				displayName
				strategy
				remote
			}
		}
	}
`);

export const ProfileRecordingCountQuery = graphql(`
	query ProfileRecordingCount($profileId: String!) {
		recordings(
			filters: { profileId: { eq: $profileId } }
			orderBy: { createdAt: DESC }
			pagination: { page: { limit: 1, page: 0 } }
		) {
			paginationInfo {
				total
			}
			nodes {
				id
				title
				createdAt
			}
		}
	}
`);

export const RecordingRowFragment = graphql(`
	fragment RecordingRow on Recording {
		id
		title
		durationSeconds
		recordedAt
		createdAt
		updatedAt
		strategy
		stems(orderBy: { sortOrder: ASC }) {
			nodes {
				id
				name
			}
		}
	}
`);

export const RecordingsQuery = graphql(
	`
		query Recordings(
			$filters: RecordingFilterInput
			$orderBy: RecordingOrderInput
			$limit: Int!
			$page: Int!
		) {
			recordings(filters: $filters, orderBy: $orderBy, pagination: { page: { limit: $limit, page: $page } }) {
				paginationInfo {
					total
					pages
					current
				}
				nodes {
					...RecordingRow
				}
			}
		}
	`,
	[RecordingRowFragment]
);

export const JobFields = graphql(`
	fragment JobFields on Job {
		id
		profileId
		recordingId
		kind
		state
		progress
		error
		attempts
		stage
		originalName
		createdAt
		updatedAt
		dismissedAt
	}
`);

export const ActiveJobsQuery = graphql(
	`
		query ActiveJobs($profileId: String!) {
			jobs(
				filters: {
					profileId: { eq: $profileId }
					state: { is_in: ["queued", "running", "failed"] }
					dismissedAt: { is_null: true }
				}
				orderBy: { createdAt: DESC }
				pagination: { page: { limit: 20, page: 0 } }
			) {
				nodes {
					...JobFields
				}
			}
		}
	`,
	[JobFields]
);

export const JobProgressSubscription = graphql(
	`
		subscription JobProgress($id: ID!) {
			jobProgress(id: $id) {
				...JobFields
			}
		}
	`,
	[JobFields]
);

export const StemFields = graphql(`
	fragment StemFields on Stem {
		id
		name
		sortOrder
		format
		sampleRate
		channels
		bitrateKbps
		sizeBytes
		durationSeconds
		lufs
		truePeakDbtp
		samplePeakDbfs
		gainDb
	}
`);

export const RecordingQuery = graphql(
	`
		query Recording($id: String!) {
			recordings(filters: { id: { eq: $id } }) {
				nodes {
					id
					title
					durationSeconds
					recordedAt
					createdAt
					strategy
					profile {
						id
						name
						displayName
					}
					audioFile {
						originalName
						sampleRate
						channels
						codec
					}
					stems(orderBy: { sortOrder: ASC }) {
						nodes {
							...StemFields
						}
					}
				}
			}
		}
	`,
	[StemFields]
);

export const MeQuery = graphql(`
	query Me {
		me {
			id
			email
			name
		}
	}
`);

export const RenameRecording = graphql(`
	mutation RenameRecording($id: ID!, $title: String!) {
		renameRecording(id: $id, title: $title) {
			id
			title
			updatedAt
		}
	}
`);

export const SetRecordingDate = graphql(`
	mutation SetRecordingDate($id: ID!, $recordedAt: String!) {
		setRecordingDate(id: $id, recordedAt: $recordedAt) {
			id
			recordedAt
		}
	}
`);

export const DeleteRecording = graphql(`
	mutation DeleteRecording($id: ID!) {
		deleteRecording(id: $id)
	}
`);

export const ReprocessRecording = graphql(
	`
		mutation ReprocessRecording($id: ID!) {
			reprocessRecording(id: $id) {
				...JobFields
			}
		}
	`,
	[JobFields]
);

export const RetryJob = graphql(
	`
		mutation RetryJob($id: ID!) {
			retryJob(id: $id) {
				...JobFields
			}
		}
	`,
	[JobFields]
);

export const DismissJob = graphql(
	`
		mutation DismissJob($id: ID!) {
			dismissJob(id: $id) {
				...JobFields
			}
		}
	`,
	[JobFields]
);

export const SetStemGain = graphql(`
	mutation SetStemGain($id: ID!, $gainDb: Float!) {
		setStemGain(id: $id, gainDb: $gainDb) {
			id
			gainDb
		}
	}
`);

export const TakeFields = graphql(`
	fragment TakeFields on Take {
		id
		recordingId
		position
		startSeconds
		endSeconds
		kind
		bpm
		bpmConfidence
		key
		keyConfidence
		beats
		downbeats
		songId
		suggestedSongId
		suggestionScore
		boundsEdited
		song {
			id
			title
		}
		suggestedSong {
			id
			title
		}
	}
`);

export const SongFields = graphql(`
	fragment SongFields on Song {
		id
		title
	}
`);

/** A recording's takes (in time order) and its band's songs (to name a take's song). */
export const RecordingTakesQuery = graphql(
	`
		query RecordingTakes($id: String!) {
			recordings(filters: { id: { eq: $id } }, pagination: { page: { limit: 1, page: 0 } }) {
				nodes {
					id
					profileId
					profile {
						id
						songs(orderBy: { title: ASC }, pagination: { page: { limit: 500, page: 0 } }) {
							nodes {
								...SongFields
							}
						}
					}
					takes(orderBy: { startSeconds: ASC }, pagination: { page: { limit: 500, page: 0 } }) {
						nodes {
							...TakeFields
						}
					}
				}
			}
		}
	`,
	[TakeFields, SongFields]
);

export const CreateSong = graphql(
	`
		mutation CreateSong($profileId: ID!, $title: String!, $takeId: ID) {
			createSong(profileId: $profileId, title: $title, takeId: $takeId) {
				...SongFields
			}
		}
	`,
	[SongFields]
);

export const AssignTake = graphql(
	`
		mutation AssignTake($id: ID!, $songId: ID!) {
			assignTake(id: $id, songId: $songId) {
				...TakeFields
			}
		}
	`,
	[TakeFields]
);

export const UnassignTake = graphql(
	`
		mutation UnassignTake($id: ID!) {
			unassignTake(id: $id) {
				...TakeFields
			}
		}
	`,
	[TakeFields]
);

export const ConfirmTakeSuggestion = graphql(
	`
		mutation ConfirmTakeSuggestion($id: ID!) {
			confirmTakeSuggestion(id: $id) {
				...TakeFields
			}
		}
	`,
	[TakeFields]
);

/** A band's songs, for the Songs view (their takes come apart: see BandFiledTakesQuery). */
export const BandSongsQuery = graphql(`
	query BandSongs($profileId: String!) {
		songs(
			filters: { profileId: { eq: $profileId } }
			orderBy: { title: ASC }
			pagination: { page: { limit: 500, page: 0 } }
		) {
			nodes {
				id
				title
			}
		}
	}
`);

/**
 * A band's takes filed under a song, a page at a time, with their recordings' dates.
 * (Songs × takes in one query would cost more than the server allows.)
 */
export const BandFiledTakesQuery = graphql(`
	query BandFiledTakes($profileId: String!, $page: Int!) {
		takes(
			filters: { profileId: { eq: $profileId }, songId: { is_null: false } }
			orderBy: { id: ASC }
			pagination: { page: { limit: 500, page: $page } }
		) {
			nodes {
				id
				songId
				recording {
					id
					recordedAt
				}
			}
		}
	}
`);

/** One song with every take of it and each take's recording. */
export const SongQuery = graphql(`
	query Song($id: String!) {
		songs(filters: { id: { eq: $id } }, pagination: { page: { limit: 1, page: 0 } }) {
			nodes {
				id
				title
				createdAt
				profile {
					id
					name
					displayName
				}
				takes(pagination: { page: { limit: 500, page: 0 } }) {
					nodes {
						id
						position
						startSeconds
						endSeconds
						kind
						bpm
						key
						recording {
							id
							title
							recordedAt
							durationSeconds
						}
					}
				}
			}
		}
	}
`);

export const RenameSong = graphql(
	`
		mutation RenameSong($id: ID!, $title: String!) {
			renameSong(id: $id, title: $title) {
				...SongFields
			}
		}
	`,
	[SongFields]
);

export const DeleteSong = graphql(`
	mutation DeleteSong($id: ID!) {
		deleteSong(id: $id)
	}
`);

export type Profile = ResultOf<typeof ProfilesQuery>['profiles']['nodes'][number];
export type Job = ResultOf<typeof JobFields>;
export type RecordingRow = ResultOf<typeof RecordingRowFragment>;
export type Stem = ResultOf<typeof StemFields>;
export type RecordingDetail = ResultOf<typeof RecordingQuery>['recordings']['nodes'][number];
export type Take = ResultOf<typeof TakeFields>;
export type Song = ResultOf<typeof SongFields>;
export type RecordingTakes = ResultOf<typeof RecordingTakesQuery>['recordings']['nodes'][number];
export type BandSong = ResultOf<typeof BandSongsQuery>['songs']['nodes'][number];
export type FiledTake = ResultOf<typeof BandFiledTakesQuery>['takes']['nodes'][number];
export type SongDetail = ResultOf<typeof SongQuery>['songs']['nodes'][number];
export type SongTake = SongDetail['takes']['nodes'][number];
