//! The job queue in the database: queued → running → succeeded | failed.
//!
//! A worker claims the oldest runnable job in one atomic statement and holds it under a
//! lease that it renews while working. A job whose lease ran out (its worker died) is
//! runnable again; each claim counts an attempt, and a job out of attempts fails with its
//! last error kept. Every state change is guarded by the attempt number, so a late result
//! from a worker that lost its lease changes nothing. A member may retry a failed job (more
//! attempts, numbered on from the last) or dismiss it from the band's active jobs.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DbErr, EntityTrait, QueryFilter, QueryOrder, Set, Statement,
};
use uuid::Uuid;

use crate::db::job;

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub profile_id: Uuid,
    pub kind: String,
    pub input_key: String,
    pub recording_id: Uuid,
    pub strategy: Option<String>,
    pub original_name: Option<String>,
    pub file_hash: Option<String>,
    pub size_bytes: Option<i64>,
    pub created_by: Option<Uuid>,
    pub max_attempts: i32,
    /// The uploaded file's modification time, as the browser gave it.
    pub source_modified_at: Option<chrono::DateTime<Utc>>,
}

pub async fn enqueue<C: ConnectionTrait>(db: &C, new: NewJob) -> Result<job::Model, DbErr> {
    new_row(Uuid::now_v7(), new).insert(db).await
}

/// What [`enqueue_once`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Enqueued {
    /// The job was queued.
    Created(job::Model),
    /// The same work was pending already (queued or running): that job, unchanged.
    Pending(job::Model),
}

impl Enqueued {
    pub fn job(&self) -> &job::Model {
        match self {
            Enqueued::Created(j) | Enqueued::Pending(j) => j,
        }
    }

    pub fn into_job(self) -> job::Model {
        match self {
            Enqueued::Created(j) | Enqueued::Pending(j) => j,
        }
    }
}

/// Queues `new` unless the same work is pending: a `process` job of the same content in
/// the profile, or a `reprocess` job of the same recording. The database decides (partial
/// unique indexes over pending jobs, `INSERT ... ON CONFLICT DO NOTHING`), so of many
/// concurrent callers exactly one queues the job and every other one gets that job.
pub async fn enqueue_once<C: ConnectionTrait>(db: &C, new: NewJob) -> Result<Enqueued, DbErr> {
    // The pending job may end between the conflict and the look-up: then queue again.
    for _ in 0..3 {
        let id = Uuid::now_v7();
        let inserted = job::Entity::insert(new_row(id, new.clone()))
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
        let found = if inserted == 1 {
            job::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(Enqueued::Created)
        } else {
            pending_like(db, &new).await?.map(Enqueued::Pending)
        };
        if let Some(found) = found {
            return Ok(found);
        }
    }
    Err(DbErr::Custom(format!(
        "cannot queue the {} job: it conflicts with a pending job that cannot be found",
        new.kind
    )))
}

/// The pending job that does the work `new` describes (what the unique indexes compare).
async fn pending_like<C: ConnectionTrait>(
    db: &C,
    new: &NewJob,
) -> Result<Option<job::Model>, DbErr> {
    let same_work = if new.kind == job::KIND_REPROCESS {
        Condition::all().add(job::Column::RecordingId.eq(new.recording_id))
    } else {
        Condition::all()
            .add(job::Column::ProfileId.eq(new.profile_id))
            .add(job::Column::FileHash.eq(new.file_hash.clone()))
    };
    job::Entity::find()
        .filter(job::Column::Kind.eq(&new.kind))
        .filter(job::Column::State.is_in([job::STATE_QUEUED, job::STATE_RUNNING]))
        .filter(same_work)
        .order_by_asc(job::Column::CreatedAt)
        .one(db)
        .await
}

