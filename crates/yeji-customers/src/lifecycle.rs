//! A customer's lifecycle stage (seed 003 §2: 引入期, 成长期, 成熟期, 衰退期),
//! from its sales to an entity in a period against the period before: new
//! (its first order with the company, won here), growing or declining by
//! more than the band, steady within it, lost (bought before, not now), won
//! back (bought now, not before, and not new).

use serde::Serialize;
use yeji_eval::CustomerSales;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    New,
    Growing,
    Steady,
    Declining,
    Lost,
    WonBack,
}

impl Stage {
    pub const ALL: [Stage; 6] =
        [Stage::New, Stage::Growing, Stage::Steady, Stage::Declining, Stage::Lost, Stage::WonBack];

    pub fn name(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Growing => "growing",
            Stage::Steady => "steady",
            Stage::Declining => "declining",
            Stage::Lost => "lost",
            Stage::WonBack => "won_back",
        }
    }

    /// (Chinese, English) for pages and reports.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Stage::New => ("新客户（引入期）", "new"),
            Stage::Growing => ("成长期", "growing"),
            Stage::Steady => ("成熟期", "steady"),
            Stage::Declining => ("衰退期", "declining"),
            Stage::Lost => ("已流失", "lost"),
            Stage::WonBack => ("回流", "won back"),
        }
    }
}

/// The stage of `sales` with a change band of `band` (0.10: ±10 %); `None`
/// for a customer with neither a confirmed line now nor before (returns only).
pub fn stage(sales: &CustomerSales, band: f64) -> Option<Stage> {
    match (sales.bought, sales.bought_before) {
        (true, _) if sales.new => Some(Stage::New),
        (true, false) => Some(Stage::WonBack),
        (false, true) => Some(Stage::Lost),
        (false, false) => None,
        (true, true) => {
            // The change as a share of before, a hair of tolerance so that
            // exactly the band counts (110 on 100 is +10 %, whatever 1.1 is in binary).
            let before = sales.revenue_before;
            let change = if before > 0.0 { sales.revenue / before - 1.0 } else { f64::INFINITY };
            Some(if change >= band - 1e-9 {
                Stage::Growing
            } else if change <= -band + 1e-9 {
                Stage::Declining
            } else {
                Stage::Steady
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sales(revenue: f64, revenue_before: f64, (bought, bought_before, new): (bool, bool, bool)) -> CustomerSales {
        CustomerSales { customer_id: "K".into(), name: "K".into(), revenue, revenue_before, bought, bought_before, new }
    }

    #[test]
    fn stages_follow_the_band_and_the_first_order() {
        let both = (true, true, false);
        assert_eq!(stage(&sales(110.0, 100.0, both), 0.10), Some(Stage::Growing), "+10 % is growth");
        assert_eq!(stage(&sales(109.99, 100.0, both), 0.10), Some(Stage::Steady));
        assert_eq!(stage(&sales(90.0, 100.0, both), 0.10), Some(Stage::Declining), "−10 % is decline");
        assert_eq!(stage(&sales(90.01, 100.0, both), 0.10), Some(Stage::Steady));
        assert_eq!(stage(&sales(500.0, 0.0, (true, false, true)), 0.10), Some(Stage::New));
        assert_eq!(stage(&sales(500.0, 0.0, (true, false, false)), 0.10), Some(Stage::WonBack));
        assert_eq!(stage(&sales(-20.0, 300.0, (false, true, false)), 0.10), Some(Stage::Lost));
        assert_eq!(stage(&sales(-20.0, 0.0, (false, false, false)), 0.10), None);
    }
}
