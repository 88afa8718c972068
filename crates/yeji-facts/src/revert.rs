//! Rolling a batch back exactly: the rows it added go, the rows it changed get
//! their old values back, in one catalog transaction.

use std::collections::{BTreeMap, HashSet};

use yeji_core::Table;
use yeji_store::Batch;

use crate::changes::{Rewrite, undo};
use crate::files;
use crate::workspace::Workspace;
use crate::{FactsError, Result};

impl Workspace {
    /// Reverts batch `id`. A batch is reverted only while no later batch changed
    /// its tables or a table referring to them, so the result is exactly the
    /// workspace as if the batch had never been imported.
    pub async fn revert(&mut self, id: i64, actor: &str) -> Result<Batch> {
        let _writing = self.writing().await?;
        let history = self.catalog.batches().await?;
        let batch = history.iter().find(|b| b.id == id).ok_or(yeji_store::StoreError::NoSuchBatch(id))?.clone();
        let cannot = |reason: String| FactsError::CannotRevert { batch: id, reason };
        if batch.status != "landed" {
            return Err(cannot("it is already reverted".into()));
        }
        let touched: HashSet<Table> = batch
            .tables
            .iter()
            .filter(|t| t.added + t.changed > 0)
            .filter_map(|t| Table::from_name(&t.table))
            .collect();
        let depends = |table: Table| {
            touched.contains(&table)
                || table.columns().iter().any(|c| c.references.is_some_and(|r| touched.contains(&r)))
        };
        let later = history.iter().filter(|b| b.id > id && b.status == "landed").find(|b| {
            b.tables.iter().any(|t| t.added + t.changed > 0 && Table::from_name(&t.table).is_some_and(depends))
        });
        if let Some(later) = later {
            return Err(cannot(format!(
                "batch {} changed related data after it; revert batch {} first",
                later.id, later.id
            )));
        }
        let versions = self.versions().await?;
        let mut states = BTreeMap::new();
        for change in batch.tables.iter().filter(|c| c.added + c.changed > 0) {
            let Some(table) = Table::from_name(&change.table) else { continue };
            let rewrite = match &change.delta_file {
                Some(file) => undo(table, &files::read_columns(&self.root.join(file), &delta_columns(table))?),
                // The batch filled an empty table: reverting it empties the table.
                None => Rewrite { clear: true, ..Rewrite::default() },
            };
            states.insert(table, rewrite);
        }
        let new_versions = self.write_states(id, states, &versions)?;
        self.catalog.revert_batch(id, &new_versions, actor).await?;
        self.retire(&new_versions, &versions).await?;
        Ok(Batch { status: "reverted".into(), ..batch })
    }
}

pub(crate) fn delta_columns(table: Table) -> Vec<&'static str> {
    let mut columns: Vec<&'static str> = table.columns().iter().map(|c| c.name).collect();
    columns.push(crate::changes::CHANGE);
    columns
}
