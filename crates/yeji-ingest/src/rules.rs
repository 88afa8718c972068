//! Domain rules on a single row (SPEC §3 cleaning): status values, signs of
//! quantities and amounts, date order, score scales. Defaults for optional
//! columns are filled in here too, so the store never holds an ambiguous row.

use rust_decimal::Decimal;
use yeji_core::{Table, Value};

pub(crate) struct Violation {
    pub column: &'static str,
    pub value: String,
    pub reason: String,
}

fn violation(column: &'static str, value: &Value, reason: impl Into<String>) -> Violation {
    let value = match value {
        Value::Null => String::new(),
        Value::Text(s) => s.clone(),
        Value::Date(d) => d.to_string(),
        Value::Decimal(d) => d.normalize().to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
    };
    Violation { column, value, reason: reason.into() }
}

/// The row rules of one table, with its column positions looked up once.
pub(crate) struct Rules {
    table: Table,
    positions: rustc_hash::FxHashMap<&'static str, usize>,
}

impl Rules {
    pub fn new(table: Table) -> Rules {
        let positions = table.columns().iter().enumerate().map(|(i, c)| (c.name, i)).collect();
        Rules { table, positions }
    }

    pub fn apply(&self, row: &mut [Value]) -> Result<(), Violation> {
        let table = self.table;
        // The names below are the contract's own.
        let idx = |name: &str| self.positions[name];
        let non_negative = |row: &[Value], name: &'static str| -> Result<(), Violation> {
            let value = &row[idx(name)];
            match value.as_decimal() {
                Some(d) if d.is_sign_negative() && !d.is_zero() => Err(violation(name, value, "must not be negative")),
                _ => Ok(()),
            }
        };
        match table {
            Table::OrgUnits => {
                if row[idx("parent_id")] == row[idx("unit_id")] {
                    return Err(violation("parent_id", &row[idx("parent_id")], "a unit cannot be its own parent"));
                }
            }
            Table::Reps => {
                non_negative(row, "base_salary")?;
                default(row, idx("active"), Value::Bool(true));
            }
            Table::Products => {
                non_negative(row, "unit_cost")?;
                non_negative(row, "list_price")?;
            }
            Table::Customers => non_negative(row, "credit_limit")?,
            Table::Orders => order_rules(row, idx)?,
            Table::CreditSplits => {
                default(row, idx("line_no"), Value::Integer(1));
                let share = &row[idx("share")];
                if share.as_decimal().is_some_and(|s| s <= Decimal::ZERO || s > Decimal::from(100)) {
                    return Err(violation("share", share, "a share of credit is above 0 and at most 100 (percent)"));
                }
            }
            Table::Invoices => {
                non_negative(row, "amount")?;
                if row[idx("due_date")].as_date() < row[idx("invoice_date")].as_date() {
                    return Err(violation("due_date", &row[idx("due_date")], "due_date is before invoice_date"));
                }
            }
            Table::Payments => {
                let amount = &row[idx("amount")];
                if amount.as_decimal().is_some_and(|d| d <= Decimal::ZERO) {
                    return Err(violation("amount", amount, "a payment must be positive"));
                }
            }
            Table::Expenses => non_negative(row, "amount")?,
            Table::Opportunities => opportunity_rules(row, idx)?,
            Table::Activities => {}
            Table::Targets => non_negative(row, "value")?,
            Table::Surveys => {
                default(row, idx("scale"), Value::Decimal(Decimal::from(5)));
                let scale = row[idx("scale")].as_decimal().unwrap_or(Decimal::from(5));
                if scale <= Decimal::ZERO {
                    return Err(violation("scale", &row[idx("scale")], "the scale must be positive (5 or 10)"));
                }
                let score = &row[idx("score")];
                if score.as_decimal().is_some_and(|s| s < Decimal::ZERO || s > scale) {
                    return Err(violation(
                        "score",
                        score,
                        format!("the score must be between 0 and the scale {scale}"),
                    ));
                }
            }
            Table::Market => {
                let size = &row[idx("market_size")];
                if size.as_decimal().is_some_and(|s| s <= Decimal::ZERO) {
                    return Err(violation("market_size", size, "the market size must be positive"));
                }
            }
            Table::Reviews => {
                let score = &row[idx("score")];
                if score.as_decimal().is_some_and(|s| s < Decimal::ONE || s > Decimal::from(5)) {
                    return Err(violation("score", score, "a review score is 1 to 5"));
                }
            }
        }
        Ok(())
    }
}

fn default(row: &mut [Value], index: usize, value: Value) {
    if row[index].is_null() {
        row[index] = value;
    }
}

fn order_rules(row: &mut [Value], idx: impl Fn(&str) -> usize) -> Result<(), Violation> {
    default(row, idx("line_no"), Value::Integer(1));
    default(row, idx("status"), Value::Text("confirmed".to_owned()));
    if let Value::Integer(n) = row[idx("line_no")]
        && n < 1
    {
        return Err(violation("line_no", &row[idx("line_no")], "line numbers start at 1"));
    }
    let returned = row[idx("status")].as_text() == Some("returned");
    let quantity = row[idx("quantity")].as_decimal().unwrap_or_default();
    if returned && quantity >= Decimal::ZERO {
        return Err(violation("quantity", &row[idx("quantity")], "a returned line has a negative quantity"));
    }
    if !returned && quantity < Decimal::ZERO {
        return Err(violation(
            "quantity",
            &row[idx("quantity")],
            "negative quantity on a line that is not a return (status returned)",
        ));
    }
    for name in ["amount", "cost"] {
        let value = &row[idx(name)];
        let Some(amount) = value.as_decimal() else { continue };
        if returned && amount > Decimal::ZERO {
            return Err(violation(name, value, format!("a returned line has a negative {name}")));
        }
        if !returned && amount < Decimal::ZERO {
            return Err(violation(name, value, format!("negative {name} on a line that is not a return")));
        }
    }
    Ok(())
}

fn opportunity_rules(row: &mut [Value], idx: impl Fn(&str) -> usize) -> Result<(), Violation> {
    default(row, idx("outcome"), Value::Text("open".to_owned()));
    let amount = &row[idx("amount")];
    if amount.as_decimal().is_some_and(|a| a < Decimal::ZERO) {
        return Err(violation("amount", amount, "must not be negative"));
    }
    // Funnel stages happen in order: lead → qualified → proposal → negotiation → closed.
    let mut reached = row[idx("created_date")].as_date();
    for stage in ["qualified_date", "proposal_date", "negotiation_date", "closed_date"] {
        let value = &row[idx(stage)];
        if let Some(date) = value.as_date() {
            if reached.is_some_and(|before| date < before) {
                return Err(violation(stage, value, "is before an earlier funnel stage"));
            }
            reached = Some(date);
        }
    }
    let closed = row[idx("outcome")].as_text() != Some("open");
    let closed_date = &row[idx("closed_date")];
    if closed && closed_date.is_null() {
        return Err(violation("closed_date", closed_date, "a won or lost opportunity needs closed_date"));
    }
    if !closed && !closed_date.is_null() {
        return Err(violation(
            "closed_date",
            closed_date,
            "an open opportunity has no closed_date (outcome won or lost?)",
        ));
    }
    Ok(())
}
