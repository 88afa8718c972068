//! What was paid on each invoice: the total of its payments and the day of the
//! last one, derived onto the invoices file whenever the invoices or the
//! payments are written.
//!
//! What was paid on an invoice by the end of a period is its total when its
//! last payment came before that end, so an evaluation needs the payments
//! themselves only for the invoices paid after the period (on 10M order lines,
//! a join of 2.9M invoices with 2.3M payment sums becomes one of the few paid
//! late). Sessions over files written before these columns existed get them
//! from the payments, by an aggregate.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Decimal128Array, RecordBatch};
use arrow::datatypes::{Date32Type, Decimal128Type};
use datafusion::prelude::SessionContext;
use rustc_hash::FxHashMap as HashMap;
use yeji_core::value::DECIMAL_SCALE;
use yeji_ingest::checks::id_hash;
use yeji_ingest::schema::{DECIMAL_PRECISION, LAST_PAYMENT, PAID_TOTAL};

use crate::Result;
use crate::session::{has_column, register_view};

/// The columns of a payment that count here, with its natural key (which
/// tells the rows a rewrite keeps).
pub(crate) const COLUMNS: [&str; 4] = ["payment_id", "invoice_id", "payment_date", "amount"];

/// The payments seen, summed per invoice (by its id's key, as the import's
/// reference checks know invoices): total paid, last day.
#[derive(Default)]
pub(crate) struct Paid {
    by_invoice: HashMap<u64, (i128, i32)>,
}

impl Paid {
    /// Takes in payments (a batch with at least [`COLUMNS`]).
    pub fn see(&mut self, payments: &RecordBatch) {
        let column = |name: &str| payments.column_by_name(name).expect("payments");
        let invoices = column("invoice_id").as_string::<i32>();
        let days = column("payment_date").as_primitive::<Date32Type>();
        let amounts = column("amount").as_primitive::<Decimal128Type>();
        for row in 0..payments.num_rows() {
            if invoices.is_valid(row) && days.is_valid(row) && amounts.is_valid(row) {
                let paid = self.by_invoice.entry(id_hash(invoices.value(row))).or_insert((0, i32::MIN));
                *paid = (paid.0 + amounts.value(row), paid.1.max(days.value(row)));
            }
        }
    }

    /// The derived columns of `invoices`: the total paid on each (0 when
    /// nothing was) and the day of its last payment (none when nothing was).
    pub fn columns(&self, invoices: &RecordBatch) -> [ArrayRef; 2] {
        let ids = invoices.column_by_name("invoice_id").expect("invoices").as_string::<i32>();
        let paid: Vec<Option<&(i128, i32)>> = (0..invoices.num_rows())
            .map(|row| ids.is_valid(row).then(|| self.by_invoice.get(&id_hash(ids.value(row)))).flatten())
            .collect();
        let totals = Decimal128Array::from_iter_values(paid.iter().map(|p| p.map_or(0, |p| p.0)))
            .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE as i8)
            .expect("the stored decimal type");
        let last: Date32Array = paid.iter().map(|p| p.map(|p| p.1)).collect();
        [Arc::new(totals), Arc::new(last)]
    }
}

/// Replaces the session's `invoices` by a view adding the paid columns from
/// the payments when its file lacks them.
pub(crate) async fn register(context: &SessionContext) -> Result<()> {
    if has_column(context, "invoices", PAID_TOTAL).await? {
        return Ok(());
    }
    let sql = format!(
        "SELECT i.*, CAST(COALESCE(p.paid, 0) AS DECIMAL({DECIMAL_PRECISION}, {DECIMAL_SCALE})) AS {PAID_TOTAL}, \
           p.last AS {LAST_PAYMENT} FROM invoices i \
         LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid, MAX(payment_date) AS last FROM payments GROUP BY invoice_id) p \
           ON i.invoice_id = p.invoice_id"
    );
    register_view(context, "invoices", &sql).await
}

#[cfg(test)]
mod tests {
    use arrow::array::StringArray;
    use datafusion::datasource::MemTable;

    use super::*;
    use crate::files::tests::day;

    fn money(values: &[i128]) -> ArrayRef {
        let scale = 10i128.pow(DECIMAL_SCALE);
        let values = Decimal128Array::from_iter_values(values.iter().map(|v| v * scale));
        Arc::new(values.with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE as i8).unwrap())
    }

    /// The columns derived at write and those of the view over older files
    /// agree with the sums worked out by hand: I1 was paid 1000 + 800, last on
    /// 2026-10-15; I2 400 on 2026-08-19; I3 nothing.
    #[tokio::test]
    async fn paid_columns_are_those_the_payments_add_up_to() {
        let invoices = RecordBatch::try_from_iter([
            ("invoice_id", Arc::new(StringArray::from(vec!["I1", "I2", "I3"])) as ArrayRef),
            ("amount", money(&[1800, 400, 1200])),
        ])
        .unwrap();
        let days = ["2026-08-01", "2026-10-15", "2026-08-19"].map(day);
        let payments = RecordBatch::try_from_iter([
            ("payment_id", Arc::new(StringArray::from(vec!["Y1", "Y2", "Y3"])) as ArrayRef),
            ("invoice_id", Arc::new(StringArray::from(vec!["I1", "I1", "I2"]))),
            ("payment_date", Arc::new(Date32Array::from(days.to_vec()))),
            ("amount", money(&[1000, 800, 400])),
        ])
        .unwrap();
        let mut paid = Paid::default();
        // In two batches: sums carry over.
        paid.see(&payments.slice(0, 1));
        paid.see(&payments.slice(1, 2));
        let [totals, last] = paid.columns(&invoices);
        assert_eq!(totals.as_ref(), money(&[1800, 400, 0]).as_ref());
        let expected_last = Date32Array::from(vec![Some(day("2026-10-15")), Some(day("2026-08-19")), None]);
        assert_eq!(last.as_primitive::<Date32Type>(), &expected_last);

        let context = SessionContext::new();
        for (name, batch) in [("invoices", invoices), ("payments", payments)] {
            let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap();
            context.register_table(name, Arc::new(table)).unwrap();
        }
        register(&context).await.unwrap();
        let sql = format!("SELECT {PAID_TOTAL}, {LAST_PAYMENT} FROM invoices ORDER BY invoice_id");
        let viewed = crate::session::collect(&context, &sql).await.unwrap();
        assert_eq!(viewed[0].column(0).as_ref(), totals.as_ref());
        assert_eq!(viewed[0].column(1).as_primitive::<Date32Type>(), &expected_last);
    }
}
