//! Taking turns to write a shared (PostgreSQL) catalog: an import, a revert or
//! a clean-up holds a lock the database keeps for its connection, so two
//! machines sharing one catalog and one facts folder never write at once. A
//! SQLite catalog lives in one workspace folder, whose lock file does that.

use sqlx::{Connection, PgConnection, Row};

use crate::{Catalog, Pool, Result, StoreError};

/// The lock's key: the same for every process of one catalog database.
const KEY: i64 = 0x7965_6a69; // "yeji"

/// Held while writing; released when dropped (its connection closes).
#[derive(Debug)]
pub struct WriteLock {
    _connection: Option<PgConnection>,
}

impl Catalog {
    /// The turn to write, for a shared catalog (`Busy` while another process
    /// has it); nothing to take for SQLite.
    pub async fn lock_writes(&self) -> Result<WriteLock> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(WriteLock { _connection: None }) };
        let mut connection = PgConnection::connect_with(&pool.connect_options()).await?;
        let got: bool =
            sqlx::query("SELECT pg_try_advisory_lock($1)").bind(KEY).fetch_one(&mut connection).await?.get(0);
        if !got {
            return Err(StoreError::Busy);
        }
        Ok(WriteLock { _connection: Some(connection) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_writer_at_a_time_on_a_shared_catalog() {
        let Some(url) = crate::testing::fresh_postgres().await else { return };
        let (a, b) = (Catalog::connect(&url, true).await.unwrap(), Catalog::connect(&url, false).await.unwrap());
        let held = a.lock_writes().await.unwrap();
        assert!(matches!(b.lock_writes().await, Err(StoreError::Busy)));
        drop(held);
        // The server lets go when the connection closes.
        let mut taken = None;
        for _ in 0..50 {
            if let Ok(lock) = b.lock_writes().await {
                taken = Some(lock);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(taken.is_some(), "free again once the first writer is done");
    }
}
