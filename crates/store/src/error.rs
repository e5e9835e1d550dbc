/// What can go wrong in the store. "Down" never looks like "not found".
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached or is overloaded; retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The configuration (URL, paths) is wrong.
    #[error("{0}")]
    Config(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) => {
                // The database's own text names tables and columns: it goes to the logs, and
                // callers get a sentence of ours.
                if db.is_unique_violation() {
                    tracing::debug!(error = %db.message(), "unique violation");
                    return StoreError::Conflict(
                        "this conflicts with data that already exists".into(),
                    );
                }
                if db.is_foreign_key_violation() {
                    tracing::debug!(error = %db.message(), "foreign key violation");
                    return StoreError::Conflict(
                        "this refers to something that does not exist".into(),
                    );
                }
                // SQLITE_BUSY / SQLITE_LOCKED, PostgreSQL admin shutdown / cannot connect now.
                let code = db.code().unwrap_or_default();
                if matches!(
                    &*code,
                    "5" | "6" | "517" | "57P01" | "57P02" | "57P03" | "53300" | "40P01" | "40001"
                ) {
                    return StoreError::Unavailable(db.message().to_owned());
                }
                StoreError::Other(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}
