//! Each customer's first confirmed order line, which makes it a new customer
//! of the period it falls in, credited to that line's rep and unit (SPEC §5,
//! `new_customers`): the earliest line by order date, then order id, then line
//! number.
//!
//! Finding them takes every line of every customer, ever: on 10M lines the
//! largest single part of an evaluation. So the orders file marks them
//! ([`FIRST_LINE`]), recomputed whenever the orders are written, and sessions
//! read them through the view `first_lines`: the marked lines, or the same
//! lines found by an aggregate in a slice (where a customer is new to the
//! product line, the channel or the segment) and in files written before the
//! mark existed.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap as HashMap;

use arrow::array::{Array, AsArray, BooleanBufferBuilder, RecordBatch};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{Date32Type, Int64Type};
use datafusion::prelude::SessionContext;
use yeji_ingest::checks::id_hash;
use yeji_ingest::schema::FIRST_LINE;

use crate::Result;
use crate::session::{has_column, register_view};

/// The columns of an order line that decide whether it is its customer's
/// first (its natural key among them, which tells the rows a rewrite keeps).
pub(crate) const COLUMNS: [&str; 5] = ["customer_id", "status", "order_date", "order_id", "line_no"];

/// A confirmed line's place in its customer's history: (order date, order id, line number).
type Place<'a> = (i32, &'a str, i64);

/// Finds the first line of each customer among order lines seen one batch
/// after another, and marks them by their position in that sequence.
#[derive(Default)]
pub(crate) struct FirstLines {
    /// Per customer (by its id's key, as evaluations count customers): the
    /// place and position of its first line so far.
    by_customer: HashMap<u64, (i32, String, i64, usize)>,
    seen: usize,
}

impl FirstLines {
    /// Takes in the next order lines (a batch with at least [`COLUMNS`]).
    pub fn see(&mut self, rows: &RecordBatch) {
        let seen = self.seen;
        for_each_place(rows, |row, customer, place| self.offer(id_hash(customer), place, seen + row));
        self.seen += rows.num_rows();
    }

    /// Takes in the next order lines, in stretches spread over the cores.
    pub fn see_all(&mut self, parts: &[RecordBatch]) {
        let stretches = crate::files::slices(parts, 1 << 20, self.seen);
        self.seen += parts.iter().map(RecordBatch::num_rows).sum::<usize>();
        let found = yeji_ingest::parallel::map(stretches, |(seen, stretch)| {
            let mut found = FirstLines { seen, ..FirstLines::default() };
            found.see(&stretch);
            found
        });
        // Places are unique (an order line's id and number are its key): the
        // earliest wins, whatever the order of merging.
        for (customer, (day, order, line, position)) in found.into_iter().flat_map(|found| found.by_customer) {
            self.offer(customer, (day, &order, line), position);
        }
    }

    /// Holds `place` as the customer's first line unless an earlier one is held.
    fn offer(&mut self, customer: u64, place: Place, position: usize) {
        match self.by_customer.entry(customer) {
            Entry::Occupied(held) if (held.get().0, held.get().1.as_str(), held.get().2) <= place => {}
            Entry::Occupied(mut held) => _ = held.insert((place.0, place.1.to_owned(), place.2, position)),
            Entry::Vacant(free) => _ = free.insert((place.0, place.1.to_owned(), place.2, position)),
        }
    }

    /// Whether each line seen is its customer's first, by position.
    pub fn marks(&self) -> BooleanBuffer {
        let mut marks = BooleanBufferBuilder::new(self.seen);
        marks.append_n(self.seen, false);
        self.by_customer.values().for_each(|held| marks.set_bit(held.3, true));
        marks.finish()
    }
}

