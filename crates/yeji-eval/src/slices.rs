//! Evaluations of a slice of the facts (SPEC §5: "optionally sliced by product
//! line, channel, customer segment"): every KPI of every entity computed from
//! the rows of one product line (or channel, customer segment, or customer
//! region: the sales into a region's market, whoever made them) only.
//!
//! A slice replaces each fact table of the session by the view of its rows in
//! the slice, so the measures are the very queries of a whole evaluation. A
//! table whose rows the dimension cannot tell apart (expenses by product line,
//! invoices by channel, …) leaves the slice, and with it the KPIs it feeds.
//! Within a slice a customer is new when its first order *in the slice* is in
//! the period: new to the product line, the channel or the segment.

use std::collections::HashSet;

use arrow::array::AsArray;
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};
use yeji_core::scheme::Scheme;
use yeji_core::{Period, Table};
use yeji_facts::Facts;

use crate::analysis::Dimension;
use crate::evaluate::{Evaluation, evaluate_in};
use crate::measures::{REVENUE_LINES, within};
use crate::scope::literal;
use crate::{Result, query_error};

/// One value of a dimension; the empty key holds the rows without a value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SliceKey {
    pub by: Dimension,
    pub key: String,
}

/// Which rows of a table a slice keeps.
enum Kept {
    /// Every row: the tables every slice shares (the org tree, products, customers).
    All,
    /// The rows meeting a SQL condition.
    Where(String),
    /// None: a fact table the dimension cannot tell apart.
    Nothing,
}

impl SliceKey {
    fn kept(&self, table: Table) -> Kept {
        use Table::*;
        let key = literal(&self.key);
        match (self.by, table) {
            (_, OrgUnits | Reps | Products | Customers | Payments | Reviews) => Kept::All,
            (Dimension::ProductLine, Orders) => {
                Kept::Where(format!("product_id IN (SELECT product_id FROM products WHERE product_line = {key})"))
            }
            (Dimension::ProductLine, Targets | Market) => Kept::Where(format!("product_line = {key}")),
            (Dimension::Channel, Orders) => Kept::Where(format!("COALESCE(channel, '') = {key}")),
            (Dimension::Segment | Dimension::Region, Orders | Invoices | Opportunities | Activities | Surveys) => {
                let column = self.by.name();
                Kept::Where(format!(
                    "customer_id IN (SELECT customer_id FROM customers WHERE COALESCE({column}, '') = {key})"
                ))
            }
            (Dimension::Region, Market) => Kept::Where(format!("region = {key}")),
            _ => Kept::Nothing,
        }
    }

    /// The keys of `by` among the period's revenue lines, the largest first.
    fn keys_query(by: Dimension, period: &Period) -> String {
        // A region slice holds the sales into the region (the customer's), not
        // those of its units as the revenue breakdown does.
        let (key, _, join) = match by {
            Dimension::Region => ("c.region", "", "LEFT JOIN customers c ON o.customer_id = c.customer_id"),
            other => other.columns(),
        };
        format!(
            "SELECT COALESCE({key}, '') AS key FROM orders o {join} \
             WHERE o.{REVENUE_LINES} AND {} GROUP BY 1 ORDER BY SUM(o.amount) DESC, key",
            within("o.order_date", period)
        )
    }

    /// Replaces the session's fact tables by their rows in the slice, and drops
    /// the tables that leave it from `with_rows`.
    pub(crate) async fn restrict(&self, context: &SessionContext, with_rows: &mut HashSet<Table>) -> Result<()> {
        for table in Table::ALL {
            let view = match self.kept(table) {
                Kept::All => continue,
                // A product line's targets are the slice's targets: they take
                // the place of the whole-company ones (no product line).
                Kept::Where(condition) if table == Table::Targets => context
                    .sql(&format!(
                        "SELECT * EXCLUDE (product_line), CAST(NULL AS VARCHAR) AS product_line FROM targets WHERE {condition}"
                    ))
                    .await
                    .map_err(query_error)?
                    .into_view(),
                Kept::Where(condition) => {
                    context.sql(&format!("SELECT * FROM {table} WHERE {condition}")).await.map_err(query_error)?.into_view()
                }
                Kept::Nothing => {
                    with_rows.remove(&table);
                    context.sql(&format!("SELECT * FROM {table} WHERE FALSE")).await.map_err(query_error)?.into_view()
                }
            };
            context.deregister_table(table.name()).map_err(query_error)?;
            context.register_table(table.name(), view).map_err(query_error)?;
        }
        Ok(yeji_facts::register_first_lines_in_slice(context).await?)
    }
}

/// One evaluation per value of `by` that has revenue lines in the period,
/// largest first (by the company's revenue).
pub async fn evaluate_by(facts: &Facts, period: &Period, scheme: &Scheme, by: Dimension) -> Result<Vec<Evaluation>> {
    let batches = yeji_facts::collect(&facts.session().await?, &SliceKey::keys_query(by, period)).await?;
    let keys: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let keys = b.column(0).as_string::<i32>();
            (0..b.num_rows()).map(move |row| keys.value(row).to_owned())
        })
        .collect();
    let mut evaluations = Vec::new();
    for key in keys {
        let key = SliceKey { by, key };
        let context = facts.session().await?;
        let mut with_rows: HashSet<Table> = Table::ALL.into_iter().filter(|t| facts.has_rows(*t)).collect();
        key.restrict(&context, &mut with_rows).await?;
        let mut evaluation = evaluate_in(facts, &context, with_rows, period, scheme).await?.evaluation;
        evaluation.slice = Some(key);
        evaluations.push(evaluation);
    }
    Ok(evaluations)
}
