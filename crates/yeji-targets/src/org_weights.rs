//! How a unit's value is shared among its children (SPEC §7, §15.2 `--org`):
//! by each child's revenue over the whole period a year earlier (history),
//! by market potential (the children of a unit above the regions by their
//! region's market size in market.csv for the period, else a year earlier;
//! within a region, where market.csv knows no finer split, evenly), evenly,
//! or by the percentages of a manual file.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use yeji_core::kpi::Measure;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Org, Period};
use yeji_eval::Facts;

use crate::TargetError;
use crate::weights::decimal;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgWeights {
    History,
    Even,
    Potential,
    /// Each listed child's percentage of its parent (the children of one
    /// parent listed all or none; none: an even split).
    Manual(BTreeMap<String, Decimal>),
}

impl OrgWeights {
    /// `history`, `even` or `potential` (a manual file is read by [`OrgWeights::manual`]).
    pub fn named(text: &str) -> Result<OrgWeights, TargetError> {
        match text.trim() {
            "history" => Ok(OrgWeights::History),
            "even" => Ok(OrgWeights::Even),
            "potential" => Ok(OrgWeights::Potential),
            other => Err(TargetError::Bad(format!("--org {other}: history, even, potential or manual:FILE"))),
        }
    }

    /// The weights of a manual file's `text`: a header, then `entity_id,share`
    /// rows, each share a percentage of the entity's parent.
    pub fn manual(text: &str, file: &str) -> Result<OrgWeights, TargetError> {
        let mut shares = BTreeMap::new();
        for (number, line) in text.lines().enumerate().skip(1) {
            let at = |what: String| TargetError::Bad(format!("{file}, line {}: {what}", number + 1));
            if line.trim().is_empty() {
                continue;
            }
            let (entity, share) =
                line.split_once(',').ok_or_else(|| at(format!("'{line}': expected entity_id,share")))?;
            let share: Decimal =
                share.trim().parse().map_err(|_| at(format!("share '{}' is not a number", share.trim())))?;
            if share.is_sign_negative() {
                return Err(at(format!("share {share} is negative")));
            }
            if shares.insert(entity.trim().to_owned(), share).is_some() {
                return Err(at(format!("{} is listed twice", entity.trim())));
            }
        }
        Ok(OrgWeights::Manual(shares))
    }
}

/// The weights read from the facts, by (level, id), for the way asked.
pub(crate) struct Weighing<'a> {
    how: &'a OrgWeights,
    org: &'a Org,
    known: BTreeMap<(Level, String), f64>,
}

impl<'a> Weighing<'a> {
    pub(crate) async fn of(
        how: &'a OrgWeights,
        facts: &'a Facts,
        scheme: &Scheme,
        period: &Period,
    ) -> Result<Weighing<'a>, TargetError> {
        let known = match how {
            OrgWeights::Even | OrgWeights::Manual(_) => BTreeMap::new(),
            OrgWeights::History => {
                let year_ago = yeji_eval::evaluate_cached(facts, &period.year_ago(), scheme).await?;
                year_ago
                    .results
                    .iter()
                    .filter_map(|r| Some(((r.level, r.id.clone()), r.kpis.get("revenue")?.value?)))
                    .collect()
            }
            OrgWeights::Potential => market_sizes(facts, scheme, period).await?,
        };
        Ok(Weighing { how, org: facts.org(), known })
    }

    /// The weights of `parent`'s `children` (level, id).
    pub(crate) fn weights(
        &self,
        parent: &str,
        children: &[(Level, String)],
    ) -> Result<Vec<(String, Decimal)>, TargetError> {
        let known = |level: Level, id: &str| decimal(self.known.get(&(level, id.to_owned())).copied().unwrap_or(0.0));
        let even = || children.iter().map(|(_, id)| (id.clone(), Decimal::ONE)).collect();
        Ok(match self.how {
            OrgWeights::Even => even(),
            OrgWeights::History => children.iter().map(|(level, id)| (id.clone(), known(*level, id))).collect(),
            OrgWeights::Potential if self.org.region_of(parent).is_some() => even(),
            OrgWeights::Potential => {
                let mut weights = Vec::new();
                for (_, id) in children {
                    let size = self.org.region_of(id).map_or(Decimal::ZERO, |region| known(Level::Unit, region));
                    if size.is_zero() {
                        return Err(TargetError::Bad(format!(
                            "--org potential: no market size for {id}'s region in market.csv (below {parent})"
                        )));
                    }
                    weights.push((id.clone(), size));
                }
                weights
            }
            OrgWeights::Manual(shares) => {
                let listed: Vec<&(Level, String)> = children.iter().filter(|(_, id)| shares.contains_key(id)).collect();
                if listed.is_empty() {
                    return Ok(even());
                }
                if let Some((_, missing)) = children.iter().find(|(_, id)| !shares.contains_key(id)) {
                    return Err(TargetError::Bad(format!("manual shares: {missing} (below {parent}) has none")));
                }
                let sum: Decimal = children.iter().map(|(_, id)| shares[id]).sum();
                if sum != Decimal::ONE_HUNDRED {
                    return Err(TargetError::Bad(format!(
                        "manual shares of {parent}'s children sum to {sum}%, not 100%"
                    )));
                }
                children.iter().map(|(_, id)| (id.clone(), shares[id])).collect()
            }
        })
    }

    /// A manual file naming someone who is not a child in the tree: an error.
    pub(crate) fn check_all_used(&self, used: &BTreeSet<String>, root: &str) -> Result<(), TargetError> {
        if let OrgWeights::Manual(shares) = self.how
            && let Some(stray) = shares.keys().find(|id| !used.contains(*id))
        {
            return Err(TargetError::Bad(format!("manual shares: {stray} is not a unit or rep below {root}")));
        }
        Ok(())
    }
}

