//! Customers (SPEC §8 "customers", seed 003 §2 and §6): each customer of a
//! rep or unit in a period with its lifecycle stage against the period
//! before, and its credit score from the payment history of its invoices
//! over the year to the period's end (or the data's last order, if sooner).
//!
//! ```text
//! lifecycle.rs  new, growing, steady, declining, lost, won back
//! credit.rs     the score, its grade and what to do with such a customer
//! ```

mod credit;
mod lifecycle;

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::Serialize;
use yeji_core::Period;
use yeji_eval::{EvalError, Facts};

pub use credit::{Credit, Grade, credit};
pub use lifecycle::{Stage, stage};

/// The default band of a change that is growth or decline: ±10 %.
pub const BAND: f64 = 0.10;

/// One customer of the entity.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customer {
    pub customer_id: String,
    pub name: String,
    /// None for a customer with invoices but no sales in either period.
    pub stage: Option<Stage>,
    pub revenue: f64,
    pub revenue_against: f64,
    pub credit: Credit,
}

/// The customers of an entity in a period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customers {
    pub entity_id: String,
    pub period: String,
    /// The period before, which the stages compare with.
    pub against: String,
    /// The day the credit is judged on.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: NaiveDate,
    pub band: f64,
    /// How many customers are at each stage.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stages: BTreeMap<Stage, usize>,
    /// Largest revenue first.
    pub customers: Vec<Customer>,
}

/// The customers of `id` in `period`, staged with `band` (0.10 = ±10 %).
pub async fn customers(facts: &Facts, period: &Period, id: &str, band: f64) -> Result<Customers, EvalError> {
    let last_order = yeji_eval::order_dates(facts).await?.map(|(_, last)| last);
    let as_of = last_order.map_or(period.last_day(), |last| last.min(period.last_day()));
    let since = as_of.checked_sub_months(Months::new(12)).unwrap_or(as_of);
    let sales = yeji_eval::customer_sales(facts, period, id).await?;
    let invoices = yeji_eval::payment_history(facts, since, as_of, id).await?;
    let mut by_customer: BTreeMap<&str, Vec<&yeji_eval::InvoiceHistory>> = BTreeMap::new();
    for invoice in &invoices {
        by_customer.entry(&invoice.customer_id).or_default().push(invoice);
    }
    let mut out: Vec<Customer> = sales
        .iter()
        .map(|s| Customer {
            customer_id: s.customer_id.clone(),
            name: s.name.clone(),
            stage: stage(s, band),
            revenue: s.revenue,
            revenue_against: s.revenue_before,
            credit: credit(by_customer.get(s.customer_id.as_str()).map_or(&[], |v| v.as_slice()), as_of),
        })
        .collect();
    for (customer, invoices) in &by_customer {
        if !sales.iter().any(|s| s.customer_id == *customer) {
            out.push(Customer {
                customer_id: (*customer).to_owned(),
                name: invoices[0].name.clone(),
                stage: None,
                revenue: 0.0,
                revenue_against: 0.0,
                credit: credit(invoices, as_of),
            });
        }
    }
    out.sort_by(|a, b| b.revenue.total_cmp(&a.revenue).then_with(|| a.customer_id.cmp(&b.customer_id)));
    let mut stages: BTreeMap<Stage, usize> = Stage::ALL.into_iter().map(|s| (s, 0)).collect();
    for customer in &out {
        if let Some(stage) = customer.stage {
            *stages.entry(stage).or_default() += 1;
        }
    }
    Ok(Customers {
        entity_id: id.to_owned(),
        period: period.to_string(),
        against: period.previous().to_string(),
        as_of,
        band,
        stages,
        customers: out,
    })
}
