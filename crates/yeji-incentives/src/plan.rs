//! An incentive plan (SPEC §12, §15.6): a TOML document of components, each
//! an attainment bonus (seed 002: bands of monthly attainment, each a rate
//! of the base salary) or a tiered commission (seed 003: tiers of a month's
//! revenue, gross profit or collected revenue, marginal or retroactive, with
//! an optional cap and floor, part of it held back until the rep's invoices
//! are paid). A component may apply only to some rep levels or units.
//! Checked when read: a bad plan is an error naming the component and field,
//! never a plan that pays something else.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::IncentiveError;

/// SPEC §15.6's plan: seed 002's attainment bonus and seed 003's tiers (the
/// demo workspace's `incentive-plan.toml`).
pub const SEED_PLAN: &str = r#"
[plan]
id = "sales-2026"
rounding = "half_up"

[[components]]
id = "bonus"
kind = "attainment_bonus"
period = "month"
base = "base_salary"
bands = [{ from = 1.00, rate = 0.05 }, { from = 0.90, rate = 0.02 }]

[[components]]
id = "commission"
kind = "commission"
measure = "revenue"
period = "month"
method = "marginal"
tiers = [{ up_to = 500000, rate = 0.05 }, { rate = 0.07 }]
"#;

/// How a line's amount is rounded to the minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    HalfUp,
    HalfEven,
}

/// What a commission is paid on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Net revenue booked in the period (returns deducted).
    Revenue,
    /// Revenue − cost of the lines booked.
    GrossProfit,
    /// Payments received in the period on the rep's invoices.
    Collected,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Revenue => "revenue",
            Measure::GrossProfit => "gross_profit",
            Measure::Collected => "collected",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Each tier's rate on the slice of the base within it.
    Marginal,
    /// The rate of the tier the whole base reaches, on all of it.
    Retroactive,
}

/// A band of an attainment bonus: from this attainment (1.00 = 100 %) up.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(deserialize_with = "crate::number::decimal")]
    pub from: Decimal,
    #[serde(deserialize_with = "crate::number::decimal")]
    pub rate: Decimal,
}

/// A tier of a commission: up to this amount of the base (the last: open).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[serde(default, deserialize_with = "crate::number::optional_decimal")]
    pub up_to: Option<Decimal>,
    #[serde(deserialize_with = "crate::number::decimal")]
    pub rate: Decimal,
}

/// Release on collection: `share` of a month's commission is held back and
/// released pro rata as the rep's invoices of that month are paid; an
/// invoice still unpaid `aged_days` after its due date forfeits `forfeit` of
/// its part of the holdback (what is left is released if it is paid later).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holdback {
    #[serde(deserialize_with = "crate::number::decimal")]
    pub share: Decimal,
    #[serde(default)]
    pub aged_days: Option<u32>,
    #[serde(default = "all", deserialize_with = "crate::number::decimal")]
    pub forfeit: Decimal,
}

fn all() -> Decimal {
    Decimal::ONE
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    AttainmentBonus {
        bands: Vec<Band>,
    },
    Commission {
        measure: Measure,
        method: Method,
        tiers: Vec<Tier>,
        cap: Option<Decimal>,
        floor: Option<Decimal>,
        holdback: Option<Holdback>,
    },
}

/// Whom a component pays: reps of these levels (reps.csv `level`) and in
/// these units or below them, on the month's last day; empty: everyone.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub units: Vec<String>,
}

impl AppliesTo {
    /// Whether a rep of `level` in `units` (its unit and the units above) is paid.
    pub fn covers(&self, level: Option<&str>, units: &[String]) -> bool {
        (self.levels.is_empty() || level.is_some_and(|l| self.levels.iter().any(|x| x == l)))
            && (self.units.is_empty() || self.units.iter().any(|u| units.contains(u)))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub id: String,
    pub kind: Kind,
    pub applies_to: AppliesTo,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub id: String,
    pub rounding: Rounding,
    pub components: Vec<Component>,
}

/// The document as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    plan: Header,
    #[serde(default)]
    components: Vec<Written>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: String,
    #[serde(default = "half_up")]
    rounding: Rounding,
}

