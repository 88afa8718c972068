//! Computing the measures of SPEC §5 for every rep, unit and the company in a
//! period: DataFusion aggregates the facts once per (rep, credited unit) cell,
//! and the cells roll up the org tree (each cell adds to its rep and to every
//! unit above its credited unit). Distinct counts roll up as members, so a
//! unit's customers are counted once even when several of its reps sold to them.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, Int64Type};
use datafusion::prelude::SessionContext;
use yeji_core::kpi::Measure;
use yeji_core::market::{MarketRow, market_size};
use yeji_core::{Org, Period};

use crate::members::{Seen, SeenTwice};
use crate::{EvalError, Result, query_error};

/// The order lines that make revenue (SPEC §5): confirmed lines and returns
/// (negative lines); cancelled lines count nowhere. Measures, analysis,
/// slices and the rows behind a value all select them by this condition.
pub(crate) const REVENUE_LINES: &str = "status IN ('confirmed', 'returned')";

/// The lines that count a customer or an order: confirmed ones only.
pub(crate) const CONFIRMED_LINES: &str = "status = 'confirmed'";

/// Who a measure belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKey {
    Rep(String),
    Unit(String),
}

/// Measures of every entity. Entities are numbered once, and every cell
/// (rep, credited unit) knows the entities it counts for, so rolling up
/// allocates nothing per row. Distinct members (customers, orders) are
/// counted once per entity by [`crate::members`].
#[derive(Debug, Default)]
pub struct Measures {
    index: FxHashMap<EntityKey, usize>,
    reps: FxHashMap<String, usize>,
    /// Each unit with the units above it (itself first).
    units: FxHashMap<String, Vec<usize>>,
    /// The top units, for facts credited to no unit.
    roots: Vec<usize>,
    /// The cell of a (rep, unit) pair: the positions of the rep and the unit
    /// (`NO_UNIT` and `UNKNOWN_UNIT` for facts credited to no or an unknown unit).
    cells: FxHashMap<(Option<usize>, usize), u32>,
    /// Each cell's entities: the rep, then its unit and those above.
    cell_entities: Vec<Vec<usize>>,
    values: Vec<FxHashMap<Measure, f64>>,
    orders: Seen,
    new_customers: Seen,
    customers: SeenTwice,
}

const NO_UNIT: usize = usize::MAX;
const UNKNOWN_UNIT: usize = usize::MAX - 1;

impl Measures {
    fn new(org: &Org) -> Measures {
        let mut measures = Measures::default();
        let units: Vec<&str> = org.units().map(|u| u.id.as_str()).collect();
        let keys = units
            .iter()
            .map(|u| EntityKey::Unit((*u).to_owned()))
            .chain(org.rep_ids().into_iter().map(|r| EntityKey::Rep(r.to_owned())));
        for (position, key) in keys.enumerate() {
            if let EntityKey::Rep(rep) = &key {
                measures.reps.insert(rep.clone(), position);
            }
            measures.index.insert(key, position);
        }
        for unit in units {
            let ancestors = org
                .ancestors(unit)
                .iter()
                .filter_map(|u| measures.index.get(&EntityKey::Unit((*u).to_owned())).copied())
                .collect();
            measures.units.insert(unit.to_owned(), ancestors);
        }
        measures.roots =
            org.roots().filter_map(|u| measures.index.get(&EntityKey::Unit(u.to_owned())).copied()).collect();
        measures.values = vec![FxHashMap::default(); measures.index.len()];
        measures
    }

    pub fn get(&self, entity: &EntityKey, measure: Measure) -> f64 {
        let Some(&at) = self.index.get(entity) else { return 0.0 };
        self.values[at].get(&measure).copied().unwrap_or(0.0)
    }

    /// The cell of a fact credited to `rep` and `unit`: it counts for the rep
    /// and every unit above the unit (a fact without a unit counts for the company).
    fn cell(&mut self, rep: Option<&str>, unit: Option<&str>) -> u32 {
        let rep = rep.and_then(|r| self.reps.get(r)).copied();
        let above = match unit {
            None => None,
            Some(unit) => Some(self.units.get(unit)),
        };
        let unit_key = match above {
            None => NO_UNIT,
            Some(Some(ancestors)) => ancestors.first().copied().unwrap_or(UNKNOWN_UNIT),
            Some(None) => UNKNOWN_UNIT,
        };
        if let Some(&cell) = self.cells.get(&(rep, unit_key)) {
            return cell;
        }
        let above: &[usize] = match above {
            None => &self.roots,
            Some(ancestors) => ancestors.map_or(&[], Vec::as_slice),
        };
        let mut entities: Vec<usize> = rep.into_iter().chain(above.iter().copied()).collect();
        entities.sort_unstable();
        let cell = self.cell_entities.len() as u32;
        self.cell_entities.push(entities);
        self.cells.insert((rep, unit_key), cell);
        cell
    }

