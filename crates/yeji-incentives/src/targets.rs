//! How a what-if changes the monthly revenue targets the bonus is measured
//! against: every target scaled (1.10 = 10% higher), and some reps given a
//! target of their own for each month of the period. Checked when built;
//! nothing is saved.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use yeji_core::Org;

use crate::IncentiveError;
use crate::pay::round;
use crate::plan::Rounding;

/// The largest scale a what-if accepts: ten times the targets in effect.
const MAX_SCALE: u32 = 10;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetChange {
    /// Every saved target multiplied by this (1 = unchanged).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub scale: Decimal,
    /// rep → their monthly target instead (not scaled).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub reps: BTreeMap<String, Decimal>,
}

impl Default for TargetChange {
    fn default() -> Self {
        TargetChange { scale: Decimal::ONE, reps: BTreeMap::new() }
    }
}

impl TargetChange {
    /// `scale` (empty: 1) and `reps`, lines or comma-separated `REP=VALUE`
    /// pairs, checked against `org`.
    pub fn new(scale: Option<&str>, reps: &str, org: &Org) -> Result<TargetChange, IncentiveError> {
        let bad = |text: String| IncentiveError::Bad(text);
        let mut change = TargetChange::default();
        if let Some(text) = scale.map(str::trim).filter(|s| !s.is_empty()) {
            let scale: Decimal = text.parse().map_err(|_| bad(format!("targets scale '{text}' is not a number")))?;
            if scale <= Decimal::ZERO || scale > Decimal::from(MAX_SCALE) {
                return Err(bad(format!(
                    "targets scale {text} is outside (0, {MAX_SCALE}]: 1.1 raises every target by 10%"
                )));
            }
            change.scale = scale;
        }
        for pair in reps.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
            let (rep, value) = pair
                .split_once('=')
                .map(|(r, v)| (r.trim(), v.trim()))
                .ok_or_else(|| bad(format!("target '{pair}' is not REP=VALUE")))?;
            if !org.has_rep(rep) {
                return Err(bad(format!("target '{pair}': '{rep}' is not a rep of the organisation")));
            }
            let value: Decimal = value
                .parse()
                .ok()
                .filter(|v: &Decimal| !v.is_sign_negative())
                .ok_or_else(|| bad(format!("target '{pair}': '{value}' is not an amount of 0 or more")))?;
            if change.reps.insert(rep.to_owned(), value).is_some() {
                return Err(bad(format!("target '{pair}': {rep} is given twice")));
            }
        }
        Ok(change)
    }

    pub fn is_none(&self) -> bool {
        self.scale == Decimal::ONE && self.reps.is_empty()
    }

    /// A month's targets by entity, changed: scaled to the minor unit, then
    /// the reps' own.
    pub(crate) fn apply(&self, targets: &mut BTreeMap<String, Decimal>) {
        if self.scale != Decimal::ONE {
            targets.values_mut().for_each(|t| *t = round(*t * self.scale, Rounding::HalfUp));
        }
        targets.extend(self.reps.iter().map(|(rep, value)| (rep.clone(), *value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yeji_core::org::{OrgUnit, RepRow};

    fn org() -> Org {
        let unit = OrgUnit { id: "T1".into(), name: "T1".into(), parent: None, kind: None };
        Org::new(vec![unit], vec![RepRow::new("R1", "R1", "T1"), RepRow::new("R2", "R2", "T1")])
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn targets_are_scaled_to_the_minor_unit_then_set_per_rep() {
        let change = TargetChange::new(Some("1.1"), "R2=50000", &org()).unwrap();
        let mut targets = BTreeMap::from([("R1".to_owned(), d("123456.78")), ("R2".to_owned(), d("80000"))]);
        change.apply(&mut targets);
        // 123,456.78 × 1.1 = 135,802.458 → 135,802.46; R2's own 50,000 replaces 88,000.
        assert_eq!(targets["R1"], d("135802.46"));
        assert_eq!(targets["R2"], d("50000"));
        assert!(!change.is_none());
        assert!(TargetChange::new(Some(" "), "", &org()).unwrap().is_none());
    }

    #[test]
    fn bad_changes_name_the_value_and_the_reason() {
        let error = |scale, reps| TargetChange::new(scale, reps, &org()).unwrap_err().to_string();
        assert_eq!(error(Some("abc"), ""), "targets scale 'abc' is not a number");
        assert!(error(Some("0"), "").starts_with("targets scale 0 is outside (0, 10]"));
        assert_eq!(error(None, "R9=1"), "target 'R9=1': 'R9' is not a rep of the organisation");
        assert_eq!(error(None, "R1=-5"), "target 'R1=-5': '-5' is not an amount of 0 or more");
        assert_eq!(error(None, "R1 5"), "target 'R1 5' is not REP=VALUE");
        assert_eq!(error(None, "R1=5, R1=6"), "target 'R1=6': R1 is given twice");
    }
}
