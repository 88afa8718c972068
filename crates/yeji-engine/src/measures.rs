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
use yeji_core::Period;
use yeji_core::kpi::Measure;

use crate::Result;
use crate::query::query_error;

/// Who a measure belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKey {
    Rep(String),
    Unit(String),
}

/// The org tree: each unit's parent and kind, and each rep's unit at the end
/// of the period.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub parent: HashMap<String, Option<String>>,
    pub kind: HashMap<String, Option<String>>,
    pub rep_unit: HashMap<String, String>,
}

impl Tree {
    /// The unit and every unit above it (a cycle-safe walk).
    pub fn ancestors<'a>(&'a self, unit: &'a str) -> Vec<&'a str> {
        let mut out = vec![unit];
        let mut current = unit;
        while let Some(Some(parent)) = self.parent.get(current) {
            if out.contains(&parent.as_str()) || out.len() > self.parent.len() {
                break;
            }
            out.push(parent);
            current = parent;
        }
        out
    }

    /// The nearest unit of kind `region` at or above `unit`.
    pub fn region_of<'a>(&'a self, unit: &'a str) -> Option<&'a str> {
        self.ancestors(unit).into_iter().find(|u| self.kind.get(*u).and_then(|k| k.as_deref()) == Some("region"))
    }
}

/// Measures of every entity. Entities are numbered once, and every cell
/// knows the entities it counts for, so rolling up allocates nothing per row.
/// Distinct members (customers, orders) are listed as (entity, 64-bit hash)
/// sightings and counted once each after sorting.
#[derive(Debug, Default)]
pub struct Measures {
    index: FxHashMap<EntityKey, usize>,
    reps: FxHashMap<String, usize>,
    /// Each unit with the units above it.
    units: FxHashMap<String, Vec<usize>>,
    /// The top units, for facts credited to no unit.
    roots: Vec<usize>,
    values: Vec<FxHashMap<Measure, f64>>,
    /// (measure, entity, member) for each distinct member an entity counts.
    sightings: Vec<(Measure, usize, u64)>,
}

impl Measures {
    fn new(tree: &Tree) -> Measures {
        let mut measures = Measures::default();
        let mut units: Vec<&String> = tree.parent.keys().collect();
        units.sort();
        let mut reps: Vec<&String> = tree.rep_unit.keys().collect();
        reps.sort();
        let keys = units
            .iter()
            .map(|u| EntityKey::Unit((*u).clone()))
            .chain(reps.iter().map(|r| EntityKey::Rep((*r).clone())));
        for (position, key) in keys.enumerate() {
            if let EntityKey::Rep(rep) = &key {
                measures.reps.insert(rep.clone(), position);
            }
            measures.index.insert(key, position);
        }
        for unit in units {
            let ancestors = tree
                .ancestors(unit)
                .iter()
                .filter_map(|u| measures.index.get(&EntityKey::Unit((*u).to_owned())).copied())
                .collect();
            measures.units.insert(unit.clone(), ancestors);
        }
        measures.roots = tree
            .parent
            .iter()
            .filter(|(_, p)| p.is_none())
            .filter_map(|(u, _)| measures.index.get(&EntityKey::Unit(u.clone())).copied())
            .collect();
        measures.values = vec![FxHashMap::default(); measures.index.len()];
        measures
    }

    pub fn get(&self, entity: &EntityKey, measure: Measure) -> f64 {
        let Some(&at) = self.index.get(entity) else { return 0.0 };
        self.values[at].get(&measure).copied().unwrap_or(0.0)
    }