    fn add(&mut self, rep: Option<&str>, unit: Option<&str>, measure: Measure, value: f64) {
        let cell = self.cell(rep, unit) as usize;
        for &at in &self.cell_entities[cell] {
            *self.values[at].entry(measure).or_default() += value;
        }
    }

    /// Counts each entity's distinct members (customers now and before, and
    /// those kept; orders; new customers). The sightings are dropped: nobody
    /// reading the measures needs the members, and an evaluation kept for
    /// explanations would otherwise hold millions of them.
    fn count_members(&mut self) {
        let cells = &self.cell_entities;
        let tally = |counts: &mut Vec<f64>, of: &[usize]| of.iter().for_each(|at| counts[*at] += 1.0);
        let zero = || vec![0.0; self.values.len()];
        let (mut orders, mut new_customers) = (zero(), zero());
        let (mut customers, mut previous, mut retained) = (zero(), zero(), zero());
        // The orders on one core, the customers on the other.
        std::thread::scope(|scope| {
            let (seen_orders, seen_new) = (std::mem::take(&mut self.orders), std::mem::take(&mut self.new_customers));
            let (orders, new_customers) = (&mut orders, &mut new_customers);
            scope.spawn(move || {
                seen_orders.for_each(cells, |of| tally(orders, of));
                seen_new.for_each(cells, |of| tally(new_customers, of));
            });
            std::mem::take(&mut self.customers).for_each(cells, |now, before, both| {
                tally(&mut customers, now);
                tally(&mut previous, before);
                tally(&mut retained, both);
            });
        });
        let counted = [
            (Measure::Orders, orders),
            (Measure::NewCustomers, new_customers),
            (Measure::Customers, customers),
            (Measure::PreviousCustomers, previous),
            (Measure::RetainedCustomers, retained),
        ];
        for (measure, counts) in counted {
            for (values, count) in self.values.iter_mut().zip(counts).filter(|(_, c)| *c > 0.0) {
                *values.entry(measure).or_default() += count;
            }
        }
    }

    /// Takes in the rows of the members query: (rep key, unit key, customer
    /// key, order key, in the period).
    fn see_members(&mut self, org: &Org, batches: &[RecordBatch]) {
        let by_key = IdsByKey::of(org);
        let mut cells: FxHashMap<(Option<i64>, Option<i64>), u32> = FxHashMap::default();
        for batch in batches {
            let keys: Vec<&arrow::array::Int64Array> =
                (0..4).map(|c| batch.column(c).as_primitive::<Int64Type>()).collect();
            let values: Vec<&[i64]> = keys.iter().map(|k| k.values().as_ref()).collect();
            let (reps, units) = (keys[0], keys[1]);
            let now = batch.column(4).as_boolean();
            for row in 0..batch.num_rows() {
                // The lines of an order mostly follow each other: a line like
                // the one before adds nothing (other repeats go when counting).
                let repeat = row > 0
                    && values.iter().all(|v| v[row] == v[row - 1])
                    && now.value(row) == now.value(row - 1)
                    && units.is_valid(row) == units.is_valid(row - 1);
                if repeat {
                    continue;
                }
                let key = (reps.is_valid(row).then(|| values[0][row]), units.is_valid(row).then(|| values[1][row]));
                let cell = match cells.get(&key) {
                    Some(cell) => *cell,
                    None => {
                        let rep = key.0.and_then(|k| by_key.reps.get(&(k as u64))).map(String::as_str);
                        let unit = key.1.map(|k| by_key.units.get(&(k as u64)).map_or("", String::as_str));
                        let cell = self.cell(rep, unit);
                        cells.insert(key, cell);
                        cell
                    }
                };
                self.customers.add(values[2][row] as u64, now.value(row), cell);
                if now.value(row) {
                    self.orders.add(values[3][row] as u64, cell);
                }
            }
        }
    }

    /// Sets a value for one entity only (targets are not summed up the tree).
    fn set(&mut self, entity: &EntityKey, measure: Measure, value: f64) {
        if let Some(&at) = self.index.get(entity) {
            *self.values[at].entry(measure).or_default() += value;
        }
    }
}

/// The reps' and units' ids by their keys (`id_key`): the members query
/// groups by the keys, which DataFusion hashes faster than the texts.
struct IdsByKey {
    reps: FxHashMap<u64, String>,
    units: FxHashMap<u64, String>,
}

