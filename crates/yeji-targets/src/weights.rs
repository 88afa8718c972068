//! The weights of a decomposition, from the facts (SPEC §15.2): the months
//! by the top entity's revenue in each calendar month over the two years
//! before the period (the mean over the years with data; `seasonality`), or
//! evenly, or by hand; the children of each unit as `org_weights.rs` says.
//! The tree is the organisation on the period's first day (its units, and
//! the reps active in each). The parent is the target the data holds.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Period};
use yeji_eval::{Dimension, Facts};

use crate::decompose::decompose_lines;
use crate::org_weights::Weighing;
use crate::{OrgWeights, Target, TargetError, Tree, decompose};

/// How the period is shared among its months.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeWeights {
    Seasonality,
    Even,
    /// Each month's percentage, in order, summing to 100.
    Manual(Vec<Decimal>),
}

impl std::str::FromStr for TimeWeights {
    type Err = TargetError;

    /// `seasonality`, `even` or `manual:8,8,9,…` (percentages of the months, summing to 100).
    fn from_str(text: &str) -> Result<TimeWeights, TargetError> {
        match text.trim() {
            "seasonality" => Ok(TimeWeights::Seasonality),
            "even" => Ok(TimeWeights::Even),
            other => {
                let shares = other.strip_prefix("manual:").ok_or_else(|| {
                    TargetError::Bad(format!("--time {other}: seasonality, even or manual:SHARES (percentages)"))
                })?;
                let parsed: Result<Vec<Decimal>, TargetError> = shares
                    .split(',')
                    .map(|s| {
                        let share: Decimal = s
                            .trim()
                            .parse()
                            .map_err(|_| TargetError::Bad(format!("manual share '{s}' is not a number")))?;
                        if share.is_sign_negative() {
                            return Err(TargetError::Bad(format!("manual share {share} is negative")));
                        }
                        Ok(share)
                    })
                    .collect();
                let parsed = parsed?;
                let sum: Decimal = parsed.iter().sum();
                if sum != Decimal::ONE_HUNDRED {
                    return Err(TargetError::Bad(format!("manual shares sum to {sum}%, not 100%")));
                }
                Ok(TimeWeights::Manual(parsed))
            }
        }
    }
}

pub(crate) fn decimal(v: f64) -> Decimal {
    Decimal::from_f64(v).unwrap_or_default()
}

/// The weights of `period`'s months for `root`.
pub async fn month_weights(
    facts: &Facts,
    period: &Period,
    root: &str,
    how: &TimeWeights,
) -> Result<Vec<(Period, Decimal)>, TargetError> {
    let months = period.months();
    match how {
        TimeWeights::Even => return Ok(months.into_iter().map(|m| (m, Decimal::ONE)).collect()),
        TimeWeights::Manual(shares) if shares.len() != months.len() => {
            return Err(TargetError::Bad(format!(
                "{} manual shares for the {} months of {period}",
                shares.len(),
                months.len()
            )));
        }
        TimeWeights::Manual(shares) => return Ok(months.into_iter().zip(shares.iter().copied()).collect()),
        TimeWeights::Seasonality => {}
    }
    let before = Period::month_of(period.start()).previous();
    let history = yeji_eval::monthly(facts, &before, root, 24).await?;
    // The mean over the years with data for that month: a month before the
    // data's first order has no value, and must not weigh less for it.
    let mut by_calendar_month: BTreeMap<&str, (f64, u32)> = BTreeMap::new();
    for point in &history {
        if let Some(revenue) = point.revenue {
            let entry = by_calendar_month.entry(&point.month[5..]).or_default();
            *entry = (entry.0 + revenue.max(0.0), entry.1 + 1);
        }
    }
    Ok(months
        .into_iter()
        .map(|m| {
            let (sum, years) = by_calendar_month.get(&m.to_string()[5..]).copied().unwrap_or((0.0, 0));
            (m, decimal(if years > 0 { sum / f64::from(years) } else { 0.0 }))
        })
        .collect())
}

/// How a target is shared among product lines first (`--product-line`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineWeights {
    /// By the entity's revenue per product line over the period a year earlier.
    History,
    /// Evenly over the product lines it sold then.
    Even,
}

impl std::str::FromStr for LineWeights {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<LineWeights, TargetError> {
        match text.trim() {
            "history" => Ok(LineWeights::History),
            "even" => Ok(LineWeights::Even),
            other => Err(TargetError::Bad(format!("--product-line {other}: history or even"))),
        }
    }
}

