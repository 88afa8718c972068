//! Which rows an entity is credited with, as the evaluation credits them: a
//! rep's own rows, a unit's rows credited to it or to a unit below it (on the
//! day of each row), every row for the company. Every query of a page that
//! reads an entity's rows (revenue by dimension, months, customers,
//! receivables, the rows behind a value) filters by this one condition.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;
use yeji_facts::Facts;

use crate::{EvalError, Result, query_error};

/// A quoted SQL string literal.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The session and the SQL condition selecting the rows credited to `id` (of
/// a table with `rep_id` and `credited_unit_id`); a rep id is looked up first.
/// A rep's session holds its rows only, so its condition is `TRUE`.
pub(crate) async fn scope(facts: &Facts, id: &str) -> Result<(SessionContext, String)> {
    let org = facts.org();
    if org.has_rep(id) {
        return Ok((facts.rep_session(id).await?, "TRUE".into()));
    }
    let unit = org.unit(id).ok_or_else(|| EvalError::UnknownEntity(id.to_owned()))?;
    let filter = if unit.parent.is_none() {
        // The company: every row, also those credited to no unit.
        "TRUE".to_owned()
    } else {
        let below: Vec<String> = org.subtree(id).into_iter().map(literal).collect();
        format!("credited_unit_id IN ({})", below.join(", "))
    };
    Ok((facts.session().await?, filter))
}

/// Every unit with the region above it (a region is its own region), as the
/// table `unit_region` the region breakdown joins.
pub(crate) fn unit_regions(facts: &Facts) -> Result<RecordBatch> {
    let org = facts.org();
    let mut rows: Vec<(&str, &str, &str)> = org
        .units()
        .filter_map(|unit| {
            let region = org.region_of(&unit.id)?;
            Some((unit.id.as_str(), region, org.unit(region).map_or(region, |r| r.name.as_str())))
        })
        .collect();
    rows.sort_unstable();
    let schema = Arc::new(Schema::new(vec![
        Field::new("unit_id", DataType::Utf8, false),
        Field::new("region_id", DataType::Utf8, false),
        Field::new("region_name", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| Some(r.0)).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.1)).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.2)).collect::<StringArray>()),
    ];
    RecordBatch::try_new(schema, columns).map_err(query_error)
}