    /// Counts each entity's distinct members, and the customers it kept from
    /// the previous period (those in both its lists). The sightings are
    /// dropped: nobody reading the measures needs the members, and an
    /// evaluation kept for explanations would otherwise hold millions of them.
    fn count_members(&mut self) {
        let mut sightings = std::mem::take(&mut self.sightings);
        sightings.sort_unstable();
        sightings.dedup();
        for (measure, at, _) in &sightings {
            *self.values[*at].entry(*measure).or_default() += 1.0;
        }
        let of = |measure: Measure| {
            let (from, to) =
                (sightings.partition_point(|s| s.0 < measure), sightings.partition_point(|s| s.0 <= measure));
            sightings[from..to].iter().map(|(_, at, member)| (*at, *member)).peekable()
        };
        let (mut now, mut before) = (of(Measure::Customers), of(Measure::PreviousCustomers));
        while let (Some(a), Some(b)) = (now.peek(), before.peek()) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => _ = now.next(),
                std::cmp::Ordering::Greater => _ = before.next(),
                std::cmp::Ordering::Equal => {
                    *self.values[a.0].entry(Measure::RetainedCustomers).or_default() += 1.0;
                    now.next();
                    before.next();
                }
            }
        }
    }

    /// The entities a (rep, credited unit) cell counts for: the rep and every
    /// unit above the unit (a fact without a unit counts for the company).
    fn cell(&self, rep: Option<&str>, unit: Option<&str>) -> impl Iterator<Item = usize> + '_ {
        let above = match unit {
            Some(unit) => self.units.get(unit).map_or(&[][..], Vec::as_slice),
            None => &self.roots,
        };
        rep.and_then(|r| self.reps.get(r)).copied().into_iter().chain(above.iter().copied())
    }

    fn add(&mut self, rep: Option<&str>, unit: Option<&str>, measure: Measure, value: f64) {
        for at in self.cell(rep, unit).collect::<Vec<_>>() {
            *self.values[at].entry(measure).or_default() += value;
        }
    }

    /// Adds members (ids' keys, see `query::id_key`) to the cell's entities.
    fn insert(&mut self, rep: Option<&str>, unit: Option<&str>, members: &[(Measure, u64)]) {
        let mut sightings = std::mem::take(&mut self.sightings);
        for at in self.cell(rep, unit) {
            sightings.extend(members.iter().map(|(measure, member)| (*measure, at, *member)));
        }
        self.sightings = sightings;
    }

    /// Sets a value for one entity only (targets are not summed up the tree).
    fn set(&mut self, entity: &EntityKey, measure: Measure, value: f64) {
        if let Some(&at) = self.index.get(entity) {
            *self.values[at].entry(measure).or_default() += value;
        }
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
    let batches = crate::query::collect(context, query).await?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        rows,
        query = &query[..query.len().min(60)],
        "measure query"
    );
    Ok(batches)
}

fn date(day: chrono::NaiveDate) -> String {
    format!("DATE '{day}'")
}

/// A text cell of a result, `None` when null.
fn text(batch: &RecordBatch, column: usize, row: usize) -> Option<&str> {
    let array = batch.column(column).as_string::<i32>();
    array.is_valid(row).then(|| array.value(row))
}

fn number(batch: &RecordBatch, column: usize, row: usize) -> f64 {
    let array = batch.column(column);
    if array.is_null(row) {
        return 0.0;
    }
    match array.data_type() {
        arrow::datatypes::DataType::Int64 => array.as_primitive::<Int64Type>().value(row) as f64,
        _ => array.as_primitive::<Float64Type>().value(row),
    }
}

/// `start <= column < end` for a period.
fn within(column: &str, period: &Period) -> String {
    format!("{column} >= {} AND {column} < {}", date(period.start()), date(period.end_exclusive()))
}

