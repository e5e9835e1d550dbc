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
                if db.is_unique_violation() || db.is_foreign_key_violation() {
                    return StoreError::Conflict(db.message().to_owned());
                }
                // SQLITE_BUSY / SQLITE_LOCKED, PostgreSQL admin shutdown / cannot connect now.
                let code = db.code().unwrap_or_default();
                if matches!(
                    &*code,
                    "5" | "6" | "517" | "57P01" | "57P02" | "57P03" | "53300"
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
