//! The evaluation cache: an evaluation is a function of the period, the scheme
//! and the fact files, so its result is kept under `W/cache/<data>/` (one folder
//! per state of the data) and served again while nothing changed. A new batch
//! or a revert changes the data's key; the old folder is removed with the
//! other leftovers when the workspace is next opened alone.

use std::collections::HashMap;
use std::path::PathBuf;

use xxhash_rust::xxh3::xxh3_128;
use yeji_core::scheme::Scheme;
use yeji_core::{Period, Table};
use yeji_store::TableVersion;

use crate::evaluate::Evaluation;
use crate::workspace::Workspace;
use crate::{EngineError, Result};

pub(crate) const CACHE_DIR: &str = "cache";

/// The key of a state of the data (its fact files) as this yeji reads it.
pub(crate) fn data_key(versions: &HashMap<Table, TableVersion>) -> String {
    let mut files: Vec<&str> = versions.values().map(|v| v.file.as_str()).collect();
    files.sort_unstable();
    files.push(env!("CARGO_PKG_VERSION"));
    format!("{:032x}", xxh3_128(files.join("\n").as_bytes()))
}

impl Workspace {
    fn cached_path(&self, period: &Period, scheme: &Scheme, versions: &HashMap<Table, TableVersion>) -> PathBuf {
        let scheme_key = xxh3_128(scheme.to_toml().as_bytes());
        self.root.join(CACHE_DIR).join(data_key(versions)).join(format!("{period}-{scheme_key:032x}.json"))
    }

    /// Evaluates `period` by `scheme` on the current data, from the cache when
    /// this very evaluation was computed before.
    pub async fn evaluate(&self, period: &Period, scheme: &Scheme) -> Result<Evaluation> {
        let versions = self.versions().await?;
        let path = self.cached_path(period, scheme, &versions);
        if let Some(evaluation) = std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()) {
            return Ok(evaluation);
        }
        let evaluation = self.evaluate_at(period, scheme, &versions, None).await?.evaluation;
        // A cache that cannot be written costs time only, never the result.
        if let Err(error) = write_atomically(&path, &evaluation) {
            tracing::warn!(%error, "could not cache the evaluation");
        }
        Ok(evaluation)
    }
}

/// Writes under a temporary name, then renames: readers see all or nothing.
fn write_atomically(path: &std::path::Path, evaluation: &Evaluation) -> Result<()> {
    let dir = path.parent().expect("cache files live in a folder");
    std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    let bytes = serde_json::to_vec(evaluation).map_err(|e| EngineError::Query(e.to_string()))?;
    std::fs::write(&temporary, bytes).map_err(|e| EngineError::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| EngineError::io(path, e))
}