fn half_up() -> Rounding {
    Rounding::HalfUp
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    id: String,
    kind: String,
    #[serde(default = "month")]
    period: String,
    base: Option<String>,
    bands: Option<Vec<Band>>,
    measure: Option<Measure>,
    method: Option<Method>,
    tiers: Option<Vec<Tier>>,
    #[serde(default, deserialize_with = "crate::number::optional_decimal")]
    cap: Option<Decimal>,
    #[serde(default, deserialize_with = "crate::number::optional_decimal")]
    floor: Option<Decimal>,
    holdback: Option<Holdback>,
    #[serde(default)]
    applies_to: AppliesTo,
}

fn month() -> String {
    "month".into()
}

impl Plan {
    /// Reads and checks a plan; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Plan, IncentiveError> {
        let document: Document =
            toml::from_str(text).map_err(|e| IncentiveError::Plan(format!("{file}: {}", e.message())))?;
        let bad = |what: String| IncentiveError::Plan(format!("{file}: {what}"));
        if document.components.is_empty() {
            return Err(bad("the plan has no [[components]]".into()));
        }
        let mut components = Vec::new();
        for written in document.components {
            let at = |field: &str| format!("component '{}': {field}", written.id);
            if components.iter().any(|c: &Component| c.id == written.id) {
                return Err(bad(format!("component '{}' is defined twice", written.id)));
            }
            if written.period != "month" {
                return Err(bad(format!("{} '{}': only month is supported", at("period"), written.period)));
            }
            if written.holdback.is_some() && written.kind != "commission" {
                return Err(bad(at("holdback: only a commission is held back")));
            }
            let kind = match written.kind.as_str() {
                "attainment_bonus" => {
                    if let Some(base) = written.base.as_deref().filter(|b| *b != "base_salary") {
                        return Err(bad(format!("{} '{base}': only base_salary", at("base"))));
                    }
                    let mut bands = written.bands.ok_or_else(|| bad(at("bands are missing")))?;
                    check_bands(&mut bands).map_err(|e| bad(at(&e)))?;
                    Kind::AttainmentBonus { bands }
                }
                "commission" => {
                    let tiers = written.tiers.ok_or_else(|| bad(at("tiers are missing")))?;
                    check_tiers(&tiers).map_err(|e| bad(at(&e)))?;
                    for (name, value) in [("cap", written.cap), ("floor", written.floor)] {
                        if value.is_some_and(|v| v.is_sign_negative()) {
                            return Err(bad(at(&format!("{name} is negative"))));
                        }
                    }
                    if let (Some(cap), Some(floor)) = (written.cap, written.floor)
                        && floor > cap
                    {
                        return Err(bad(at(&format!("floor {floor} is above cap {cap}"))));
                    }
                    let measure = written.measure.unwrap_or(Measure::Revenue);
                    if let Some(holdback) = &written.holdback {
                        check_holdback(holdback, measure).map_err(|e| bad(at(&e)))?;
                    }
                    Kind::Commission {
                        measure,
                        method: written.method.unwrap_or(Method::Marginal),
                        tiers,
                        cap: written.cap,
                        floor: written.floor,
                        holdback: written.holdback,
                    }
                }
                other => {
                    return Err(bad(format!("{} '{other}': attainment_bonus or commission", at("kind"))));
                }
            };
            check_levels(&written.applies_to).map_err(|e| bad(at(&e)))?;
            components.push(Component { id: written.id, kind, applies_to: written.applies_to });
        }
        Ok(Plan { id: document.plan.id, rounding: document.plan.rounding, components })
    }
}

fn check_rate(rate: Decimal, at: &str) -> Result<(), String> {
    if rate.is_sign_negative() || rate > Decimal::ONE {
        return Err(format!("{at} rate {rate} is outside 0–1 (0% to 100%)"));
    }
    Ok(())
}

fn check_holdback(holdback: &Holdback, measure: Measure) -> Result<(), String> {
    if measure == Measure::Collected {
        return Err("holdback: a commission on collected revenue is paid as it is collected".into());
    }
    if holdback.share <= Decimal::ZERO || holdback.share > Decimal::ONE {
        return Err(format!("holdback share {} is outside 0–1 (above 0%, at most 100%)", holdback.share));
    }
    check_rate(holdback.forfeit, "holdback forfeit")?;
    if holdback.aged_days == Some(0) {
        return Err("holdback aged_days is 0: an invoice ages a day or more after its due date".into());
    }
    Ok(())
}

