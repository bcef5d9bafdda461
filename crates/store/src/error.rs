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
    Database(#[from] sqlx::Error),
    /// A database error shared by every request of one batch (the message only).
    #[error("database error: {0}")]
    Batch(String),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
