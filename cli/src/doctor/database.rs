//! The database: reachable, every migration of this build applied, and (SQLite) the file
//! writable. Opens the database as it is: a missing SQLite file is not created.

use std::path::Path;

use stemset_core::config::Config;
use stemset_library::db;
use stemset_sdk::diagnosis::Finding;

const CHECK: &str = "database";

pub async fn check(config: &Config) -> Vec<Finding> {
    let url = config.database.url.expose();
    let shown = redact(url);
    let sqlite = db::sqlite_file(url);
    if let Some(file) = &sqlite
        && !Path::new(file).exists()
    {
        return vec![match super::storage::probe_creatable(Path::new(file)) {
            Ok(()) => Finding::warning(
                CHECK,
                format!("SQLite file {file} does not exist yet (it can be created)"),
                "`stemset migrate` creates it (so do `stemset serve` and `stemset process`)",
            ),
            Err(e) => Finding::failure(
                CHECK,
                format!("SQLite file {file} does not exist and cannot be created: {e}"),
                "fix database.url, or make the folder writable",
            ),
        }];
    }
    let conn = match db::open_existing(url).await {
        Ok(c) => c,
        Err(e) => {
            let fix = if sqlite.is_some() {
                "fix database.url or the SQLite file".to_string()
            } else {
                "start the database server, or fix database.url (host, port, user, database)"
                    .to_string()
            };
            return vec![Finding::failure(
                CHECK,
                format!("cannot connect to {shown}: {e}"),
                fix,
            )];
        }
    };
    let mut findings = Vec::new();
    match db::pending_migrations(&conn).await {
        Err(e) => findings.push(Finding::failure(
            format!("{CHECK}: migrations"),
            format!("cannot read the applied migrations: {e}"),
            "is this a Stemset database? fix database.url",
        )),
        Ok(pending) if pending.is_empty() => findings.push(Finding::ok(
            CHECK,
            format!(
                "{shown}: reachable, schema up to date ({} migrations)",
                db::known_migrations()
            ),
        )),
        Ok(pending) => {
            let found = format!(
                "{shown}: {} pending migration{}: {}",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" },
                pending.join(", ")
            );
            findings.push(if sqlite.is_some() {
                Finding::warning(
                    format!("{CHECK}: migrations"),
                    found,
                    "stemset migrate (serve and process also apply them to SQLite at start)",
                )
            } else {
                Finding::failure(format!("{CHECK}: migrations"), found, "stemset migrate")
            });
        }
    }
    if let Some(file) = &sqlite {
        // Takes the write lock and lets go of it: proves writes would work, writes nothing.
        let writable = match db::begin_write(&conn).await {
            Ok(txn) => txn.rollback().await,
            Err(e) => Err(e),
        };
        findings.push(match writable {
            Ok(()) => Finding::ok(format!("{CHECK}: file"), format!("{file} is writable")),
            Err(e) => Finding::failure(
                format!("{CHECK}: file"),
                format!("{file} cannot be written: {e}"),
                "make the file and its folder writable by this user (SQLite also writes beside it)",
            ),
        });
    }
    let _ = conn.close().await;
    findings
}

/// The URL without its password.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            let pass = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{pass}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("postgres://stem:hunter2@db:5432/stemset"),
            "postgres://stem:***@db:5432/stemset"
        );
        assert_eq!(
            super::redact("postgres://stem@db/stemset"),
            "postgres://stem@db/stemset"
        );
        assert_eq!(
            super::redact("sqlite:///data/stemset.db?mode=rwc"),
            "sqlite:///data/stemset.db?mode=rwc"
        );
    }
}