/// Computes every measure for period `period`.
pub async fn compute(context: &SessionContext, tree: &Tree, period: &Period) -> Result<Measures> {
    let mut measures = Measures::new(tree);
    let (year_ago, previous) = (period.year_ago(), period.previous());
    let end = period.end_exclusive();

    let overdue_before = date(yeji_core::kpi::overdue_before(period));
    // Sums over cells: (query, measures in columns 2..).
    let sums: Vec<(String, Vec<Measure>)> = vec![
        (
            format!(
                "SELECT rep_id, credited_unit_id, \
                   CAST(SUM(CASE WHEN {cur} THEN amount END) AS DOUBLE), \
                   CAST(SUM(CASE WHEN {cur} THEN cost END) AS DOUBLE), \
                   CAST(SUM(CASE WHEN {ya} THEN amount END) AS DOUBLE), \
                   CAST(SUM(CASE WHEN {prev} THEN amount END) AS DOUBLE) \
                 FROM orders WHERE status IN ('confirmed', 'returned') AND (({cur}) OR ({ya}) OR ({prev})) \
                 GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
                cur = within("order_date", period),
                ya = within("order_date", &year_ago),
                prev = within("order_date", &previous),
            ),
            vec![Measure::Revenue, Measure::Cost, Measure::RevenueYearAgo, Measure::RevenuePrevious],
        ),
        (
            format!(
                "SELECT rep_id, credited_unit_id, CAST(SUM(amount) AS DOUBLE) FROM expenses WHERE {} GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
                within("date", period)
            ),
            vec![Measure::Expenses],
        ),
        (
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
                   CAST(SUM(CASE WHEN {due} THEN amount END) AS DOUBLE), \
                   CAST(SUM(CASE WHEN {due} THEN paid END) AS DOUBLE), \
                   CAST(SUM(CASE WHEN due_date < {limit} AND amount > paid THEN amount - paid END) AS DOUBLE) \
                 FROM owed GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
                end = date(end),
                due = within("due_date", period),
                limit = overdue_before,
            ),
            vec![Measure::Due, Measure::Collected, Measure::Overdue],
        ),
        (
            format!(
                "SELECT rep_id, credited_unit_id, CAST(SUM(score / scale * 100) AS DOUBLE), COUNT(*) FROM surveys WHERE {} \
                 GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
                within("date", period)
            ),
            vec![Measure::SatisfactionPoints, Measure::Surveys],
        ),
        (
            format!(
                "SELECT rep_id, credited_unit_id, COUNT(*) FROM activities WHERE {} GROUP BY rep_id, credited_unit_id ORDER BY 1, 2",
                within("date", period)
            ),
            vec![Measure::Activities],
        ),
        (
            funnel_query(period),
            vec![
                Measure::Leads,
                Measure::Qualified,
                Measure::Proposals,
                Measure::Negotiations,
                Measure::Won,
                Measure::Lost,
                Measure::WonCycleDays,
                Measure::OpenPipeline,
            ],
        ),
    ];
    // Every query starts now and they run side by side: each leaves cores idle
    // in its serial stages (hash-table builds, final merges) that the others use.
    let sums: Vec<_> = sums.into_iter().map(|(query, columns)| (spawn(context, query), columns)).collect();
    // Distinct customers (this period and the previous one) and orders, as
    // members, from one scan: the confirmed orders of both periods.
    let members = format!(
        "SELECT DISTINCT rep_id, credited_unit_id, id_key(customer_id), id_key(order_id), order_date >= {start} \
         FROM orders WHERE status = 'confirmed' AND order_date >= {previous_start} AND order_date < {end}",
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

    for batch in members.rows().await? {
        let key = |column: usize, row: usize| batch.column(column).as_primitive::<Int64Type>().value(row) as u64;
        let current = batch.column(4).as_boolean();
        for row in 0..batch.num_rows() {
            let (rep, unit) = (text(&batch, 0, row), text(&batch, 1, row));
            if current.value(row) {
                measures.insert(rep, unit, &[(Measure::Customers, key(2, row)), (Measure::Orders, key(3, row))]);
            } else {
                measures.insert(rep, unit, &[(Measure::PreviousCustomers, key(2, row))]);
            }
        }
    }
    for batch in new_customers.rows().await? {
        let customers = batch.column(2).as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            let customer = customers.value(row) as u64;
            measures.insert(text(&batch, 0, row), text(&batch, 1, row), &[(Measure::NewCustomers, customer)]);
        }
    }
    // The sums last: the receivables join finishes last, and the members are
    // counted while it runs.
    measures.count_members();
    for (query, columns) in sums {
        for batch in query.rows().await? {
            for row in 0..batch.num_rows() {
                let (rep, unit) = (text(&batch, 0, row), text(&batch, 1, row));
                for (offset, measure) in columns.iter().enumerate() {
                    measures.add(rep, unit, *measure, number(&batch, 2 + offset, row));
                }
            }
        }
    }
    add_targets(context, &mut measures, period).await?;
    add_market_sizes(context, &mut measures, tree, period).await?;
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
           SUM(CASE WHEN {created} THEN 1 ELSE 0 END), \
           SUM(CASE WHEN {created} AND {qualified} THEN 1 ELSE 0 END), \
           SUM(CASE WHEN {created} AND {proposal} THEN 1 ELSE 0 END), \
           SUM(CASE WHEN {created} AND {negotiation} THEN 1 ELSE 0 END), \
           SUM(CASE WHEN {closed} AND outcome = 'won' THEN 1 ELSE 0 END), \
           SUM(CASE WHEN {closed} AND outcome = 'lost' THEN 1 ELSE 0 END), \
           CAST(SUM(CASE WHEN {closed} AND outcome = 'won' THEN CAST(closed_date AS INT) - CAST(created_date AS INT) END) AS DOUBLE), \
           CAST(SUM(CASE WHEN created_date < {end} AND (closed_date IS NULL OR closed_date >= {end}) THEN amount END) AS DOUBLE) \
         FROM opportunities GROUP BY rep_id, credited_unit_id ORDER BY 1, 2"
    )
}