fn new_row(id: Uuid, new: NewJob) -> job::ActiveModel {
    let now = Utc::now();
    job::ActiveModel {
        id: Set(id),
        profile_id: Set(new.profile_id),
        recording_id: Set(Some(new.recording_id)),
        kind: Set(new.kind),
        input_key: Set(new.input_key),
        state: Set(job::STATE_QUEUED.to_string()),
        attempts: Set(0),
        max_attempts: Set(std::cmp::max(new.max_attempts, 1)),
        progress: Set(0.0),
        error: Set(None),
        worker: Set(None),
        lease_expires_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        strategy: Set(new.strategy),
        stage: Set(Some("queued".to_string())),
        original_name: Set(new.original_name),
        file_hash: Set(new.file_hash),
        source_modified_at: Set(new.source_modified_at),
        size_bytes: Set(new.size_bytes),
        created_by: Set(new.created_by),
        started_at: Set(None),
        finished_at: Set(None),
        dismissed_at: Set(None),
    }
}

/// The guard on every state change: the job is running and this is its current attempt.
fn running_attempt(id: Uuid, attempt: i32) -> Condition {
    Condition::all()
        .add(job::Column::Id.eq(id))
        .add(job::Column::Attempts.eq(attempt))
        .add(job::Column::State.eq(job::STATE_RUNNING))
}

fn lease_end(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60))
}

/// Claims the oldest runnable job for `worker`: queued, or running with an expired lease
/// (its worker died), with attempts left. PostgreSQL skips rows other workers are
/// claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, so the single statement is
/// atomic by itself.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    lease: Duration,
) -> Result<Option<job::Model>, DbErr> {
    let now = Utc::now();
    let backend = db.get_database_backend();
    let (p, lock) = match backend {
        DatabaseBackend::Postgres => (["$1", "$2", "$3", "$4", "$5"], " FOR UPDATE SKIP LOCKED"),
        _ => (["?", "?", "?", "?", "?"], ""),
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', worker = {w}, attempts = attempts + 1, \
         lease_expires_at = {lease}, started_at = COALESCE(started_at, {now1}), \
         updated_at = {now2}, stage = 'starting', progress = 0 \
         WHERE id = (SELECT id FROM jobs \
           WHERE (state = 'queued' OR (state = 'running' AND lease_expires_at < {now3})) \
           AND attempts < max_attempts \
           ORDER BY created_at, id LIMIT 1{lock}) \
         RETURNING *",
        w = p[0],
        lease = p[1],
        now1 = p[2],
        now2 = p[3],
        now3 = p[4],
    );
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [
            worker.into(),
            lease_end(now, lease).into(),
            now.into(),
            now.into(),
            now.into(),
        ],
    );
    job::Entity::find().from_raw_sql(stmt).one(db).await
}

/// Fails the jobs whose worker stopped responding on their last attempt.
pub async fn reap_exhausted(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let now = Utc::now();
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(job::STATE_FAILED))
        .col_expr(
            job::Column::Error,
            Expr::value("the worker running the last attempt stopped responding (lease expired)"),
        )
        .col_expr(job::Column::Stage, Expr::value("failed"))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::State.eq(job::STATE_RUNNING))
        .filter(job::Column::LeaseExpiresAt.lt(now))
        .filter(Expr::col(job::Column::Attempts).gte(Expr::col(job::Column::MaxAttempts)))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Renews the lease and records progress. `false`: the job is no longer this worker's
