//! The KPI catalogue of SPEC §5: one definition per KPI, read by computation,
//! `yeji kpis`, explanations and the API alike.
//!
//! A KPI is a formula over *measures*: sums and counts the engine computes from
//! the facts of one entity and period (`revenue` = Σ amount, `cost` = Σ cost,
//! `customers` = distinct customers with a confirmed line, …). Ratios divide
//! measures of the same rows, so a unit's ratio comes from its rows, never from
//! averaging its children's ratios.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::contract::Table;
use crate::period::Period;

/// An additive quantity the engine computes per entity and period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Σ amount of confirmed and returned order lines dated in P.
    Revenue,
    /// Σ cost of the same lines.
    Cost,
    /// Revenue of the same period one year earlier.
    RevenueYearAgo,
    /// Revenue of the previous period of the same length.
    RevenuePrevious,
    /// The revenue target for exactly P.
    RevenueTarget,
    /// Σ expenses dated in P.
    Expenses,
    /// Σ payments dated ≤ end of P on invoices due in P.
    Collected,
    /// Σ amount of invoices due in P.
    Due,
    /// Σ unpaid amount of invoices more than 30 days past due at the end of P.
    Overdue,
    /// Customers whose first confirmed order ever is in P (credited to that order's rep).
    NewCustomers,
    /// Distinct customers with a confirmed line in P.
    Customers,
    /// Customers with a confirmed line in the previous period.
    PreviousCustomers,
    /// Of those, the ones with a confirmed line in P too.
    RetainedCustomers,
    /// Σ score / scale × 100 over surveys dated in P.
    SatisfactionPoints,
    /// Surveys dated in P.
    Surveys,
    /// Market size matching the entity's region and product line.
    MarketSize,
    /// Distinct orders with a confirmed line in P.
    Orders,
    /// Activities dated in P.
    Activities,
    /// Opportunities created in P.
    Leads,
    /// Of those, reached qualified / proposal / negotiation.
    Qualified,
    Proposals,
    Negotiations,
    /// Of the opportunities created in P, those won (the funnel's last stage).
    CreatedWon,
    /// Opportunities won / lost with closed_date in P.
    Won,
    Lost,
    /// Σ (closed − created) days of opportunities won in P.
    WonCycleDays,
    /// Open opportunity amount at the end of P.
    OpenPipeline,
    /// Revenue target of the next period minus revenue already booked in it.
    RemainingNextTarget,
}

impl Measure {
    pub const ALL: [Measure; 28] = [
        Measure::Revenue,
        Measure::Cost,
        Measure::RevenueYearAgo,
        Measure::RevenuePrevious,
        Measure::RevenueTarget,
        Measure::Expenses,
        Measure::Collected,
        Measure::Due,
        Measure::Overdue,
        Measure::NewCustomers,
        Measure::Customers,
        Measure::PreviousCustomers,
        Measure::RetainedCustomers,
        Measure::SatisfactionPoints,
        Measure::Surveys,
        Measure::MarketSize,
        Measure::Orders,
        Measure::Activities,
        Measure::Leads,
        Measure::Qualified,
        Measure::Proposals,
        Measure::Negotiations,
        Measure::CreatedWon,
        Measure::Won,
        Measure::Lost,
        Measure::WonCycleDays,
        Measure::OpenPipeline,
        Measure::RemainingNextTarget,
    ];

    /// The measure's name, as explanations print it and queries name their columns.
    pub fn name(self) -> &'static str {
        use Measure::*;
        match self {
            Revenue => "revenue",
            Cost => "cost",
            RevenueYearAgo => "revenue_year_ago",
            RevenuePrevious => "revenue_previous",
            RevenueTarget => "revenue_target",
            Expenses => "expenses",
            Collected => "collected",
            Due => "due",
            Overdue => "overdue",
            NewCustomers => "new_customers",
            Customers => "customers",
            PreviousCustomers => "previous_customers",
            RetainedCustomers => "retained_customers",
            SatisfactionPoints => "satisfaction_points",
            Surveys => "surveys",
            MarketSize => "market_size",
            Orders => "orders",
            Activities => "activities",
            Leads => "leads",
            Qualified => "qualified",
            Proposals => "proposals",
            Negotiations => "negotiations",
            CreatedWon => "created_won",
            Won => "won",
            Lost => "lost",
            WonCycleDays => "won_cycle_days",
            OpenPipeline => "open_pipeline",
            RemainingNextTarget => "remaining_next_target",
        }
    }

    pub fn from_name(name: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The tables a measure is computed from: a KPI appears in an evaluation
    /// when the workspace holds rows in all the tables of its measures.
    pub fn tables(self) -> &'static [Table] {
        use Measure::*;
        match self {
            Revenue | Cost | RevenueYearAgo | RevenuePrevious | NewCustomers | Customers | PreviousCustomers
            | RetainedCustomers | Orders => &[Table::Orders],
            RevenueTarget | RemainingNextTarget => &[Table::Targets],
            Expenses => &[Table::Expenses],
            Collected | Due | Overdue => &[Table::Invoices],
            SatisfactionPoints | Surveys => &[Table::Surveys],
            MarketSize => &[Table::Market],
            Activities => &[Table::Activities],
            Leads | Qualified | Proposals | Negotiations | CreatedWon | Won | Lost | WonCycleDays | OpenPipeline => {
                &[Table::Opportunities]
            }
        }
    }
}

