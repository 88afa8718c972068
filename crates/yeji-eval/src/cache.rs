//! The evaluation cache: an evaluation is a function of the period, the scheme
//! and the fact files, so its result is kept in the facts' cache folder (one
//! per state of the data) and served again while nothing changed. A new batch
//! or a revert is a new state of the data; the old folder is removed with the
//! other leftovers when the workspace is next opened alone.

use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_128;
use yeji_core::Period;
use yeji_core::scheme::Scheme;
use yeji_facts::{Facts, FactsError};

use crate::Result;
use crate::evaluate::{Evaluation, evaluate};

fn cached_path(facts: &Facts, period: &Period, scheme: &Scheme) -> PathBuf {
    let scheme_key = xxh3_128(scheme.to_toml().as_bytes());
    facts.cache_dir().join(format!("{period}-{scheme_key:032x}.json"))
}

/// Evaluates `period` by `scheme` on `facts`, from the cache when this very
/// evaluation was computed before.
pub async fn evaluate_cached(facts: &Facts, period: &Period, scheme: &Scheme) -> Result<Evaluation> {
    let path = cached_path(facts, period, scheme);
    if let Some(evaluation) = std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()) {
        return Ok(evaluation);
    }
    let evaluation = evaluate(facts, period, scheme).await?.evaluation;
    // A cache that cannot be written costs time only, never the result.
    if let Err(error) = write_atomically(&path, &evaluation) {
        tracing::warn!(%error, "could not cache the evaluation");
    }
    Ok(evaluation)
}

/// Writes under a temporary name, then renames: readers see all or nothing.
fn write_atomically(path: &Path, evaluation: &Evaluation) -> std::result::Result<(), FactsError> {
    let io = |path: &Path, source| FactsError::Io { path: path.display().to_string(), source };
    let dir = path.parent().expect("cache files live in a folder");
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    let bytes = serde_json::to_vec(evaluation).map_err(|e| FactsError::Query(e.to_string()))?;
    std::fs::write(&temporary, bytes).map_err(|e| io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| io(path, e))
}
