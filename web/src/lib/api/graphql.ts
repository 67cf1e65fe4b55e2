// Typed GraphQL documents: gql.tada infers result and variable types from the server's
// SDL (../server/schema.graphql → graphql-env.d.ts, written by `npm run gql`).
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{ introspection: introspection; disableMasking: true }>();

export type { FragmentOf, ResultOf, VariablesOf, TadaDocumentNode } from 'gql.tada';
export { readFragment } from 'gql.tada';
