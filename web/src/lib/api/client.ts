// The one place that talks GraphQL: queries and mutations over POST /graphql,
// subscriptions over the graphql-transport-ws WebSocket at /graphql/ws.

import { print } from '@0no-co/graphql.web';
import { createClient, type Client } from 'graphql-ws';
import type { TadaDocumentNode } from 'gql.tada';

export class ApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly code?: string
	) {
		super(message);
		this.name = 'ApiError';
	}
}

interface GraphQLResponse<T> {
	data?: T | null;
	errors?: { message: string; extensions?: { code?: string } }[];
}

/** Called when a request finds the session gone (401): the layout sends to sign-in. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(f: () => void) {
	onUnauthorized = f;
}

const printed = new WeakMap<object, string>();
function source(doc: object): string {
	let s = printed.get(doc);
	if (!s) {
		s = print(doc as Parameters<typeof print>[0]);
		printed.set(doc, s);
	}
	return s;
}

/** Runs a query or mutation; throws ApiError on HTTP or GraphQL errors. */
export async function request<R, V extends Record<string, unknown>>(
	doc: TadaDocumentNode<R, V>,
	...[variables]: V extends Record<string, never> ? [] | [V] : [V]
): Promise<R> {
	let res: Response;
	try {
		res = await fetch('/graphql', {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify({ query: source(doc), variables: variables ?? {} })
		});
	} catch (e) {
		throw new ApiError(`The server cannot be reached (${(e as Error).message})`, 0);
	}
	if (res.status === 401) {
		onUnauthorized();
		throw new ApiError('Your session has ended; sign in again.', 401);
	}
	let body: GraphQLResponse<R>;
	try {
		body = await res.json();
	} catch {
		throw new ApiError(`The server answered ${res.status} without JSON`, res.status);
	}
	if (body.errors?.length) {
		const first = body.errors[0];
		throw new ApiError(body.errors.map((e) => e.message).join('; '), res.status, first.extensions?.code);
	}
	if (!res.ok || !body.data) throw new ApiError(`GraphQL request failed (HTTP ${res.status})`, res.status);
	return body.data;
}

let ws: Client | null = null;
function wsClient(): Client {
	if (!ws) {
		const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
		ws = createClient({
			url: `${proto}//${location.host}/graphql/ws`,
			lazy: true,
			retryAttempts: 5,
			shouldRetry: () => true
		});
	}
	return ws;
}

export interface Subscription {
	unsubscribe(): void;
}

/** Subscribes; `next` gets each result, `done` the end (with an error when it failed). */
export function subscribe<R, V extends Record<string, unknown>>(
	doc: TadaDocumentNode<R, V>,
	variables: V,
	handlers: { next: (data: R) => void; done?: (error?: Error) => void }
): Subscription {
	let finished = false;
	const finish = (e?: Error) => {
		if (finished) return;
		finished = true;
		handlers.done?.(e);
	};
	const stop = wsClient().subscribe<R>(
		{ query: source(doc), variables },
		{
			next: (r) => {
				if (r.errors?.length) finish(new Error(r.errors.map((e) => e.message).join('; ')));
				else if (r.data) handlers.next(r.data as R);
			},
			error: (e) => finish(e instanceof Error ? e : new Error(describeWsError(e))),
			complete: () => finish()
		}
	);
	return {
		unsubscribe() {
			finished = true;
			stop();
		}
	};
}

function describeWsError(e: unknown): string {
	if (Array.isArray(e)) return e.map((x) => x?.message ?? String(x)).join('; ');
	if (e && typeof e === 'object' && 'reason' in e) return `connection closed: ${(e as CloseEvent).reason || (e as CloseEvent).code}`;
	return String(e);
}
