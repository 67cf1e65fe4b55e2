//! The job queue on a real SQLite file and a real PostgreSQL: concurrent claimers each
//! get a different job, an expired lease makes a job claimable again (a dead worker's job
//! is retried), attempts run out into a visible failure, and a stale attempt can change
//! nothing; a failed job can be retried (attempts numbered on) and dismissed.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, EntityTrait};
use stemset_library::db::{job, profile};
use stemset_library::jobs::queue::{self, NewJob};
use uuid::Uuid;

async fn sqlite() -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/q.sqlite?mode=rwc", dir.path().display());
    let db = stemset_library::db::connect(&url, true)
        .await
        .expect("connect");
    (dir, db)
}

async fn postgres() -> DatabaseConnection {
    let url = common::create_postgres_database().await;
    stemset_library::db::connect(&url, true)
        .await
        .expect("migrate")
}

async fn a_profile(db: &DatabaseConnection) -> Uuid {
    use sea_orm::{ActiveModelTrait, Set};
    let now = chrono::Utc::now();
    profile::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(format!("band{}", Uuid::new_v4().simple())),
        display_name: Set(None),
        strategy: Set("default".into()),
        remote: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("profile")
    .id
}

fn new_job(profile_id: Uuid, n: usize, max_attempts: i32) -> NewJob {
    NewJob {
        profile_id,
        kind: job::KIND_PROCESS.into(),
        input_key: format!("inputs/x/{n}.wav"),
        recording_id: Uuid::now_v7(),
        strategy: None,
        original_name: Some(format!("{n}.wav")),
        file_hash: Some(format!("{n:064}")),
        size_bytes: Some(1),
        created_by: None,
        max_attempts,
        source_modified_at: None,
    }
}