fn check_levels(applies_to: &AppliesTo) -> Result<(), String> {
    let known: Vec<&str> = yeji_core::contract::REP_LEVELS.values.iter().map(|(name, _)| *name).collect();
    match applies_to.levels.iter().find(|l| !known.contains(&l.as_str())) {
        Some(level) => Err(format!("applies_to level '{level}' is not one of {}", known.join(", "))),
        None => Ok(()),
    }
}

/// Bands from the highest `from` down; each `from` once, rates within 0–1.
fn check_bands(bands: &mut [Band]) -> Result<(), String> {
    if bands.is_empty() {
        return Err("bands are empty".into());
    }
    for (i, band) in bands.iter().enumerate() {
        check_rate(band.rate, &format!("bands[{i}]"))?;
        if band.from.is_sign_negative() {
            return Err(format!("bands[{i}] from {} is negative", band.from));
        }
    }
    bands.sort_by_key(|b| std::cmp::Reverse(b.from));
    if let Some(pair) = bands.windows(2).find(|w| w[0].from == w[1].from) {
        return Err(format!("two bands start at {}", pair[0].from));
    }
    Ok(())
}

/// Tiers rising by `up_to`, the last one open and only the last.
fn check_tiers(tiers: &[Tier]) -> Result<(), String> {
    if tiers.is_empty() {
        return Err("tiers are empty".into());
    }
    let mut below = Decimal::ZERO;
    for (i, tier) in tiers.iter().enumerate() {
        check_rate(tier.rate, &format!("tiers[{i}]"))?;
        let last = i + 1 == tiers.len();
        match tier.up_to {
            None if !last => return Err(format!("tiers[{i}] has no up_to but is not the last tier")),
            None => {}
            Some(_) if last => return Err(format!("tiers[{i}], the last tier, has an up_to: the last tier is open")),
            Some(up_to) if up_to <= below => {
                return Err(format!("tiers[{i}] up_to {up_to} is not above {below}: tiers overlap"));
            }
            Some(up_to) => below = up_to,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_plan_reads_exactly() {
        let plan = Plan::parse(SEED_PLAN, "plan.toml").unwrap();
        assert_eq!((plan.id.as_str(), plan.rounding, plan.components.len()), ("sales-2026", Rounding::HalfUp, 2));
        let Kind::AttainmentBonus { bands } = &plan.components[0].kind else { panic!() };
        assert_eq!(bands[1].rate.to_string(), "0.02", "0.02 read as the decimal written, not a binary float");
        let Kind::Commission { tiers, method, .. } = &plan.components[1].kind else { panic!() };
        assert_eq!((tiers[0].up_to, *method), (Some(Decimal::from(500_000)), Method::Marginal));
    }

    #[test]
    fn a_bad_plan_names_the_component_and_field() {
        let error =
            |from: &str, to: &str| Plan::parse(&SEED_PLAN.replace(from, to), "plan.toml").unwrap_err().to_string();
        assert_eq!(
            error(
                "{ up_to = 500000, rate = 0.05 }, { rate = 0.07 }",
                "{ up_to = 500000, rate = 0.05 }, { up_to = 400000, rate = 0.06 }, { rate = 0.07 }"
            ),
            "plan.toml: component 'commission': tiers[1] up_to 400000 is not above 500000: tiers overlap"
        );
        assert_eq!(
            error("{ rate = 0.07 }", "{ up_to = 900000, rate = 0.07 }"),
            "plan.toml: component 'commission': tiers[1], the last tier, has an up_to: the last tier is open"
        );
        assert_eq!(
            error("rate = 0.07", "rate = 1.5"),
            "plan.toml: component 'commission': tiers[1] rate 1.5 is outside 0–1 (0% to 100%)"
        );
        assert_eq!(error("from = 0.90", "from = 1.00"), "plan.toml: component 'bonus': two bands start at 1");
        assert_eq!(
            error("kind = \"commission\"", "kind = \"bonus\""),
            "plan.toml: component 'commission': kind 'bonus': attainment_bonus or commission"
        );
        assert!(
            error("measure = \"revenue\"", "measure = \"profit\"").starts_with("plan.toml: unknown variant `profit`")
        );
    }
}
