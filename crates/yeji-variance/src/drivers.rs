//! The correlation of an entity's monthly revenue with its drivers (SPEC §8:
//! price, discount, activities): Pearson's r over the months where both are
//! known, with the number of points. Fewer than [`MIN_POINTS`] months, or a
//! driver that never changes, makes no claim; otherwise |r| ≥ 0.7 is strong,
//! ≥ 0.4 moderate, below that weak. A correlation is not a cause: the text
//! says "moves with", never "because of".

use serde::Serialize;
use yeji_core::Period;
use yeji_eval::{DriverMonth, Facts};

use crate::VarianceError;

/// The fewest months a correlation is claimed on.
pub const MIN_POINTS: usize = 6;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    Discount,
    PriceIndex,
    Activities,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    Strong,
    Moderate,
    Weak,
    /// Too few points, or a driver (or revenue) that did not vary.
    NoClaim,
}

/// Revenue against one driver.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correlation {
    pub driver: Driver,
    /// Months with both values.
    pub points: usize,
    /// Pearson's r; none where no claim is made.
    pub r: Option<f64>,
    pub strength: Strength,
    pub text: String,
}

/// Pearson's r of the pairs; none under two points or without variance.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 2 {
        return None;
    }
    let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 1e-12 && syy > 1e-12).then(|| sxy / (sxx * syy).sqrt())
}

impl Driver {
    pub fn name(self) -> &'static str {
        match self {
            Driver::Discount => "discount",
            Driver::PriceIndex => "price_index",
            Driver::Activities => "activities",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Driver::Discount => "discount",
            Driver::PriceIndex => "price index",
            Driver::Activities => "activities",
        }
    }
}

impl Strength {
    pub fn name(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Moderate => "moderate",
            Strength::Weak => "weak",
            Strength::NoClaim => "no_claim",
        }
    }
}

/// The correlation of revenue with `driver` over `months`.
pub fn correlate(months: &[DriverMonth], driver: Driver) -> Correlation {
    let value = |m: &DriverMonth| match driver {
        Driver::Discount => m.discount,
        Driver::PriceIndex => m.price_index,
        Driver::Activities => Some(m.activities),
    };
    let pairs: Vec<(f64, f64)> = months.iter().filter_map(|m| Some((value(m)?, m.revenue))).collect();
    let points = pairs.len();
    let r = if points >= MIN_POINTS { pearson(&pairs) } else { None };
    let strength = match r.map(f64::abs) {
        None => Strength::NoClaim,
        Some(a) if a >= 0.7 => Strength::Strong,
        Some(a) if a >= 0.4 => Strength::Moderate,
        Some(_) => Strength::Weak,
    };
    let text = match (r, strength) {
        (None, _) if points < MIN_POINTS => {
            format!("{points} months with {}: too few to say (at least {MIN_POINTS})", driver.words())
        }
        (None, _) => format!("{} or revenue did not vary over {points} months: nothing to say", driver.words()),
        (Some(r), Strength::Weak) => {
            format!("revenue hardly moves with {} (r = {r:.2}, {points} months)", driver.words())
        }
        (Some(r), _) => {
            let way = if r > 0.0 { "with" } else { "against" };
            let how = if strength == Strength::Strong { "clearly" } else { "somewhat" };
            format!("revenue {how} moves {way} {} (r = {r:.2}, {points} months)", driver.words())
        }
    };
    Correlation { driver, points, r, strength, text }
}

/// An entity's revenue against each driver.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Drivers {
    pub entity_id: String,
    /// The months end with this period's last.
    pub period: String,
    pub months: u32,
    pub correlations: Vec<Correlation>,
}

/// The entity's revenue against each driver over the `months` months to `period`'s end.
pub async fn drivers(facts: &Facts, period: &Period, id: &str, months: u32) -> Result<Drivers, VarianceError> {
    if !(2..=120).contains(&months) {
        return Err(VarianceError::Bad(format!("months {months}: from 2 to 120")));
    }
    let series = yeji_eval::monthly_drivers(facts, period, id, months).await?;
    let correlations =
        [Driver::Discount, Driver::PriceIndex, Driver::Activities].into_iter().map(|d| correlate(&series, d)).collect();
    Ok(Drivers { entity_id: id.to_owned(), period: period.to_string(), months, correlations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(i: usize, revenue: f64, discount: Option<f64>, activities: f64) -> DriverMonth {
        DriverMonth { month: format!("2026-{:02}", i + 1), revenue, discount, price_index: Some(1.0), activities }
    }

    #[test]
    fn pearson_matches_a_hand_computed_r() {
        // x = 1..5, y = 2, 4, 5, 4, 5: sxy = 6, sxx = 10, syy = 6: r = 6 / √60 = 0.7746.
        let r = pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 5.0), (4.0, 4.0), (5.0, 5.0)]).unwrap();
        assert!((r - 6.0 / 60f64.sqrt()).abs() < 1e-12);
        assert_eq!(pearson(&[(1.0, 2.0), (1.0, 3.0), (1.0, 4.0)]), None, "no variance in x");
    }

    #[test]
    fn a_claim_needs_six_months_and_says_which_way() {
        // Revenue = 1000 × activities exactly; discounts known in only five months.
        let months: Vec<DriverMonth> = (0..8)
            .map(|i| month(i, 1000.0 * (i as f64 + 1.0), (i < 5).then_some(0.1 * i as f64), i as f64 + 1.0))
            .collect();
        let activities = correlate(&months, Driver::Activities);
        assert_eq!((activities.points, activities.strength), (8, Strength::Strong));
        assert!((activities.r.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(activities.text, "revenue clearly moves with activities (r = 1.00, 8 months)");
        let discount = correlate(&months, Driver::Discount);
        assert_eq!((discount.points, discount.r, discount.strength), (5, None, Strength::NoClaim));
        assert_eq!(discount.text, "5 months with discount: too few to say (at least 6)");
        let flat = correlate(&months, Driver::PriceIndex);
        assert_eq!((flat.points, flat.strength), (8, Strength::NoClaim));
    }
}