async fn concurrent_claims_are_exclusive(db: DatabaseConnection) {
    let p = a_profile(&db).await;
    for n in 0..30 {
        queue::enqueue(&db, new_job(p, n, 3))
            .await
            .expect("enqueue");
    }
    let db = Arc::new(db);
    let claimers = (0..6).map(|w| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(j) = queue::claim(&db, &format!("w{w}"), Duration::from_secs(60))
                .await
                .expect("claim")
            {
                assert_eq!(j.state, job::STATE_RUNNING);
                assert_eq!(j.worker.as_deref(), Some(format!("w{w}").as_str()));
                assert_eq!(j.attempts, 1);
                got.push(j.id);
            }
            got
        })
    });
    let mut all = Vec::new();
    for c in claimers {
        all.extend(c.await.expect("task"));
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 30, "every job claimed");
    assert_eq!(unique.len(), 30, "no job claimed twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_are_exclusive_sqlite() {
    let (_dir, db) = sqlite().await;
    concurrent_claims_are_exclusive(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_are_exclusive_postgres() {
    concurrent_claims_are_exclusive(postgres().await).await;
}

async fn leases_attempts_and_stale_results(db: DatabaseConnection) {
    let p = a_profile(&db).await;
    let j = queue::enqueue(&db, new_job(p, 1, 2))
        .await
        .expect("enqueue");
    let short = Duration::from_millis(300);

    // Worker A claims, then dies (stops renewing).
    let a = queue::claim(&db, "A", short)
        .await
        .expect("claim")
        .expect("job");
    assert_eq!((a.id, a.attempts), (j.id, 1));
    assert!(
        queue::claim(&db, "B", short)
            .await
            .expect("claim")
            .is_none(),
        "leased"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    // B takes it over as attempt 2; A's late heartbeat and result are refused.
    let b = queue::claim(&db, "B", short)
        .await
        .expect("claim")
        .expect("retried");
    assert_eq!(
        (b.id, b.attempts, b.worker.as_deref()),
        (j.id, 2, Some("B"))
    );
    assert!(
        !queue::heartbeat(&db, j.id, 1, 0.5, "x", short)
            .await
            .expect("hb")
    );
    assert!(
        !queue::succeed(&db, j.id, 1, Uuid::now_v7())
            .await
            .expect("succeed")
    );
    assert!(
        queue::fail(&db, j.id, 1, "late", true)
            .await
            .expect("fail")
            .is_none()
    );
    assert!(
        queue::heartbeat(&db, j.id, 2, 0.5, "separating", short)
            .await
            .expect("hb")
    );

    // B dies too: out of attempts, the reaper fails it visibly.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        queue::claim(&db, "C", short)
            .await
            .expect("claim")
            .is_none()
    );
    assert_eq!(queue::reap_exhausted(&db).await.expect("reap"), 1);
    let done = job::Entity::find_by_id(j.id)
        .one(&db)
        .await
        .expect("q")
        .expect("job");
    assert_eq!(done.state, job::STATE_FAILED);
    assert!(
        done.error
            .as_deref()
            .unwrap_or("")
            .contains("stopped responding"),
        "{:?}",
        done.error
    );
    assert!(done.finished_at.is_some());

    // A retryable failure requeues while attempts remain, then fails for good.
    let k = queue::enqueue(&db, new_job(p, 2, 2))
        .await
        .expect("enqueue");
    let c = queue::claim(&db, "C", short)
        .await
        .expect("claim")
        .expect("job");
    let after = queue::fail(&db, k.id, c.attempts, "worker unreachable", true)
        .await
        .expect("fail")
        .expect("ours");
    assert_eq!(after.state, job::STATE_QUEUED);
    assert_eq!(after.error.as_deref(), Some("worker unreachable"));
    let c2 = queue::claim(&db, "C", short)
        .await
        .expect("claim")
        .expect("again");
    assert_eq!(c2.attempts, 2);
    let last = queue::fail(&db, k.id, 2, "worker unreachable", true)
        .await
        .expect("fail")
        .expect("ours");
    assert_eq!(last.state, job::STATE_FAILED, "no attempts left");

    // A permanent failure is final at once; a release does not count the attempt.
    let m = queue::enqueue(&db, new_job(p, 3, 3))
        .await
        .expect("enqueue");
    let d = queue::claim(&db, "D", short)
        .await
        .expect("claim")
        .expect("job");
    assert!(
        queue::release(&db, m.id, d.attempts)
            .await
            .expect("release")
    );
    let d2 = queue::claim(&db, "D", short)
        .await
        .expect("claim")
        .expect("job");
    assert_eq!(d2.attempts, 1, "a released attempt is not counted");
    let failed = queue::fail(&db, m.id, 1, "not audio", false)
        .await
        .expect("f")
        .expect("ours");
    assert_eq!(failed.state, job::STATE_FAILED);

    // Success records the recording and clears the lease.
    let n = queue::enqueue(&db, new_job(p, 4, 3))
        .await
        .expect("enqueue");
    let e = queue::claim(&db, "E", short)
        .await
        .expect("claim")
        .expect("job");
    let rec = Uuid::now_v7();
    assert!(
        queue::succeed(&db, n.id, e.attempts, rec)
            .await
            .expect("succeed")
    );
    let ok = job::Entity::find_by_id(n.id)
        .one(&db)
        .await
        .expect("q")
        .expect("job");
    assert_eq!(
        (ok.state.as_str(), ok.recording_id, ok.progress),
        (job::STATE_SUCCEEDED, Some(rec), 1.0)
    );
    assert!(ok.lease_expires_at.is_none());
}

#[tokio::test]
async fn leases_attempts_and_stale_results_sqlite() {
    let (_dir, db) = sqlite().await;
    leases_attempts_and_stale_results(db).await;
}

#[tokio::test]
async fn leases_attempts_and_stale_results_postgres() {
    leases_attempts_and_stale_results(postgres().await).await;
}

async fn retry_and_dismiss(db: DatabaseConnection) {
    let p = a_profile(&db).await;
    let short = Duration::from_millis(300);
    let j = queue::enqueue(&db, new_job(p, 1, 1))
        .await
        .expect("enqueue");
    // Neither applies to a job that has not failed.
    assert!(queue::retry(&db, j.id, 3).await.expect("retry").is_none());
    assert!(queue::dismiss(&db, j.id).await.expect("dismiss").is_none());
    let a = queue::claim(&db, "A", short)
        .await
        .expect("claim")
        .expect("job");
    assert!(
        queue::retry(&db, j.id, 3).await.expect("retry").is_none(),
        "running"
    );
    assert!(queue::dismiss(&db, j.id).await.expect("dismiss").is_none());
    let failed = queue::fail(&db, j.id, a.attempts, "not audio", false)
        .await
        .expect("fail")
        .expect("ours");
    assert_eq!(failed.state, job::STATE_FAILED);
    assert!(failed.dismissed_at.is_none());

    // Dismissed once; a second dismissal keeps the first time.
    let d = queue::dismiss(&db, j.id)
        .await
        .expect("dismiss")
        .expect("failed job");
    let at = d.dismissed_at.expect("dismissed");
    assert_eq!(
        (d.state.as_str(), d.error.as_deref()),
        (job::STATE_FAILED, Some("not audio"))
    );
    let again = queue::dismiss(&db, j.id)
        .await
        .expect("dismiss")
        .expect("still failed");
    assert_eq!(again.dismissed_at, Some(at));

    // Retried: queued again with 2 more attempts, numbered on from the failed one; the
    // dismissal and the error are gone.
    let r = queue::retry(&db, j.id, 2)
        .await
        .expect("retry")
        .expect("was failed");
    assert_eq!(
        (r.state.as_str(), r.attempts, r.max_attempts),
        (job::STATE_QUEUED, 1, 3)
    );
    assert!(r.error.is_none() && r.dismissed_at.is_none() && r.finished_at.is_none());
    assert!(
        queue::retry(&db, j.id, 2).await.expect("retry").is_none(),
        "queued already"
    );
    let b = queue::claim(&db, "B", short)
        .await
        .expect("claim")
        .expect("claimable again");
    assert_eq!((b.id, b.attempts), (j.id, 2));
    // The first attempt's late result still changes nothing.
    assert!(
        !queue::succeed(&db, j.id, 1, Uuid::now_v7())
            .await
            .expect("succeed")
    );
    assert!(
        queue::fail(&db, j.id, 1, "late", false)
            .await
            .expect("fail")
            .is_none()
    );
    // Attempts run out as before: one retryable failure requeues, the last fails.
    let after = queue::fail(&db, j.id, 2, "worker unreachable", true)
        .await
        .expect("fail")
        .expect("ours");
    assert_eq!(after.state, job::STATE_QUEUED);
    let c = queue::claim(&db, "C", short)
        .await
        .expect("claim")
        .expect("third attempt");
    assert_eq!(c.attempts, 3);
    let last = queue::fail(&db, j.id, 3, "worker unreachable", true)
        .await
        .expect("fail")
        .expect("ours");
    assert_eq!(last.state, job::STATE_FAILED, "out of attempts again");
    assert!(
        queue::claim(&db, "D", short)
            .await
            .expect("claim")
            .is_none()
    );
}

#[tokio::test]
async fn retry_and_dismiss_sqlite() {
    let (_dir, db) = sqlite().await;
    retry_and_dismiss(db).await;
}

#[tokio::test]
async fn retry_and_dismiss_postgres() {
    retry_and_dismiss(postgres().await).await;
}

/// `jobs.kind` and `jobs.state` take only the names of `JobKind` and `JobState`.
async fn unknown_kinds_and_states_are_refused(db: DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    let profile_id = a_profile(&db).await;
    let id = queue::enqueue(&db, new_job(profile_id, 1, 3))
        .await
        .expect("enqueue")
        .id;
    for (column, value) in [("state", "finished"), ("kind", "transcode")] {
        let err = db
            .execute_unprepared(&format!("UPDATE jobs SET {column} = '{value}'"))
            .await
            .expect_err("an unknown value is refused");
        assert!(
            err.to_string()
                .contains(&format!("jobs.{column} must be one of"))
                || err.to_string().contains(&format!("jobs_{column}_valid")),
            "{column}: {err}"
        );
    }
    let row = job::Entity::find_by_id(id)
        .one(&db)
        .await
        .expect("read")
        .expect("job");
    assert_eq!(
        (row.kind.as_str(), row.state.as_str()),
        ("process", "queued")
    );
    // Every name of the enums is accepted.
    for state in ["running", "succeeded", "failed", "queued"] {
        db.execute_unprepared(&format!("UPDATE jobs SET state = '{state}'"))
            .await
            .unwrap_or_else(|e| panic!("{state}: {e}"));
    }
    db.execute_unprepared("UPDATE jobs SET kind = 'reprocess'")
        .await
        .expect("reprocess is a kind");
}

#[tokio::test]
async fn unknown_kinds_and_states_are_refused_sqlite() {
    let (_dir, db) = sqlite().await;
    unknown_kinds_and_states_are_refused(db).await;
}

#[tokio::test]
async fn unknown_kinds_and_states_are_refused_postgres() {
    unknown_kinds_and_states_are_refused(postgres().await).await;
}
