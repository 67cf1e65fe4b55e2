//! Replays the committed fuzz corpus of `graphql_request` (fuzz/corpus/) through the
//! function the fuzz target runs (fuzz/src/graphql.rs, included by path), in a normal
//! test build: request parsing and the limits, over the real schema's type index.

#[path = "../../fuzz/src/graphql.rs"]
mod graphql;

use std::path::{Path, PathBuf};

use graphql::{Outcome, Verdict};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

fn run(file: &Path) -> Outcome {
    graphql::run(&std::fs::read(file).expect("read corpus file"))
}

#[test]
fn graphql_request_corpus() {
    let mut accepted = 0;
    for file in corpus("graphql_request") {
        if let Outcome::Operations(ops) = run(&file) {
            accepted += ops
                .iter()
                .filter(|v| matches!(v, Verdict::Accepted(_)))
                .count();
        }
    }
    assert!(
        accepted >= 5,
        "only {accepted} corpus operations were accepted"
    );
}

#[test]
fn graphql_seeds_accepted_and_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/graphql_request");
    // The web app's own operations pass the default limits.
    for name in [
        "web-Recordings.graphql",
        "web-Recording.graphql",
        "json-recordings.json",
    ] {
        match run(&dir.join(name)) {
            Outcome::Operations(ops) => {
                assert!(
                    ops.iter().all(|v| matches!(v, Verdict::Accepted(_))),
                    "{name}: {ops:?}"
                )
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // The amplification attack of issue 14 and a fragment bomb do not.
    for name in [
        "attack-aliases.graphql",
        "attack-fragments.graphql",
        "json-page-variable.json",
    ] {
        match run(&dir.join(name)) {
            Outcome::Operations(ops) => {
                assert!(matches!(ops[..], [Verdict::Refused(_)]), "{name}: {ops:?}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(
        run(&dir.join("json-batch-over-limit.json")),
        Outcome::BatchTooLarge(5)
    );
}