/// How a KPI's value follows from measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formula {
    /// The measure itself (sums and counts over no rows are 0).
    Measure(Measure),
    /// numerator / denominator; no value when the denominator is 0.
    Ratio(Measure, Measure),
    /// current / base − 1; no value when the base is 0.
    Growth(Measure, Measure),
    /// (a − b) / a, as a margin; no value when a is 0.
    Spread(Measure, Measure),
    /// a / (a + b), as a win rate; no value when both are 0.
    ShareOf(Measure, Measure),
}

impl Formula {
    pub fn measures(&self) -> Vec<Measure> {
        match *self {
            Formula::Measure(m) => vec![m],
            Formula::Ratio(a, b) | Formula::Growth(a, b) | Formula::Spread(a, b) | Formula::ShareOf(a, b) => vec![a, b],
        }
    }

    /// The measure the formula divides by (a ratio's denominator, a growth's
    /// base, a margin's revenue): how many rows a value stands on.
    pub fn base(&self) -> Option<Measure> {
        match *self {
            Formula::Ratio(_, b) | Formula::Growth(_, b) => Some(b),
            Formula::Spread(a, _) => Some(a),
            Formula::Measure(_) | Formula::ShareOf(..) => None,
        }
    }

    /// The KPI's value from its measures; `None` where SPEC §5 says "no value".
    pub fn evaluate(&self, value_of: impl Fn(Measure) -> f64) -> Option<f64> {
        let ratio = |a: f64, b: f64| (b != 0.0).then(|| a / b);
        match *self {
            Formula::Measure(m) => Some(value_of(m)),
            Formula::Ratio(a, b) => ratio(value_of(a), value_of(b)),
            Formula::Growth(a, b) => ratio(value_of(a), value_of(b)).map(|r| r - 1.0),
            Formula::Spread(a, b) => ratio(value_of(a) - value_of(b), value_of(a)),
            Formula::ShareOf(a, b) => ratio(value_of(a), value_of(a) + value_of(b)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Money,
    Ratio,
    Count,
    /// 0–100 points.
    Points,
    Days,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Money => "money",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
            Unit::Points => "points",
            Unit::Days => "days",
        }
    }
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher is better",
            Direction::LowerIsBetter => "lower is better",
        }
    }
}

/// One catalogue KPI.
#[derive(Debug, PartialEq, Serialize)]
pub struct Kpi {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The formula as a person reads it.
    pub definition: &'static str,
    #[serde(skip)]
    pub formula: Formula,
    pub unit: Unit,
    pub direction: Direction,
    /// Where the seeds define it.
    pub source: &'static str,
}

/// Invoices due before this day are more than 30 days past due on the last
/// day of `period`: the ones `overdue_amount` counts.
pub fn overdue_before(period: &Period) -> chrono::NaiveDate {
    period.last_day() - chrono::Duration::days(30)
}

use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};
use Formula::{Growth, Measure as M, Ratio, ShareOf, Spread};
use Measure as Ms;

/// One row of the catalogue table below.
#[allow(clippy::too_many_arguments)]
const fn kpi(
    id: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    definition: &'static str,
    formula: Formula,
    unit: Unit,
    direction: Direction,
    source: &'static str,
) -> Kpi {
    Kpi { id, name_zh, name_en, definition, formula, unit, direction, source }
}

