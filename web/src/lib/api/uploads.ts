// Browser uploads: POST /api/uploads?profile=<name> (multipart, part "file"), with
// upload progress from XMLHttpRequest.

export type UploadResult =
	/** Queued for processing; the recording will get `recordingId` when the job succeeds. */
	| { duplicate: false; jobId: string; recordingId: string | null }
	/** Already here (`jobId` null) or already being processed (`jobId` of that job). */
	| { duplicate: true; recordingId: string | null; jobId: string | null };

export class UploadError extends Error {
	constructor(
		message: string,
		readonly status: number
	) {
		super(message);
		this.name = 'UploadError';
	}
}

/** Files the server can decode (by extension or MIME type); others are refused early. */
export const AUDIO_EXTENSIONS = ['wav', 'wave', 'flac', 'mp3', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'aif', 'aiff', 'caf', 'mp4', 'webm', 'mka'];

export function looksLikeAudio(file: { name: string; type: string }): boolean {
	if (file.type.startsWith('audio/')) return true;
	const ext = file.name.toLowerCase().split('.').pop() ?? '';
	return AUDIO_EXTENSIONS.includes(ext);
}

export function uploadMessage(status: number, body: string): string {
	let msg = '';
	try {
		msg = JSON.parse(body)?.error ?? '';
	} catch {
		/* not JSON */
	}
	switch (status) {
		case 0:
			return 'The upload was interrupted (network error).';
		case 401:
			return 'Your session has ended; sign in again.';
		case 404:
			return msg || 'This band does not exist or you are not a member.';
		case 413:
			return msg || 'The file is too large for this server.';
		default:
			return msg || `The upload failed (HTTP ${status}).`;
	}
}

export interface UploadHandle {
	promise: Promise<UploadResult>;
	abort(): void;
}

/** Of a multipart body of `total` bytes, `loaded` sent: how much of the file that is. */
export function fileBytesSent(loaded: number, total: number, fileSize: number): number {
	if (!(total > 0)) return Math.min(loaded, fileSize);
	return Math.min(fileSize, Math.round((loaded / total) * fileSize));
}

export function uploadFile(profile: string, file: File, onprogress: (loaded: number, total: number) => void): UploadHandle {
	const xhr = new XMLHttpRequest();
	const promise = new Promise<UploadResult>((resolve, reject) => {
		// The file's time: the recording date when the file itself carries none.
		const modified = file.lastModified > 0 ? `&lastModified=${Math.round(file.lastModified)}` : '';
		xhr.open('POST', `/api/uploads?profile=${encodeURIComponent(profile)}${modified}`);
		xhr.withCredentials = true;
		xhr.responseType = 'text';
		// XHR counts the multipart body (the file plus its form headers); the panel shows
		// the file's own size, so the body's progress is scaled onto the file's bytes.
		xhr.upload.onprogress = (e) => onprogress(fileBytesSent(e.loaded, e.lengthComputable ? e.total : 0, file.size), file.size);
		xhr.onload = () => {
			if (xhr.status === 200 || xhr.status === 201) {
				try {
					resolve(JSON.parse(xhr.responseText));
				} catch {
					reject(new UploadError('The server answered without JSON.', xhr.status));
				}
			} else reject(new UploadError(uploadMessage(xhr.status, xhr.responseText), xhr.status));
		};
		xhr.onerror = () => reject(new UploadError(uploadMessage(0, ''), 0));
		xhr.onabort = () => reject(new UploadError('Upload cancelled.', 0));
		const form = new FormData();
		form.append('file', file, file.name);
		xhr.send(form);
	});
	return { promise, abort: () => xhr.abort() };
}
