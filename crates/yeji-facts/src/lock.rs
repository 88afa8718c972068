//! Taking turns over a workspace. With its own SQLite catalog, the lock file
//! `W/.lock` is held shared by every process that has the workspace open and
//! exclusively by the one writing a batch, a revert or a scheme (others are
//! told it is busy). A workspace sharing a PostgreSQL catalog (a team's
//! servers, the facts folder on shared storage, where file locks cannot be
//! trusted) writes by the catalog's lock instead, and nobody waits to read:
//! a write only adds files and switches the catalog to them in one
//! transaction, and replaced files are cleaned up an hour later.

use std::fs::File;
use std::path::Path;

use yeji_store::{Catalog, WriteLock};

use crate::workspace::Workspace;
use crate::{FactsError, Result};

const LOCK_FILE: &str = ".lock";

fn locked(result: std::result::Result<(), std::fs::TryLockError>, root: &Path) -> Result<()> {
    match result {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(FactsError::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(FactsError::io(&root.join(LOCK_FILE), e)),
    }
}

/// What an open workspace holds: its lock file, shared (exclusively while
/// it is created), for its own catalog; nothing for a shared catalog.
pub(crate) fn hold(root: &Path, catalog: &Catalog, exclusive: bool) -> Result<Option<File>> {
    if catalog.is_shared() {
        return Ok(None);
    }
    let path = root.join(LOCK_FILE);
    let file =
        File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| FactsError::io(&path, e))?;
    locked(if exclusive { file.try_lock() } else { file.try_lock_shared() }, root)?;
    Ok(Some(file))
}

/// Goes back to holding the lock file shared.
pub(crate) fn share(hold: &Option<File>) {
    if let Some(file) = hold {
        // This process is the only holder: converting back cannot be refused.
        let _ = file.try_lock_shared();
    }
}

/// The turn to write; given back when dropped.
pub(crate) struct Writing {
    file: Option<File>,
    _catalog: WriteLock,
}

impl Drop for Writing {
    fn drop(&mut self) {
        share(&self.file);
    }
}

impl Workspace {
    /// The turn to write: refused (busy) while another process has this
    /// workspace open (own catalog) or is writing (shared catalog).
    pub(crate) async fn writing(&self) -> Result<Writing> {
        let file = match &self.lock {
            Some(held) => {
                let file = held.try_clone().map_err(|e| FactsError::io(&self.root.join(LOCK_FILE), e))?;
                locked(file.try_lock(), &self.root)?;
                Some(file)
            }
            None => None,
        };
        let catalog = self.catalog.lock_writes().await.map_err(|e| match e {
            yeji_store::StoreError::Busy => FactsError::Busy,
            other => other.into(),
        })?;
        Ok(Writing { file, _catalog: catalog })
    }
}
