//! Queries over the fact store with Apache DataFusion: every table's current
//! Parquet file registered under its canonical name.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use serde::Serialize;
use yeji_core::{Period, Table};
use yeji_ingest::schema::stored_schema;

use crate::measures::EntityKey;
use crate::workspace::Workspace;
use crate::{EngineError, Result};

fn query_error(error: impl std::fmt::Display) -> EngineError {
    EngineError::Query(error.to_string())
}

/// Revenue of one region in a period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionRevenue {
    pub region_id: String,
    pub region: String,
    pub revenue: f64,
    pub gross_margin: Option<f64>,
    pub orders: i64,
}

impl Workspace {
    /// A DataFusion session with every table registered (empty when not imported).
    pub async fn session(&self) -> Result<SessionContext> {
        // Plain Utf8 strings, as the fact files hold them, so results read the same
        // whether a column came from Parquet or from memory.
        let config = SessionConfig::new()
            .with_target_partitions(2)
            .set_bool("datafusion.execution.parquet.schema_force_view_types", false);
        let context = SessionContext::new_with_config(config);
        let versions = self.versions().await?;
        for table in Table::ALL {
            match versions.get(&table) {
                Some(version) => {
                    let path = self.root.join(&version.file);
                    context
                        .register_parquet(table.name(), path.to_string_lossy().as_ref(), ParquetReadOptions::default())
                        .await
                        .map_err(query_error)?;
                }
                None => {
                    let empty = MemTable::try_new(stored_schema(table), vec![vec![]]).map_err(query_error)?;
                    context.register_table(table.name(), Arc::new(empty)).map_err(query_error)?;
                }
            }
        }
        Ok(context)
    }

    /// Revenue, gross margin and orders per region (units of kind `region`) in
    /// `period`, credited to the unit each rep belonged to on the order date.
    pub async fn revenue_by_region(&self, period: &Period) -> Result<Vec<RegionRevenue>> {
        let context = self.session().await?;
        let regions = self.unit_regions(period).await?;
        context.register_batch("unit_region", regions).map_err(query_error)?;
        let sql = format!(
            "SELECT r.region_id, r.region_name, \
                    CAST(SUM(o.amount) AS DOUBLE) AS revenue, \
                    CAST((SUM(o.amount) - SUM(o.cost)) AS DOUBLE) / NULLIF(CAST(SUM(o.amount) AS DOUBLE), 0) AS gross_margin, \
                    COUNT(DISTINCT CASE WHEN o.status = 'confirmed' THEN o.order_id END) AS orders \
             FROM orders o JOIN unit_region r ON o.credited_unit_id = r.unit_id \
             WHERE o.status IN ('confirmed', 'returned') AND o.order_date >= DATE '{}' AND o.order_date < DATE '{}' \
             GROUP BY r.region_id, r.region_name ORDER BY revenue DESC, r.region_id",
            period.start(),
            period.end_exclusive()
        );
        let batches = context.sql(&sql).await.map_err(query_error)?.collect().await.map_err(query_error)?;
        let mut out = Vec::new();
        for batch in batches {
            let ids = batch.column(0).as_string::<i32>();
            let names = batch.column(1).as_string::<i32>();
            let revenue = batch.column(2).as_primitive::<arrow::datatypes::Float64Type>();
            let margin = batch.column(3).as_primitive::<arrow::datatypes::Float64Type>();
            let orders = batch.column(4).as_primitive::<arrow::datatypes::Int64Type>();
            for row in 0..batch.num_rows() {
                out.push(RegionRevenue {
                    region_id: ids.value(row).to_owned(),
                    region: names.value(row).to_owned(),
                    revenue: if revenue.is_valid(row) { revenue.value(row) } else { 0.0 },
                    gross_margin: margin.is_valid(row).then(|| margin.value(row)),
                    orders: orders.value(row),
                });
            }
        }
        Ok(out)
    }

    /// Every unit with the region above it (a region is its own region).
    async fn unit_regions(&self, period: &Period) -> Result<RecordBatch> {
        let versions = self.versions().await?;
        let (entities, tree) = self.entities(period, &versions)?;
        let names: HashMap<&EntityKey, &str> = entities.iter().map(|e| (&e.key, e.name.as_str())).collect();
        let mut rows: Vec<(&str, &str, &str)> = tree
            .parent
            .keys()
            .filter_map(|unit| {
                let region = tree.region_of(unit)?;
                Some((unit.as_str(), region, names.get(&EntityKey::Unit(region.to_owned())).copied().unwrap_or(region)))
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
}