/// Revenue targets for exactly this period and for the next one (pipeline coverage).
async fn add_targets(context: &SessionContext, measures: &mut Measures, period: &Period) -> Result<()> {
    let next = period.next();
    let query = format!(
        "SELECT entity_id, level, period, CAST(SUM(value) AS DOUBLE) FROM targets \
         WHERE metric = 'revenue' AND product_line IS NULL AND period IN ('{period}', '{next}') GROUP BY entity_id, level, period"
    );
    for batch in sql(context, &query).await? {
        for row in 0..batch.num_rows() {
            let id = text(&batch, 0, row).unwrap_or_default().to_owned();
            let entity = if text(&batch, 1, row) == Some("rep") { EntityKey::Rep(id) } else { EntityKey::Unit(id) };
            let measure = if text(&batch, 2, row) == Some(&period.to_string()) {
                Measure::RevenueTarget
            } else {
                Measure::RemainingNextTarget
            };
            measures.set(&entity, measure, number(&batch, 3, row));
        }
    }
    Ok(())
}

/// The market an entity sells into: its region's market size for the period
/// (a rep: the region of its unit; the company: the whole market).
async fn add_market_sizes(
    context: &SessionContext,
    measures: &mut Measures,
    tree: &Tree,
    period: &Period,
) -> Result<()> {
    let query = format!(
        "SELECT region, CAST(SUM(market_size) AS DOUBLE) FROM market WHERE period = '{period}' GROUP BY region ORDER BY 1"
    );
    let mut by_region: HashMap<String, f64> = HashMap::new();
    let mut total = 0.0;
    for batch in sql(context, &query).await? {
        for row in 0..batch.num_rows() {
            let size = number(&batch, 1, row);
            total += size;
            if let Some(region) = text(&batch, 0, row) {
                by_region.insert(region.to_owned(), size);
            }
        }
    }
    if total == 0.0 {
        return Ok(());
    }
    for (unit, parent) in &tree.parent {
        let size = match parent {
            None => Some(total),
            Some(_) => tree.region_of(unit).and_then(|r| by_region.get(r).copied()),
        };
        if let Some(size) = size {
            measures.set(&EntityKey::Unit(unit.clone()), Measure::MarketSize, size);
        }
    }
    for (rep, unit) in &tree.rep_unit {
        if let Some(size) = tree.region_of(unit).and_then(|r| by_region.get(r).copied()) {
            measures.set(&EntityKey::Rep(rep.clone()), Measure::MarketSize, size);
        }
    }
    Ok(())
}