/// Calls `f` with the row, customer and place of every confirmed line of
/// `rows` that has a customer, a date, an order id and a line number.
fn for_each_place<'a>(rows: &'a RecordBatch, mut f: impl FnMut(usize, &'a str, Place<'a>)) {
    let column = |name: &str| rows.column_by_name(name).expect("order lines");
    let (customers, statuses) = (column("customer_id").as_string::<i32>(), column("status").as_string::<i32>());
    let dates = column("order_date").as_primitive::<Date32Type>();
    let (orders, lines) = (column("order_id").as_string::<i32>(), column("line_no").as_primitive::<Int64Type>());
    for row in 0..rows.num_rows() {
        let present = [customers.is_valid(row), dates.is_valid(row), orders.is_valid(row), lines.is_valid(row)];
        if present.into_iter().all(|p| p) && statuses.is_valid(row) && statuses.value(row) == "confirmed" {
            f(row, customers.value(row), (dates.value(row), orders.value(row), lines.value(row)));
        }
    }
}

/// Registers the view `first_lines` (customer_id, order_date, rep_id,
/// credited_unit_id) over the session's `orders`: the marked lines when its
/// file has the marks, else those found by an aggregate.
pub(crate) async fn register(context: &SessionContext) -> Result<()> {
    let marked = has_column(context, "orders", FIRST_LINE).await?;
    register_first_lines(context, marked).await
}

/// In a slice a customer's first line is its first in the slice: found by the
/// aggregate over the slice's orders, whatever the marks say.
pub async fn register_in_slice(context: &SessionContext) -> Result<()> {
    register_first_lines(context, false).await
}