impl IdsByKey {
    fn of(org: &Org) -> IdsByKey {
        let keyed = |ids: Vec<&str>| ids.into_iter().map(|id| (yeji_facts::id_key(id), id.to_owned())).collect();
        IdsByKey { reps: keyed(org.rep_ids()), units: keyed(org.units().map(|u| u.id.as_str()).collect()) }
    }
}

/// A query running on its own task; stopped when dropped unfinished (another
/// query of the evaluation failed), so it does not hold the cores for nothing.
struct Running(tokio::task::JoinHandle<Result<Vec<RecordBatch>>>);

impl Running {
    async fn rows(mut self) -> Result<Vec<RecordBatch>> {
        (&mut self.0).await.map_err(query_error)?
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts a query on its own task.
fn spawn(context: &SessionContext, query: String) -> Running {
    let context = context.clone();
    Running(tokio::spawn(async move { sql(&context, &query).await }))
}

async fn sql(context: &SessionContext, query: &str) -> Result<Vec<RecordBatch>> {
    let started = std::time::Instant::now();
    let batches = yeji_facts::collect(context, query).await?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        rows,
        query = &query[..query.len().min(60)],
        "measure query"
    );
    Ok(batches)
}

pub(crate) fn date(day: chrono::NaiveDate) -> String {
    format!("DATE '{day}'")
}

/// A text cell of a result, `None` when null.
fn text(column: &dyn Array, row: usize) -> Option<&str> {
    let array = column.as_string::<i32>();
    array.is_valid(row).then(|| array.value(row))
}

fn number(array: &dyn Array, row: usize) -> f64 {
    if array.is_null(row) {
        return 0.0;
    }
    match array.data_type() {
        arrow::datatypes::DataType::Int64 => array.as_primitive::<Int64Type>().value(row) as f64,
        _ => array.as_primitive::<Float64Type>().value(row),
    }
}

/// `start <= column < end` for a period.
pub(crate) fn within(column: &str, period: &Period) -> String {
    format!("{column} >= {} AND {column} < {}", date(period.start()), date(period.end_exclusive()))
}

/// The columns of a result per (rep, credited unit) cell: the two keys, then
/// measures, each column named by its measure.
struct Cells<'a> {
    reps: &'a dyn Array,
    units: &'a dyn Array,
    measures: Vec<(Measure, &'a dyn Array)>,
}

impl<'a> Cells<'a> {
    fn of(batch: &'a RecordBatch) -> Result<Cells<'a>> {
        let column = |name: &str| {
            batch.column_by_name(name).map(|c| c.as_ref()).ok_or_else(|| query_error(format!("no column {name}")))
        };
        let mut measures = Vec::new();
        for (field, array) in batch.schema_ref().fields().iter().zip(batch.columns()) {
            if field.name() != "rep_id" && field.name() != "credited_unit_id" {
                let measure = Measure::from_name(field.name())
                    .ok_or_else(|| query_error(format!("column {} is not a measure", field.name())))?;
                measures.push((measure, array.as_ref()));
            }
        }
        Ok(Cells { reps: column("rep_id")?, units: column("credited_unit_id")?, measures })
    }
}

/// Every measure of every entity in `period`, given its targets.
pub(crate) async fn compute(
    context: &SessionContext,
    org: &Org,
    period: &Period,
    fiscal_first_month: u32,
    targets: &crate::evaluate::Targets,
) -> Result<Measures> {
    let mut measures = Measures::new(org);
    let (year_ago, previous) = (period.year_ago(), period.previous());
    let end = period.end_exclusive();
    let overdue_before = date(yeji_core::kpi::overdue_before(period));
    // Sums per cell, each column named by its measure. A year's previous
    // period is the same year a year ago: its revenue is asked for once.
    let previous_revenue = if previous == year_ago {
        String::new()
    } else {
        format!(
            ", CAST(SUM(CASE WHEN {prev} THEN amount END) AS DOUBLE) AS revenue_previous",
            prev = within("order_date", &previous)
        )
    };
    let sums = vec![
        format!(
            "SELECT rep_id, credited_unit_id, \
               CAST(SUM(CASE WHEN {cur} THEN amount END) AS DOUBLE) AS revenue, \
               CAST(SUM(CASE WHEN {cur} THEN cost END) AS DOUBLE) AS cost, \
               CAST(SUM(CASE WHEN {ya} THEN amount END) AS DOUBLE) AS revenue_year_ago{previous_revenue} \
             FROM orders WHERE {REVENUE_LINES} AND (({cur}) OR ({ya}) OR ({prev})) \
             GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
            cur = within("order_date", period),
            ya = within("order_date", &year_ago),
            prev = within("order_date", &previous),
        ),
        format!(
            "SELECT rep_id, credited_unit_id, CAST(SUM(amount) AS DOUBLE) AS expenses FROM expenses WHERE {} \
             GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
            within("date", period)
        ),
        // Receivables: invoices due in P with what was paid on them by its
        // end, and the unpaid rest of those more than 30 days past due on
        // its last day. Paid by the end is an invoice's total when its last
        // payment came before (see `paid`); only those paid later meet
        // their payments, by the id's key.
        format!(
            "WITH i AS (SELECT rep_id, credited_unit_id, invoice_id, due_date, amount, paid_total, last_payment_date \
               FROM invoices WHERE ({due}) OR due_date < {limit}), \
             late AS (SELECT id_key(invoice_id) AS invoice, SUM(amount) AS paid FROM payments \
               WHERE payment_date < {end} \
                 AND id_key(invoice_id) IN (SELECT id_key(invoice_id) FROM i WHERE last_payment_date >= {end}) \
               GROUP BY invoice), \
             owed AS (SELECT rep_id, credited_unit_id, due_date, amount, paid_total AS paid FROM i \
                 WHERE last_payment_date IS NULL OR last_payment_date < {end} \
               UNION ALL SELECT i.rep_id, i.credited_unit_id, i.due_date, i.amount, COALESCE(l.paid, 0) FROM i \
                 LEFT JOIN late l ON id_key(i.invoice_id) = l.invoice WHERE i.last_payment_date >= {end}) \
             SELECT rep_id, credited_unit_id, \
               CAST(SUM(CASE WHEN {due} THEN amount END) AS DOUBLE) AS due, \
               CAST(SUM(CASE WHEN {due} THEN paid END) AS DOUBLE) AS collected, \
               CAST(SUM(CASE WHEN due_date < {limit} AND amount > paid THEN amount - paid END) AS DOUBLE) AS overdue \
             FROM owed GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
            end = date(end),
            due = within("due_date", period),
            limit = overdue_before,
        ),
        format!(
            "SELECT rep_id, credited_unit_id, CAST(SUM(score / scale * 100) AS DOUBLE) AS satisfaction_points, \
               COUNT(*) AS surveys FROM surveys WHERE {} GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
            within("date", period)
        ),
        format!(
            "SELECT rep_id, credited_unit_id, COUNT(*) AS activities FROM activities WHERE {} \
             GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
            within("date", period)
        ),
        funnel_query(period),
    ];
    // Every query starts now and they run side by side: each leaves cores idle
    // in its serial stages (hash-table builds, final merges) that the others use.
    let sums: Vec<Running> = sums.into_iter().map(|query| spawn(context, query)).collect();
    // Distinct customers (this period and the previous one) and orders, as
    // members, from one scan: the confirmed orders of both periods.
    let members = format!(
        "SELECT id_key(rep_id), id_key(credited_unit_id), id_key(customer_id), id_key(order_id), \
           order_date >= {start} \
         FROM orders WHERE {CONFIRMED_LINES} AND order_date >= {previous_start} AND order_date < {end}",
        start = date(period.start()),
        previous_start = date(previous.start()),
        end = date(end),
    );
    let members = spawn(context, members);
    // A customer is new in the period of its first confirmed line (see `first_lines`).
    let new_customers = format!(
        "SELECT rep_id, credited_unit_id, id_key(customer_id) FROM first_lines WHERE {}",
        within("order_date", period)
    );
    let new_customers = spawn(context, new_customers);
    let market = spawn(context, "SELECT period, region, product_line, CAST(market_size AS DOUBLE) FROM market".into());

    measures.see_members(org, &members.rows().await?);
    for batch in new_customers.rows().await? {
        let customers = batch.column(2).as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            let cell = measures.cell(text(batch.column(0), row), text(batch.column(1), row));
            measures.new_customers.add(customers.value(row) as u64, cell);
        }
    }
    // The sums last: the receivables join finishes last, and the members are
    // counted while it runs.
    measures.count_members();
    for query in sums {
        for batch in query.rows().await? {
            let cells = Cells::of(&batch)?;
            for row in 0..batch.num_rows() {
                let (rep, unit) = (text(cells.reps, row), text(cells.units, row));
                for (measure, column) in &cells.measures {
                    measures.add(rep, unit, *measure, number(*column, row));
                }
            }
        }
    }
    if previous == year_ago {
        for values in &mut measures.values {
            if let Some(revenue) = values.get(&Measure::RevenueYearAgo).copied() {
                values.insert(Measure::RevenuePrevious, revenue);
            }
        }
    }
    for ((entity, metric), value) in &targets.current {
        if metric == "revenue" {
            measures.set(entity, Measure::RevenueTarget, *value);
        }
    }
    for (entity, value) in &targets.next_revenue {
        measures.set(entity, Measure::RemainingNextTarget, *value);
    }
    let market = market_rows(&market.rows().await?, fiscal_first_month)?;
    add_market_sizes(&mut measures, org, period, &market);
    Ok(measures)
}

fn funnel_query(period: &Period) -> String {
    let created = within("created_date", period);
    let closed = within("closed_date", period);
    // A later stage or a win implies the earlier stages were reached.
    let qualified =
        "(qualified_date IS NOT NULL OR proposal_date IS NOT NULL OR negotiation_date IS NOT NULL OR outcome = 'won')";
    let proposal = "(proposal_date IS NOT NULL OR negotiation_date IS NOT NULL OR outcome = 'won')";
    let negotiation = "(negotiation_date IS NOT NULL OR outcome = 'won')";
    let end = date(period.end_exclusive());
    format!(
        "SELECT rep_id, credited_unit_id, \
           SUM(CASE WHEN {created} THEN 1 ELSE 0 END) AS leads, \
           SUM(CASE WHEN {created} AND {qualified} THEN 1 ELSE 0 END) AS qualified, \
           SUM(CASE WHEN {created} AND {proposal} THEN 1 ELSE 0 END) AS proposals, \
           SUM(CASE WHEN {created} AND {negotiation} THEN 1 ELSE 0 END) AS negotiations, \
           SUM(CASE WHEN {created} AND outcome = 'won' THEN 1 ELSE 0 END) AS created_won, \
           SUM(CASE WHEN {closed} AND outcome = 'won' THEN 1 ELSE 0 END) AS won, \
           SUM(CASE WHEN {closed} AND outcome = 'lost' THEN 1 ELSE 0 END) AS lost, \
           CAST(SUM(CASE WHEN {closed} AND outcome = 'won' THEN CAST(closed_date AS INT) - CAST(created_date AS INT) END) AS DOUBLE) AS won_cycle_days, \
           CAST(SUM(CASE WHEN created_date < {end} AND (closed_date IS NULL OR closed_date >= {end}) THEN amount END) AS DOUBLE) AS open_pipeline \
         FROM opportunities GROUP BY rep_id, credited_unit_id ORDER BY 1, 2"
    )
}

/// The rows of market.csv (its periods as the workspace names them).
fn market_rows(batches: &[RecordBatch], fiscal_first_month: u32) -> Result<Vec<MarketRow>> {
    let mut rows = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let period = text(batch.column(0), row).unwrap_or_default();
            rows.push(MarketRow {
                period: Period::parse_fiscal(period, fiscal_first_month).map_err(EvalError::from)?,
                region: text(batch.column(1), row).map(str::to_owned),
                product_line: text(batch.column(2), row).map(str::to_owned),
                size: number(batch.column(3), row),
            });
        }
    }
    Ok(rows)
}

