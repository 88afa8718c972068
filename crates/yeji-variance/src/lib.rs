//! Variance (SPEC §8, §15.3): why revenue changed between two periods, split
//! into volume, price, mix, new and lost products (exact decimals, the
//! effects summing to the change), and the change by product, customer and
//! channel; and what revenue moves with. The facts are read through yeji-eval's `sales_by`, crediting
//! rows to the entity as every evaluation does.
//!
//! ```text
//! split.rs    the split by product and the changes by key (pure)
//! drivers.rs  revenue's correlation with discount, price and activities
//! ```

mod drivers;
mod split;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use yeji_core::Period;
use yeji_eval::{Facts, SalesKey};

pub use drivers::{Correlation, Driver, Drivers, MIN_POINTS, Strength, correlate, drivers, pearson};
pub use split::{Change, Effects, Sales, changes, effects};

#[derive(Debug, thiserror::Error)]
pub enum VarianceError {
    #[error("{0}")]
    Bad(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
}

/// The SPEC §15.3 document.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Variance {
    pub entity_id: String,
    pub period: String,
    pub against: String,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub revenue: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub revenue_against: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub change: Decimal,
    pub effects: Effects,
    pub by_product: Vec<Change>,
    pub by_customer: Vec<Change>,
    pub by_channel: Vec<Change>,
}

async fn sales(
    facts: &Facts,
    period: &Period,
    id: &str,
    key: SalesKey,
) -> Result<BTreeMap<String, Sales>, VarianceError> {
    let decimal = |text: &str| text.parse::<Decimal>().map_err(|e| VarianceError::Bad(format!("{text}: {e}")));
    let mut out = BTreeMap::new();
    for (key, quantity, revenue) in yeji_eval::sales_by(facts, period, id, key).await? {
        out.insert(key, Sales { quantity: decimal(&quantity)?, revenue: decimal(&revenue)? });
    }
    Ok(out)
}

/// The change of `id`'s revenue from `against` to `period`.
pub async fn variance(facts: &Facts, id: &str, period: &Period, against: &Period) -> Result<Variance, VarianceError> {
    let mut by = Vec::new();
    for key in [SalesKey::Product, SalesKey::Customer, SalesKey::Channel] {
        let (now, before) = (sales(facts, period, id, key).await?, sales(facts, against, id, key).await?);
        by.push((now, before));
    }
    let total = |of: &BTreeMap<String, Sales>| of.values().map(|s| s.revenue).sum::<Decimal>();
    let (products_now, products_before) = &by[0];
    let (revenue, revenue_against) = (total(products_now), total(products_before));
    Ok(Variance {
        entity_id: id.to_owned(),
        period: period.to_string(),
        against: against.to_string(),
        revenue,
        revenue_against,
        change: revenue - revenue_against,
        effects: effects(products_now, products_before),
        by_product: changes(products_now, products_before),
        by_customer: changes(&by[1].0, &by[1].1),
        by_channel: changes(&by[2].0, &by[2].1),
    })
}
