//! How many surveys each rep was rated in over a period (what makes a
//! rep's satisfaction a fair basis for an award).

use std::collections::BTreeMap;

use arrow::array::AsArray;
use arrow::datatypes::Int64Type;
use yeji_core::Period;
use yeji_facts::Facts;

use crate::Result;
use crate::measures::within;

/// rep → the surveys dated in `period` that rate them.
pub async fn survey_counts(facts: &Facts, period: &Period) -> Result<BTreeMap<String, i64>> {
    let context = facts.session().await?;
    let sql = format!(
        "SELECT rep_id, COUNT(*) FROM surveys WHERE rep_id IS NOT NULL AND {} GROUP BY 1",
        within("date", period)
    );
    let mut out = BTreeMap::new();
    for batch in facts.query(&context, &sql).await? {
        let (reps, counts) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Int64Type>());
        for row in 0..batch.num_rows() {
            out.insert(reps.value(row).to_owned(), counts.value(row));
        }
    }
    Ok(out)
}
