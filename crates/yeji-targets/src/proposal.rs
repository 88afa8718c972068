//! A target as someone sets it in yeji (SPEC §7's SMART fields): which
//! metric, how much, for which period, whose (the rep or unit that owns
//! it), and why. Checked when built, so a draft is always a target the
//! evaluation could use.

use rust_decimal::Decimal;
use yeji_core::{KpiId, Org, Period};

use crate::{MINOR_UNIT, Target, TargetError};

/// A checked target proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub period: Period,
    /// The rep or unit that owns the target.
    pub entity_id: String,
    pub metric: KpiId,
    pub product_line: Option<String>,
    pub value: Decimal,
    pub why: String,
}

/// The fields as they arrive (a command line, a form, a JSON body).
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    pub entity_id: &'a str,
    pub metric: &'a str,
    pub value: &'a str,
    pub product_line: Option<&'a str>,
    pub why: &'a str,
}

impl Proposal {
    /// Checks `fields` for `period` against the organisation.
    pub fn new(period: Period, fields: Fields<'_>, org: &Org) -> Result<Proposal, TargetError> {
        let entity_id = fields.entity_id.trim();
        if org.unit(entity_id).is_none() && !org.has_rep(entity_id) {
            return Err(TargetError::NoSuchEntity(entity_id.to_owned()));
        }
        let metric: KpiId = fields.metric.parse().map_err(|e| TargetError::Bad(format!("metric: {e}")))?;
        Ok(Proposal {
            period,
            entity_id: entity_id.to_owned(),
            metric,
            product_line: fields.product_line.map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned),
            value: value(fields.value)?,
            why: fields.why.trim().to_owned(),
        })
    }

    /// The target row the evaluation reads once the proposal is approved.
    pub fn target(&self) -> Target {
        Target {
            period: self.period.to_string(),
            entity_id: self.entity_id.clone(),
            metric: self.metric.as_str().to_owned(),
            product_line: self.product_line.clone(),
            value: self.value,
        }
    }
}

/// A target value: a number, 0 or more, in the currency's minor unit at most.
pub fn value(text: &str) -> Result<Decimal, TargetError> {
    let text = text.trim();
    let mut value: Decimal = text.parse().map_err(|_| TargetError::Bad(format!("value '{text}' is not a number")))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(TargetError::Bad(format!("value {text} is negative: a target is 0 or more")));
    }
    if value.scale() > MINOR_UNIT {
        return Err(TargetError::Bad(format!("value {text} has more than {MINOR_UNIT} decimals")));
    }
    value.rescale(MINOR_UNIT);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yeji_core::org::{OrgUnit, RepRow};

    fn org() -> Org {
        let unit = |id: &str, parent: Option<&str>| OrgUnit {
            id: id.into(),
            name: id.into(),
            parent: parent.map(Into::into),
            kind: None,
        };
        Org::new(vec![unit("HQ", None), unit("T1", Some("HQ"))], vec![RepRow::new("R1", "李娜", "T1")])
    }

    fn fields<'a>(entity_id: &'a str, metric: &'a str, value: &'a str) -> Fields<'a> {
        Fields { entity_id, metric, value, product_line: Some(" "), why: " 新客户 " }
    }

    #[test]
    fn a_proposal_is_checked_and_its_value_kept_in_fen() {
        let period: Period = "2026-Q3".parse().unwrap();
        let made = Proposal::new(period, fields("R1", "revenue", "300000.5"), &org()).unwrap();
        assert_eq!(made.value.to_string(), "300000.50");
        assert_eq!((made.product_line.as_deref(), made.why.as_str()), (None, "新客户"));
        assert_eq!(made.target().metric, "revenue");
    }

    #[test]
    fn bad_fields_are_named() {
        let period: Period = "2026-Q3".parse().unwrap();
        let error = |f| Proposal::new(period, f, &org()).unwrap_err().to_string();
        assert_eq!(error(fields("R9", "revenue", "1")), "no rep or unit 'R9' in this workspace");
        assert_eq!(
            error(fields("R1", "sales", "1")),
            "metric: unknown KPI 'sales' (see `yeji kpis` for the catalogue)"
        );
        assert_eq!(error(fields("T1", "revenue", "abc")), "value 'abc' is not a number");
        assert_eq!(error(fields("T1", "revenue", "-5")), "value -5 is negative: a target is 0 or more");
        assert_eq!(error(fields("T1", "revenue", "1.005")), "value 1.005 has more than 2 decimals");
    }
}
