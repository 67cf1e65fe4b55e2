// Every operation the app sends is valid against the server's schema (the SDL the
// server's own test keeps in sync with the code).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as ops from './operations';

const sdl = readFileSync(fileURLToPath(new URL('../../../../server/schema.graphql', import.meta.url)), 'utf8');
const schema = buildSchema(sdl);

describe('GraphQL operations', () => {
	const docs = Object.entries(ops).filter(([, v]) => v && typeof v === 'object' && 'kind' in v);

	it('are all exported', () => {
		expect(docs.length).toBeGreaterThan(10);
	});

	for (const [name, doc] of docs) {
		it(`${name} validates against server/schema.graphql`, () => {
			const text = print(parse(print(doc as never)));
			const isFragmentOnly = parse(text).definitions.every((d) => d.kind === 'FragmentDefinition');
			const errors = isFragmentOnly
				? validate(schema, parse(text)).filter((e) => !/is never used/.test(e.message))
				: validate(schema, parse(text));
			expect(errors.map((e) => e.message)).toEqual([]);
		});
	}
});
