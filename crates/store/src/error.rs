/// Storage errors. Messages never contain medical content or SQL parameters.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("invalid record: {0}")]
    Invalid(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record was read at one version and the store holds another by now: someone else
    /// saved it in between (on this or another instance). Nothing was written; read it again.
    #[error("the record changed since it was read")]
    Stale,
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A database error shared by every request of one batch (the message only).
    #[error("database error: {0}")]
    Batch(String),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // SQLITE_BUSY_SNAPSHOT: a transaction that read tried to write after another connection
        // (another process on the same file) committed since its read. What it read changed:
        // nothing was written, the caller reads again.
        const SQLITE_BUSY_SNAPSHOT: &str = "517";
        if e.as_database_error().and_then(|d| d.code()).as_deref() == Some(SQLITE_BUSY_SNAPSHOT) {
            return Self::Stale;
        }
        Self::Database(e)
    }
}