/// The catalogue, in the order of SPEC §5.
pub static CATALOGUE: &[Kpi] = &[
    kpi(
        "revenue",
        "销售额",
        "Revenue",
        "Σ amount of confirmed and returned order lines dated in P",
        M(Ms::Revenue),
        Unit::Money,
        Up,
        "000 §4.2.1",
    ),
    kpi(
        "revenue_yoy",
        "同比增长率",
        "YoY growth",
        "revenue(P) / revenue(P − 1 year) − 1",
        Growth(Ms::Revenue, Ms::RevenueYearAgo),
        Unit::Ratio,
        Up,
        "000 §4.2.1",
    ),
    kpi(
        "revenue_pop",
        "环比增长率",
        "Period-over-period growth",
        "revenue(P) / revenue(previous period) − 1",
        Growth(Ms::Revenue, Ms::RevenuePrevious),
        Unit::Ratio,
        Up,
        "003 §5",
    ),
    kpi(
        "attainment",
        "目标完成率",
        "Target attainment",
        "revenue / revenue target for P",
        Ratio(Ms::Revenue, Ms::RevenueTarget),
        Unit::Ratio,
        Up,
        "002",
    ),
    kpi(
        "gross_margin",
        "销售利润率",
        "Gross margin",
        "(revenue − cost) / revenue",
        Spread(Ms::Revenue, Ms::Cost),
        Unit::Ratio,
        Up,
        "000 §4.2.2",
    ),
    kpi(
        "expense_ratio",
        "销售费用率",
        "Selling expense ratio",
        "expenses / revenue",
        Ratio(Ms::Expenses, Ms::Revenue),
        Unit::Ratio,
        Down,
        "000 §1.2.4",
    ),
    kpi(
        "collection_rate",
        "销售回款率",
        "Collection rate",
        "Σ payments dated ≤ end of P on invoices due in P / Σ amount of invoices due in P",
        Ratio(Ms::Collected, Ms::Due),
        Unit::Ratio,
        Up,
        "000 §4.2.3",
    ),
    kpi(
        "overdue_amount",
        "逾期应收",
        "Overdue receivables",
        "Σ unpaid amount of invoices more than 30 days past due at end of P",
        M(Ms::Overdue),
        Unit::Money,
        Down,
        "003 §6",
    ),
    kpi(
        "new_customers",
        "新客户数",
        "New customers",
        "customers whose first ever confirmed order is in P, credited to that order's rep",
        M(Ms::NewCustomers),
        Unit::Count,
        Up,
        "000 §4.2.4",
    ),
    kpi(
        "new_customer_rate",
        "新客户开发率",
        "New customer rate",
        "new customers / distinct customers with a confirmed order in P",
        Ratio(Ms::NewCustomers, Ms::Customers),
        Unit::Ratio,
        Up,
        "000 §4.2.4",
    ),
    kpi(
        "retention_rate",
        "客户保留率",
        "Customer retention",
        "customers of the previous period who ordered again in P / customers of the previous period",
        Ratio(Ms::RetainedCustomers, Ms::PreviousCustomers),
        Unit::Ratio,
        Up,
        "002",
    ),
    kpi(
        "satisfaction",
        "客户满意度",
        "Customer satisfaction",
        "mean of score / scale × 100 over surveys dated in P",
        Ratio(Ms::SatisfactionPoints, Ms::Surveys),
        Unit::Points,
        Up,
        "000 §4.2.5",
    ),
    kpi(
        "market_share",
        "市场占有率",
        "Market share",
        "revenue / market size of the matching region and product line",
        Ratio(Ms::Revenue, Ms::MarketSize),
        Unit::Ratio,
        Up,
        "000 §1.2.2",
    ),
    kpi(
        "orders",
        "订单数",
        "Orders",
        "distinct orders with a confirmed line in P",
        M(Ms::Orders),
        Unit::Count,
        Up,
        "SPEC §5",
    ),
    kpi(
        "avg_order_value",
        "客单价",
        "Average order value",
        "revenue / orders",
        Ratio(Ms::Revenue, Ms::Orders),
        Unit::Money,
        Up,
        "003 §5",
    ),
    kpi(
        "activities",
        "拜访量",
        "Visits and calls",
        "activities dated in P",
        M(Ms::Activities),
        Unit::Count,
        Up,
        "003 §4",
    ),
    kpi(
        "lead_conversion",
        "线索转化率",
        "Lead conversion",
        "opportunities created in P that reached qualified / opportunities created in P",
        Ratio(Ms::Qualified, Ms::Leads),
        Unit::Ratio,
        Up,
        "003 §3, §5",
    ),
    kpi(
        "stage_conversion_proposal",
        "方案转化率",
        "Qualified → proposal",
        "reached proposal / reached qualified, of opportunities created in P",
        Ratio(Ms::Proposals, Ms::Qualified),
        Unit::Ratio,
        Up,
        "003 §3",
    ),
    kpi(
        "stage_conversion_negotiation",
        "谈判转化率",
        "Proposal → negotiation",
        "reached negotiation / reached proposal, of opportunities created in P",
        Ratio(Ms::Negotiations, Ms::Proposals),
        Unit::Ratio,
        Up,
        "003 §3",
    ),
    kpi(
        "stage_conversion_won",
        "成交转化率",
        "Negotiation → won",
        "won / reached negotiation, of opportunities created in P",
        Ratio(Ms::CreatedWon, Ms::Negotiations),
        Unit::Ratio,
        Up,
        "003 §3",
    ),
    kpi(
        "win_rate",
        "赢单率",
        "Win rate",
        "won / (won + lost), closed in P",
        ShareOf(Ms::Won, Ms::Lost),
        Unit::Ratio,
        Up,
        "SPEC §5",
    ),
    kpi(
        "sales_cycle_days",
        "平均成交周期",
        "Average sales cycle",
        "mean days from created to closed of opportunities won in P",
        Ratio(Ms::WonCycleDays, Ms::Won),
        Unit::Days,
        Down,
        "003 §5",
    ),
    kpi(
        "pipeline_coverage",
        "商机覆盖率",
        "Pipeline coverage",
        "open opportunity amount at end of P / remaining revenue target of the next period",
        Ratio(Ms::OpenPipeline, Ms::RemainingNextTarget),
        Unit::Ratio,
        Up,
        "SPEC §5",
    ),
];

