use sea_orm::entity::prelude::*;

/// Where a job is: queued → running → succeeded | failed. Stored as its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    pub const fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What a job does. Stored as its name; sent to GPU workers the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// Separate an uploaded or scanned file into a new recording.
    Process,
    /// Separate a recording's source again, replacing its stems.
    Reprocess,
}

impl JobKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            JobKind::Process => "process",
            JobKind::Reprocess => "reprocess",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Process, Self::Reprocess]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

pub const STATE_QUEUED: &str = JobState::Queued.as_str();
pub const STATE_RUNNING: &str = JobState::Running.as_str();
pub const STATE_SUCCEEDED: &str = JobState::Succeeded.as_str();
pub const STATE_FAILED: &str = JobState::Failed.as_str();
pub const KIND_PROCESS: &str = JobKind::Process.as_str();
pub const KIND_REPROCESS: &str = JobKind::Reprocess.as_str();

/// A unit of processing work: queued → running → succeeded | failed, leased by a worker.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub profile_id: Uuid,
    pub recording_id: Option<Uuid>,
    pub kind: String,
    pub input_key: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub progress: f64,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub worker: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The strategy tree to run; `None`: the profile's.
    pub strategy: Option<String>,
    /// What the job is doing now (decode, separate, encode, upload, ...), for the UI.
    pub stage: Option<String>,
    /// The uploaded file's name, content hash and size.
    pub original_name: Option<String>,
    pub file_hash: Option<String>,
    pub size_bytes: Option<i64>,
    /// The user who queued it (uploads, reprocessing).
    pub created_by: Option<Uuid>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// When a member hid this failed job from the band's active jobs (`None`: listed).
    pub dismissed_at: Option<DateTimeUtc>,
    /// An uploaded file's modification time (the browser's `lastModified`), the
    /// recording date when the file carries none.
    pub source_modified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::profile::Entity",
        from = "Column::ProfileId",
        to = "super::profile::Column::Id"
    )]
    Profile,
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::profile::Entity")]
    Profile,
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The typed kind; a row with a kind this build does not know is refused by name.
    pub fn job_kind(&self) -> Result<JobKind, String> {
        JobKind::parse(&self.kind).ok_or_else(|| format!("unknown job kind \"{}\"", self.kind))
    }
    pub fn job_state(&self) -> Result<JobState, String> {
        JobState::parse(&self.state).ok_or_else(|| format!("unknown job state \"{}\"", self.state))
    }
}
