//! `graphql_request`: arbitrary bytes as the body of `POST /graphql` — a JSON request or
//! batch (as the handler reads it, with its batch limit), else the text of one query —
//! through async-graphql's parser and the server's per-operation limits
//! (`stemset_server::graphql::limits::check_document`) with the default `server:`
//! settings, over the type index of the real schema (`server/schema.graphql`, which a
//! test keeps equal to the live one). Refusals are fine; a panic, a hang, or an accepted
//! operation over a limit is a bug.
//!
//! Shared by the fuzz target and `server/tests/fuzz_corpus.rs` (included there by path),
//! so it uses nothing but `stemset_server`, `stemset_core`, `async_graphql`,
//! `serde_json` and std.

// Each replay test uses only part of it.
#![allow(dead_code)]

use std::sync::LazyLock;

use async_graphql::{BatchRequest, Variables};
use stemset_server::graphql::limits::{Cost, check_document};
use stemset_server::graphql::{Limits, TypeIndex};
use stemset_server::settings::ServerConfig;

/// The schema's type index and the default limits.
pub struct Setup {
    pub index: TypeIndex,
    pub limits: Limits,
    pub max_batch_operations: usize,
}

pub static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let server = ServerConfig::default();
    Setup {
        index: TypeIndex::from_sdl(include_str!("../../server/schema.graphql"))
            .expect("server/schema.graphql reads as SDL"),
        limits: Limits::from_config(&server),
        max_batch_operations: server.max_batch_operations,
    }
});

/// What one operation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not a GraphQL document.
    Syntax,
    /// Refused by a limit, with the message the caller sees.
    Refused(String),
    /// Accepted, with its cost per operation of the document.
    Accepted(Vec<Cost>),
}

/// What one input came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Neither JSON nor UTF-8 text.
    NotText,
    /// A batch over `server.max_batch_operations`, refused before parsing.
    BatchTooLarge(usize),
    Operations(Vec<Verdict>),
}

/// Reads `data` as the handler does, then parses and checks each request.
pub fn run(data: &[u8]) -> Outcome {
    let setup = &*SETUP;
    let requests: Vec<(String, Variables)> = match serde_json::from_slice::<BatchRequest>(data) {
        Ok(BatchRequest::Single(r)) => vec![(r.query, r.variables)],
        Ok(BatchRequest::Batch(rs)) => {
            if rs.len() > setup.max_batch_operations {
                return Outcome::BatchTooLarge(rs.len());
            }
            rs.into_iter().map(|r| (r.query, r.variables)).collect()
        }
        Err(_) => match std::str::from_utf8(data) {
            Ok(text) => vec![(text.to_string(), Variables::default())],
            Err(_) => return Outcome::NotText,
        },
    };
    Outcome::Operations(
        requests
            .iter()
            .map(|(query, variables)| check(query, variables, setup))
            .collect(),
    )
}

fn check(query: &str, variables: &Variables, setup: &Setup) -> Verdict {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Verdict::Syntax;
    };
    let limits = &setup.limits.query;
    match check_document(&doc, variables, &setup.index, limits) {
        Ok(costs) => {
            assert_eq!(costs.len(), doc.operations.iter().count());
            for c in &costs {
                assert!(c.complexity <= limits.complexity, "{c:?} over {limits:?}");
                assert!(c.fields <= limits.fields, "{c:?} over {limits:?}");
                assert!(c.aliases <= limits.aliases, "{c:?} over {limits:?}");
                assert!(c.aliases <= c.fields, "{c:?}");
            }
            Verdict::Accepted(costs)
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("server."),
                "a refusal names its setting: {message}"
            );
            Verdict::Refused(message)
        }
    }
}