/// A catalogue KPI's id, checked on construction.
#[derive(Clone, Copy, Debug)]
pub struct KpiId(&'static Kpi);

impl PartialEq for KpiId {
    fn eq(&self, other: &KpiId) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for KpiId {}

impl std::hash::Hash for KpiId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown KPI '{0}' (see `yeji kpis` for the catalogue)")]
pub struct UnknownKpi(pub String);

impl KpiId {
    pub fn kpi(&self) -> &'static Kpi {
        self.0
    }
    pub fn as_str(&self) -> &'static str {
        self.0.id
    }
}

impl FromStr for KpiId {
    type Err = UnknownKpi;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CATALOGUE.iter().find(|k| k.id == s.trim()).map(KpiId).ok_or_else(|| UnknownKpi(s.to_owned()))
    }
}

/// A KPI id is written as its id.
impl Serialize for KpiId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.id)
    }
}

impl fmt::Display for KpiId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_means_due_more_than_30_days_before_the_periods_last_day() {
        // 2026-Q3 ends on 30 September; 30 days earlier is 31 August.
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(overdue_before(&"2026-Q3".parse::<Period>().unwrap()), day("2026-08-31"));
        assert_eq!(overdue_before(&"2026-02".parse::<Period>().unwrap()), day("2026-01-29"));
    }

    #[test]
    fn measure_names_are_their_serde_names_and_parse_back() {
        for measure in Measure::ALL {
            assert_eq!(serde_json::to_value(measure).unwrap(), measure.name());
            assert_eq!(Measure::from_name(measure.name()), Some(measure));
        }
    }

    #[test]
    fn ids_are_unique_and_parse() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|k| k.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert_eq!("gross_margin".parse::<KpiId>().unwrap().kpi().name_zh, "销售利润率");
        assert_eq!(
            "profit".parse::<KpiId>().unwrap_err().to_string(),
            "unknown KPI 'profit' (see `yeji kpis` for the catalogue)"
        );
    }

    #[test]
    fn formulas_give_no_value_on_a_zero_denominator() {
        let measures = |m: Measure| match m {
            Measure::Revenue => 1800.0,
            Measure::Cost => 280.0,
            Measure::RevenueYearAgo => 1500.0,
            _ => 0.0,
        };
        let value = |id: &str| id.parse::<KpiId>().unwrap().kpi().formula.evaluate(measures);
        assert_eq!(value("revenue"), Some(1800.0));
        assert!((value("revenue_yoy").unwrap() - 0.2).abs() < 1e-12, "1800 / 1500 − 1");
        assert!((value("gross_margin").unwrap() - 1520.0 / 1800.0).abs() < 1e-12, "(1800 − 280) / 1800");
        // No target, no won or lost deals, no orders: no value where a denominator is 0.
        assert_eq!(value("attainment"), None);
        assert_eq!(value("win_rate"), None);
        assert_eq!(value("avg_order_value"), None);
        assert_eq!(value("orders"), Some(0.0));
    }
}