/// The product lines `root` sold in the period a year before `period`, weighted as asked.
pub async fn line_weights(
    facts: &Facts,
    period: &Period,
    root: &str,
    how: LineWeights,
) -> Result<Vec<(String, Decimal)>, TargetError> {
    let year_ago = period.year_ago();
    let mut lines: Vec<(String, Decimal)> = yeji_eval::breakdown(facts, &year_ago, root, Dimension::ProductLine)
        .await?
        .into_iter()
        .filter(|slice| !slice.key.is_empty() && slice.revenue > 0.0)
        .map(|slice| (slice.key, if how == LineWeights::Even { Decimal::ONE } else { decimal(slice.revenue) }))
        .collect();
    if lines.is_empty() {
        return Err(TargetError::Bad(format!("--product-line: {root} sold no product line in {year_ago}")));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(lines)
}

/// The org tree below `root` on `period`'s first day, weighted as asked.
pub async fn tree(
    facts: &Facts,
    scheme: &Scheme,
    period: &Period,
    root: &str,
    how: &OrgWeights,
) -> Result<Tree, TargetError> {
    let org = facts.org();
    if org.unit(root).is_none() {
        return Err(if org.has_rep(root) {
            TargetError::Bad(format!("{root} is a rep: a rep's target is not decomposed further"))
        } else {
            TargetError::NoSuchEntity(root.to_owned())
        });
    }
    let weighing = Weighing::of(how, facts, scheme, period).await?;
    // Each rep in their unit on the period's first day, or on their first
    // day if they join during it; not those who join after it.
    let day = period.start();
    let member = |rep: &str| {
        org.rep_on(rep, Some(day)).filter(|row| {
            row.active
                && row.effective_from.is_none_or(|from| from <= period.last_day())
                && row.hire_date.is_none_or(|hired| hired <= period.last_day())
        })
    };
    let mut children: BTreeMap<String, Vec<(String, Decimal)>> = BTreeMap::new();
    let mut used = BTreeSet::new();
    for unit in org.subtree(root) {
        let mut below: Vec<(Level, String)> = org.children(unit).map(|u| (u.level(), u.id.clone())).collect();
        let mut reps: Vec<&str> =
            org.rep_ids().into_iter().filter(|r| member(r).is_some_and(|row| row.unit == unit)).collect();
        reps.sort_unstable();
        below.extend(reps.into_iter().map(|r| (Level::Rep, r.to_owned())));
        if !below.is_empty() {
            used.extend(below.iter().map(|(_, id)| id.clone()));
            children.insert(unit.to_owned(), weighing.weights(unit, &below)?);
        }
    }
    weighing.check_all_used(&used, root)?;
    Ok(Tree { root: root.to_owned(), children })
}

/// The targets the data holds for exactly `period` and `metric` (no product
/// line), by entity, in the minor unit's decimals where that is exact.
pub async fn targets_of(
    facts: &Facts,
    period: &Period,
    metric: &str,
) -> Result<BTreeMap<String, Decimal>, TargetError> {
    let mut out = BTreeMap::new();
    for (entity, text) in yeji_eval::targets_of(facts, period, metric).await? {
        let mut value: Decimal = text.parse().map_err(|e| TargetError::Bad(format!("target value {text}: {e}")))?;
        if value.round_dp(crate::MINOR_UNIT) == value {
            value.rescale(crate::MINOR_UNIT);
        }
        out.insert(entity, value);
    }
    Ok(out)
}

/// The target the data holds for exactly `period`, `entity` and `metric` (no product line).
pub async fn parent_target(facts: &Facts, period: &Period, entity: &str, metric: &str) -> Result<Decimal, TargetError> {
    targets_of(facts, period, metric).await?.remove(entity).ok_or_else(|| TargetError::NoParent {
        period: period.to_string(),
        entity: entity.to_owned(),
        metric: metric.to_owned(),
    })
}

/// The whole decomposition of `entity`'s `metric` target for `period`.
pub async fn decomposition(
    facts: &Facts,
    scheme: &Scheme,
    (period, entity, metric): (&Period, &str, &str),
    (time, org, lines): (TimeWeights, OrgWeights, Option<LineWeights>),
    scale: u32,
) -> Result<(Decimal, Vec<Target>), TargetError> {
    if period.months().len() < 2 {
        return Err(TargetError::Bad(format!("{period} is one month: there is no month to share it among")));
    }
    let tree = tree(facts, scheme, period, entity, &org).await?;
    let total = parent_target(facts, period, entity, metric).await?;
    if total.is_sign_negative() {
        return Err(TargetError::Bad(format!("{entity}'s {metric} target for {period} is negative: {total}")));
    }
    let months = month_weights(facts, period, entity, &time).await?;
    let targets = match lines {
        None => decompose((period, metric, total), &months, &tree, scale),
        Some(how) => {
            let lines = line_weights(facts, period, entity, how).await?;
            decompose_lines((period, metric, total), &months, &tree, &lines, scale)
        }
    };
    Ok((total, targets))
}