/// Each entity's market (its region's) in `period`, else a year earlier.
async fn market_sizes(
    facts: &Facts,
    scheme: &Scheme,
    period: &Period,
) -> Result<BTreeMap<(Level, String), f64>, TargetError> {
    for asked in [*period, period.year_ago()] {
        let evaluated = yeji_eval::evaluate(facts, &asked, scheme).await?;
        let sizes: BTreeMap<(Level, String), f64> = evaluated
            .evaluation
            .results
            .iter()
            .filter_map(|r| Some(((r.level, r.id.clone()), evaluated.measure(&r.id, Measure::MarketSize)?)))
            .filter(|(_, size)| *size > 0.0)
            .collect();
        if !sizes.is_empty() {
            return Ok(sizes);
        }
    }
    Err(TargetError::Bad(format!("--org potential: market.csv has no market sizes for {period} or a year earlier")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_file_is_read_and_its_errors_name_the_line() {
        let weights = OrgWeights::manual("entity_id,share\nE,60\nN,40\n", "w.csv").unwrap();
        let OrgWeights::Manual(shares) = &weights else { panic!() };
        assert_eq!(shares["E"], Decimal::from(60));
        let error = |text| OrgWeights::manual(text, "w.csv").unwrap_err().to_string();
        assert_eq!(error("entity_id,share\nE,sixty\n"), "w.csv, line 2: share 'sixty' is not a number");
        assert_eq!(error("entity_id,share\nE,60\nE,40\n"), "w.csv, line 3: E is listed twice");
        assert_eq!(error("entity_id,share\nE,-1\n"), "w.csv, line 2: share -1 is negative");
        let org = Org::default();
        let weighing = Weighing { how: &weights, org: &org, known: BTreeMap::new() };
        let children = [(Level::Unit, "E".to_owned()), (Level::Unit, "N".to_owned())];
        assert_eq!(weighing.weights("HQ", &children).unwrap()[1], ("N".to_owned(), Decimal::from(40)));
        let bad = OrgWeights::manual("entity_id,share\nE,60\nN,30\n", "w.csv").unwrap();
        let weighing = Weighing { how: &bad, org: &org, known: BTreeMap::new() };
        assert_eq!(
            weighing.weights("HQ", &children).unwrap_err().to_string(),
            "manual shares of HQ's children sum to 90%, not 100%"
        );
        let reps = [(Level::Rep, "R1".to_owned()), (Level::Rep, "R2".to_owned())];
        assert_eq!(weighing.weights("E", &reps).unwrap()[0].1, Decimal::ONE, "unlisted: even");
    }
}