async fn register_first_lines(context: &SessionContext, marked: bool) -> Result<()> {
    let columns = "customer_id, order_date, rep_id, credited_unit_id";
    let sql = if marked {
        format!("SELECT {columns} FROM orders WHERE {FIRST_LINE}")
    } else {
        // The first day of each customer, then the first line of that day: a
        // period's filter on the view reaches the lines' scan.
        let confirmed = |table: &str| {
            let present =
                ["customer_id", "order_date", "order_id", "line_no"].map(|c| format!("{table}{c} IS NOT NULL"));
            format!("{table}status = 'confirmed' AND {}", present.join(" AND "))
        };
        let first = |column: &str| format!("first_value(o.{column} ORDER BY o.order_id, o.line_no) AS {column}");
        format!(
            "SELECT o.customer_id, o.order_date, {}, {} FROM orders o \
             JOIN (SELECT customer_id, MIN(order_date) AS day FROM orders WHERE {} GROUP BY customer_id) f \
               ON o.customer_id = f.customer_id AND o.order_date = f.day \
             WHERE {} GROUP BY o.customer_id, o.order_date",
            first("rep_id"),
            first("credited_unit_id"),
            confirmed(""),
            confirmed("o.")
        )
    };
    register_view(context, "first_lines", &sql).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Date32Array, Int64Array, StringArray};
    use datafusion::datasource::MemTable;

    use super::*;
    use crate::files::tests::day;

    /// Order lines: (customer, status, date, order, line, rep, unit).
    type Line = (Option<&'static str>, &'static str, &'static str, &'static str, i64, &'static str, &'static str);

    fn lines(rows: &[Line]) -> RecordBatch {
        let text = |f: fn(&Line) -> &'static str| Arc::new(rows.iter().map(f).map(Some).collect::<StringArray>());
        RecordBatch::try_from_iter_with_nullable([
            ("customer_id", Arc::new(rows.iter().map(|r| r.0).collect::<StringArray>()) as ArrayRef, true),
            ("status", text(|r| r.1), true),
            ("order_date", Arc::new(Date32Array::from_iter_values(rows.iter().map(|r| day(r.2)))), true),
            ("order_id", text(|r| r.3), true),
            ("line_no", Arc::new(rows.iter().map(|r| r.4).collect::<Int64Array>()), true),
            ("rep_id", text(|r| r.5), true),
            ("credited_unit_id", text(|r| r.6), true),
        ])
        .unwrap()
    }

    async fn first_lines_of(batches: Vec<RecordBatch>) -> Vec<Vec<String>> {
        let context = SessionContext::new();
        let table = MemTable::try_new(batches[0].schema(), vec![batches]).unwrap();
        context.register_table("orders", Arc::new(table)).unwrap();
        register(&context).await.unwrap();
        let sql =
            "SELECT customer_id, CAST(order_date AS VARCHAR), rep_id, credited_unit_id FROM first_lines ORDER BY 1";
        let mut rows = Vec::new();
        for batch in crate::session::collect(&context, sql).await.unwrap() {
            let column = |c: usize| batch.column(c).as_string::<i32>();
            for row in 0..batch.num_rows() {
                rows.push(
                    (0..4)
                        .map(|c| if column(c).is_valid(row) { column(c).value(row).to_owned() } else { String::new() })
                        .collect(),
                );
            }
        }
        rows
    }

    /// The marks and the aggregate find the same lines, those worked out by
    /// hand: the earliest confirmed line by date, then order id (compared as
    /// text: "O10" < "O2"), then line number; returned and cancelled lines and
    /// lines without a customer never count.
    #[tokio::test]
    async fn marked_first_lines_are_those_the_aggregate_finds() {
        let seen_first: Vec<Line> = vec![
            (Some("K1"), "confirmed", "2026-07-05", "O2", 1, "R1", "T1"),
            (Some("K1"), "confirmed", "2026-07-05", "O10", 2, "R2", "T2"),
            (Some("K1"), "returned", "2026-07-01", "RT1", 1, "R1", "T1"),
            (Some("K2"), "cancelled", "2026-06-01", "O3", 1, "R1", "T1"),
            (Some("K4"), "confirmed", "2026-07-10", "O7", 1, "R2", "T2"),
        ];
        let seen_next: Vec<Line> = vec![
            (Some("K1"), "confirmed", "2026-07-05", "O10", 1, "R3", "T3"),
            (Some("K2"), "confirmed", "2026-08-01", "O4", 1, "R2", "T2"),
            (Some("K3"), "returned", "2026-08-02", "RT2", 1, "R2", "T2"),
            (None, "confirmed", "2026-08-03", "O5", 1, "R1", "T1"),
            (Some("K4"), "confirmed", "2025-01-01", "O6", 1, "R1", "T1"),
        ];
        let batches = [lines(&seen_first), lines(&seen_next)];
        let mut first = FirstLines::default();
        batches.iter().for_each(|b| first.see(b));
        // A customer's first line may come in a later batch than its others.
        let marks = first.marks();
        assert_eq!(marks.iter().collect::<Vec<_>>(), [[false; 5], [true, true, false, false, true]].concat());
        // Seen over the cores, after the first batch: the same marks.
        let mut spread = FirstLines::default();
        spread.see(&batches[0]);
        spread.see_all(&batches[1..]);
        assert_eq!(spread.marks(), marks);

        let expected =
            [["K1", "2026-07-05", "R3", "T3"], ["K2", "2026-08-01", "R2", "T2"], ["K4", "2025-01-01", "R1", "T1"]];
        let expected: Vec<Vec<String>> = expected.iter().map(|r| r.map(str::to_owned).to_vec()).collect();
        assert_eq!(first_lines_of(batches.to_vec()).await, expected);
        let with_marks: Vec<RecordBatch> = batches
            .iter()
            .zip([0, 5])
            .map(|(b, start)| {
                let mut columns = b.columns().to_vec();
                columns.push(Arc::new(arrow::array::BooleanArray::new(marks.slice(start, 5), None)));
                let mut fields: Vec<_> = b.schema().fields().iter().cloned().collect();
                fields.push(Arc::new(arrow::datatypes::Field::new(
                    FIRST_LINE,
                    arrow::datatypes::DataType::Boolean,
                    true,
                )));
                RecordBatch::try_new(Arc::new(arrow::datatypes::Schema::new(fields)), columns).unwrap()
            })
            .collect();
        assert_eq!(first_lines_of(with_marks).await, expected);
    }
}