/// (its lease ran out and another attempt began, or it was deleted): stop working on it.
pub async fn heartbeat(
    db: &DatabaseConnection,
    id: Uuid,
    attempt: i32,
    progress: f64,
    stage: &str,
    lease: Duration,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = job::Entity::update_many()
        .col_expr(job::Column::Progress, Expr::value(progress.clamp(0.0, 1.0)))
        .col_expr(job::Column::Stage, Expr::value(stage))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(lease_end(now, lease)),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(running_attempt(id, attempt))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks attempt `attempt` succeeded. `false` when that attempt no longer owns the job.
pub async fn succeed(
    db: &DatabaseConnection,
    id: Uuid,
    attempt: i32,
    recording_id: Uuid,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(job::STATE_SUCCEEDED))
        .col_expr(job::Column::Progress, Expr::value(1.0))
        .col_expr(job::Column::Stage, Expr::value("done"))
        .col_expr(job::Column::RecordingId, Expr::value(recording_id))
        .col_expr(job::Column::Error, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(running_attempt(id, attempt))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records a failed attempt: back to the queue when `retryable` and attempts remain,
/// otherwise failed for good. Returns the job as it is now (`None`: not this attempt's).
pub async fn fail(
    db: &DatabaseConnection,
    id: Uuid,
    attempt: i32,
    error: &str,
    retryable: bool,
) -> Result<Option<job::Model>, DbErr> {
    let Some(current) = job::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if current.attempts != attempt || current.state != job::STATE_RUNNING {
        return Ok(None);
    }
    let now = Utc::now();
    let again = retryable && current.attempts < current.max_attempts;
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::Error, Expr::value(error))
        .col_expr(job::Column::Worker, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now));
    update = if again {
        update
            .col_expr(job::Column::State, Expr::value(job::STATE_QUEUED))
            .col_expr(job::Column::Progress, Expr::value(0.0))
            .col_expr(
                job::Column::Stage,
                Expr::value(format!(
                    "waiting to retry (attempt {} of {} failed)",
                    current.attempts, current.max_attempts
                )),
            )
    } else {
        update
            .col_expr(job::Column::State, Expr::value(job::STATE_FAILED))
            .col_expr(job::Column::Stage, Expr::value("failed"))
            .col_expr(job::Column::FinishedAt, Expr::value(now))
    };
    let res = update.filter(running_attempt(id, attempt)).exec(db).await?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    job::Entity::find_by_id(id).one(db).await
}

/// Gives a job back untouched (the worker is shutting down): queued again at once, and
/// the interrupted attempt is not counted.
pub async fn release(db: &DatabaseConnection, id: Uuid, attempt: i32) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(job::STATE_QUEUED))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).sub(1),
        )
        .col_expr(job::Column::Worker, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::Progress, Expr::value(0.0))
        .col_expr(
            job::Column::Stage,
            Expr::value("interrupted; waiting for a worker"),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(running_attempt(id, attempt))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Queues a failed job again, for `more_attempts` new attempts (a member's "retry"). The
/// attempt count carries on, so a late result of any earlier attempt still changes
/// nothing; the last error is cleared, and a dismissed job is listed again. `None`: the
/// job is not failed (it never failed, or it was retried already).
pub async fn retry<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    more_attempts: i32,
) -> Result<Option<job::Model>, DbErr> {
    let now = Utc::now();
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(job::STATE_QUEUED))
        .col_expr(
            job::Column::MaxAttempts,
            Expr::col(job::Column::Attempts).add(std::cmp::max(more_attempts, 1)),
        )
        .col_expr(job::Column::Progress, Expr::value(0.0))
        .col_expr(job::Column::Stage, Expr::value("queued"))
        .col_expr(job::Column::Error, Expr::value(Option::<String>::None))
        .col_expr(job::Column::Worker, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            job::Column::FinishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            job::Column::DismissedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(job::STATE_FAILED))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    job::Entity::find_by_id(id).one(db).await
}

/// Hides a failed job from the band's active jobs; dismissing it again changes nothing.
/// `None`: the job is not failed.
pub async fn dismiss<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<job::Model>, DbErr> {
    let now = Utc::now();
    job::Entity::update_many()
        .col_expr(job::Column::DismissedAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(job::STATE_FAILED))
        .filter(job::Column::DismissedAt.is_null())
        .exec(db)
        .await?;
    Ok(job::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|j| j.state == job::STATE_FAILED && j.dismissed_at.is_some()))
}
