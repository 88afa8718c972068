//! What the customer analysis reads (SPEC §8 "customers", seed 003 §2, §6):
//! each customer's sales to an entity in a period and in the one before it
//! (with whether it became a customer of the company in the period, as the
//! `new_customers` KPI counts it), and the payment history of its invoices.
//! Rows are credited as the evaluation credits them ([`crate::scope`]).

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Date32Type, Float64Type};
use chrono::NaiveDate;
use yeji_core::Period;
use yeji_facts::Facts;

use crate::Result;
use crate::measures::{REVENUE_LINES, within};
use crate::scope::scope;

/// A customer's sales to an entity in a period and the one before it.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSales {
    pub customer_id: String,
    pub name: String,
    /// Net revenue (returns deducted) in the period and in the one before.
    pub revenue: f64,
    pub revenue_before: f64,
    /// A confirmed line in the period, in the one before.
    pub bought: bool,
    pub bought_before: bool,
    /// Its first confirmed line ever falls in the period, credited here.
    pub new: bool,
}

/// The customers of `id` in `period` or the period before it, by id.
pub async fn customer_sales(facts: &Facts, period: &Period, id: &str) -> Result<Vec<CustomerSales>> {
    let (context, filter) = scope(facts, id).await?;
    let previous = period.previous();
    let sql = format!(
        "WITH lines AS (SELECT customer_id, order_date >= DATE '{start}' AS now, amount, status = 'confirmed' AS firm \
               FROM orders WHERE {filter} AND {REVENUE_LINES} AND order_date >= DATE '{before}' \
               AND order_date < DATE '{end}'), \
             newly AS (SELECT DISTINCT customer_id FROM first_lines WHERE {filter} AND {now}) \
         SELECT l.customer_id, COALESCE(MIN(c.name), l.customer_id), \
                CAST(SUM(CASE WHEN l.now THEN l.amount ELSE 0 END) AS DOUBLE), \
                CAST(SUM(CASE WHEN l.now THEN 0 ELSE l.amount END) AS DOUBLE), \
                BOOL_OR(l.now AND l.firm), BOOL_OR(NOT l.now AND l.firm), BOOL_OR(n.customer_id IS NOT NULL) \
         FROM lines l LEFT JOIN customers c ON l.customer_id = c.customer_id \
         LEFT JOIN newly n ON l.customer_id = n.customer_id \
         GROUP BY l.customer_id ORDER BY l.customer_id",
        start = period.start(),
        before = previous.start(),
        end = period.end_exclusive(),
        now = within("order_date", period),
    );
    let mut out = Vec::new();
    for batch in facts.query(&context, &sql).await? {
        let text = |column: usize, row: usize| batch.column(column).as_string::<i32>().value(row).to_owned();
        let number = |column: usize, row: usize| batch.column(column).as_primitive::<Float64Type>().value(row);
        let flag = |column: usize, row: usize| {
            let flags = batch.column(column).as_boolean();
            flags.is_valid(row) && flags.value(row)
        };
        for row in 0..batch.num_rows() {
            out.push(CustomerSales {
                customer_id: text(0, row),
                name: text(1, row),
                revenue: number(2, row),
                revenue_before: number(3, row),
                bought: flag(4, row),
                bought_before: flag(5, row),
                new: flag(6, row),
            });
        }
    }
    Ok(out)
}

/// An invoice of a customer with the payments made on it by the day asked.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceHistory {
    pub customer_id: String,
    pub name: String,
    pub credit_limit: Option<f64>,
    pub invoice_id: String,
    pub amount: f64,
    pub due_date: NaiveDate,
    /// (day, amount), in day order.
    pub payments: Vec<(NaiveDate, f64)>,
}

/// The invoices of `id` issued from `since` to `as_of`, with their payments
/// up to `as_of`, by customer and due date.
pub async fn payment_history(
    facts: &Facts,
    since: NaiveDate,
    as_of: NaiveDate,
    id: &str,
) -> Result<Vec<InvoiceHistory>> {
    let (context, filter) = scope(facts, id).await?;
    let sql = format!(
        "WITH i AS (SELECT invoice_id, customer_id, amount, due_date FROM invoices WHERE {filter} \
               AND invoice_date >= DATE '{since}' AND invoice_date <= DATE '{as_of}'), \
             p AS (SELECT invoice_id, payment_date, amount FROM payments WHERE payment_date <= DATE '{as_of}' \
               AND invoice_id IN (SELECT invoice_id FROM i)) \
         SELECT i.customer_id, COALESCE(c.name, i.customer_id), CAST(c.credit_limit AS DOUBLE), i.invoice_id, \
                CAST(i.amount AS DOUBLE), i.due_date, p.payment_date, CAST(p.amount AS DOUBLE) \
         FROM i LEFT JOIN p ON i.invoice_id = p.invoice_id LEFT JOIN customers c ON i.customer_id = c.customer_id \
         ORDER BY i.customer_id, i.due_date, i.invoice_id, p.payment_date"
    );
    let mut out: Vec<InvoiceHistory> = Vec::new();
    for batch in facts.query(&context, &sql).await? {
        let text = |column: usize, row: usize| batch.column(column).as_string::<i32>().value(row).to_owned();
        let numbers = |column: usize| batch.column(column).as_primitive::<Float64Type>();
        let dates = |column: usize| batch.column(column).as_primitive::<Date32Type>();
        for row in 0..batch.num_rows() {
            let invoice_id = text(3, row);
            if out.last().is_none_or(|last| last.invoice_id != invoice_id) {
                let limit = numbers(2);
                out.push(InvoiceHistory {
                    customer_id: text(0, row),
                    name: text(1, row),
                    credit_limit: limit.is_valid(row).then(|| limit.value(row)),
                    invoice_id,
                    amount: numbers(4).value(row),
                    due_date: dates(5).value_as_date(row).unwrap_or(as_of),
                    payments: Vec::new(),
                });
            }
            if dates(6).is_valid(row)
                && let (Some(day), Some(invoice)) = (dates(6).value_as_date(row), out.last_mut())
            {
                invoice.payments.push((day, numbers(7).value(row)));
            }
        }
    }
    Ok(out)
}
