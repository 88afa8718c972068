//! A decomposition saved as targets the evaluation then uses: written as a
//! targets file and imported like any other (SPEC §3's columns, keyed by
//! period, entity, metric and product line), so it is one batch in the
//! history, audited, and reverted like any import.

use std::io::Write;

use yeji_core::Org;
use yeji_facts::{ImportOptions, ImportReport, Workspace};

use crate::{Target, TargetError};

fn level(org: &Org, entity: &str) -> &'static str {
    match org.unit(entity) {
        Some(unit) if unit.parent.is_none() => "company",
        Some(_) => "unit",
        None => "rep",
    }
}

/// Imports `targets` into `workspace` as `actor`.
pub async fn save(
    workspace: &mut Workspace,
    org: &Org,
    targets: &[Target],
    actor: &str,
) -> Result<ImportReport, TargetError> {
    let dir = tempfile::tempdir_in(workspace.root())
        .map_err(|e| TargetError::Bad(format!("a folder for the targets file: {e}")))?;
    let path = dir.path().join("targets.csv");
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |e: csv::Error| TargetError::Bad(format!("writing the targets file: {e}"));
    out.write_record(["period", "entity_id", "metric", "value", "level", "product_line"]).map_err(write)?;
    for t in targets {
        let value = t.value.to_string();
        let row = [
            t.period.as_str(),
            &t.entity_id,
            &t.metric,
            &value,
            level(org, &t.entity_id),
            t.product_line.as_deref().unwrap_or(""),
        ];
        out.write_record(row).map_err(write)?;
    }
    let bytes = out.into_inner().map_err(|e| TargetError::Bad(format!("writing the targets file: {e}")))?;
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&bytes))
        .map_err(|e| TargetError::Bad(format!("writing {}: {e}", path.display())))?;
    let options = ImportOptions { actor: actor.to_owned(), ..Default::default() };
    Ok(workspace.import(&[path], &options, &|_| {}).await?)
}
