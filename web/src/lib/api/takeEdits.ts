// The mutations that change a take's span: move its bounds, split, merge, delete. The
// server renumbers the recording's takes after each; the page refetches the list.
import { graphql } from './graphql';
import { TakeFields } from './operations';

export const SetTakeBounds = graphql(
	`
		mutation SetTakeBounds($id: ID!, $start: Float!, $end: Float!) {
			setTakeBounds(id: $id, start: $start, end: $end) {
				...TakeFields
			}
		}
	`,
	[TakeFields]
);

export const SplitTake = graphql(
	`
		mutation SplitTake($id: ID!, $at: Float!) {
			splitTake(id: $id, at: $at) {
				...TakeFields
			}
		}
	`,
	[TakeFields]
);

export const MergeTakes = graphql(
	`
		mutation MergeTakes($id: ID!, $otherId: ID!) {
			mergeTakes(id: $id, otherId: $otherId) {
				...TakeFields
			}
		}
	`,
	[TakeFields]
);

export const DeleteTake = graphql(`
	mutation DeleteTake($id: ID!) {
		deleteTake(id: $id)
	}
`);