/// The market each entity sells into (SPEC §5): a rep's and a unit's the
/// market of their region, the company's the whole market.
fn add_market_sizes(measures: &mut Measures, org: &Org, period: &Period, rows: &[MarketRow]) {
    if rows.is_empty() {
        return;
    }
    let mut by_region: HashMap<Option<String>, Option<f64>> = HashMap::new();
    let mut size_of = |region: Option<&str>| {
        *by_region.entry(region.map(str::to_owned)).or_insert_with(|| market_size(period, rows, region))
    };
    let units: Vec<(String, Option<String>, bool)> =
        org.units().map(|u| (u.id.clone(), org.region_of(&u.id).map(str::to_owned), u.parent.is_none())).collect();
    for (unit, region, is_root) in units {
        let size = if is_root { size_of(None) } else { region.as_deref().and_then(|r| size_of(Some(r))) };
        if let Some(size) = size {
            measures.set(&EntityKey::Unit(unit), Measure::MarketSize, size);
        }
    }
    for rep in org.rep_ids() {
        let region = org.rep_unit_on(rep, Some(period.last_day())).and_then(|u| org.region_of(u));
        if let Some(size) = region.and_then(|r| size_of(Some(r))) {
            measures.set(&EntityKey::Rep(rep.to_owned()), Measure::MarketSize, size);
        }
    }
}
