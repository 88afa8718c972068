//! Release on collection (pure): a month's held-back commission is released
//! pro rata as the rep's invoices of that month are paid, in the months the
//! payments arrive; an invoice unpaid the plan's `aged_days` after its due
//! date forfeits the plan's share of its part. Amounts are rounded
//! cumulatively (released so far = the holdback × the share paid so far,
//! rounded), so a holdback paid in full releases exactly itself, however
//! many payments it takes.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::pay::{Line, LineKind, money, round};
use crate::plan::{Holdback, Rounding};

/// How many months back a run follows holdbacks still to be released.
pub const LOOKBACK_MONTHS: u32 = 24;

/// A rep's invoices of one month and what became of them, by month (YYYY-MM).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvoiceMonth {
    pub invoiced: Decimal,
    /// Paid in a month: (by the aging day, after it).
    pub paid: BTreeMap<String, (Decimal, Decimal)>,
    /// Unpaid on the aging day, by the month of that day.
    pub aged: BTreeMap<String, Decimal>,
}

/// The commission `component` held back from `month`, under `holdback`.
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    pub component: String,
    pub month: String,
    pub amount: Decimal,
    pub holdback: Holdback,
}

/// The release and forfeit lines of `held` in the months of `calendar`
/// (every month from the holdback's through the run's last, in order) from
/// `first_paid` on, given the rep's invoices of the holdback's month.
pub fn releases(
    held: &Held,
    invoices: Option<&InvoiceMonth>,
    calendar: &[String],
    first_paid: &str,
    rounding: Rounding,
) -> Vec<Line> {
    let line = |kind, month: &str, measure, rate, amount| Line {
        kind,
        of: Some(held.month.clone()),
        ..Line::pay(&held.component, month, held.amount, measure, rate, amount)
    };
    let paying = |month: &str| month >= first_paid;
    let Some(invoices) = invoices.filter(|i| i.invoiced > Decimal::ZERO) else {
        // Nothing invoiced that month: nothing to wait for.
        return if paying(&held.month) {
            vec![line(LineKind::Release, &held.month, money(Decimal::ZERO), Decimal::ONE, held.amount)]
        } else {
            Vec::new()
        };
    };
    let keep = Decimal::ONE - held.holdback.forfeit;
    let (mut share, mut forfeited, mut released) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut lines = Vec::new();
    for month in calendar.iter().filter(|m| **m >= held.month) {
        let (timely, late) = invoices.paid.get(month).copied().unwrap_or_default();
        if let Some(unpaid) = invoices.aged.get(month) {
            let lost = held.holdback.forfeit * unpaid / invoices.invoiced;
            forfeited += lost;
            if paying(month) && !lost.is_zero() {
                let money_lost = round(held.amount * lost, rounding);
                lines.push(line(
                    LineKind::Forfeit,
                    month,
                    money_lost,
                    lost.round_dp(6),
                    round(Decimal::ZERO, rounding),
                ));
            }
        }
        let before = share;
        share = (share + (timely + late * keep) / invoices.invoiced).min(Decimal::ONE - forfeited);
        let now = round(held.amount * share, rounding);
        if paying(month) && now != released {
            let rate = (share - before).round_dp(6);
            lines.push(line(LineKind::Release, month, money(timely + late), rate, now - released));
        }
        released = now;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn months(list: &[&str]) -> Vec<String> {
        list.iter().map(|m| m.to_string()).collect()
    }

    fn held(amount: &str, forfeit: &str) -> Held {
        Held {
            component: "commission".into(),
            month: "2026-01".into(),
            amount: d(amount),
            holdback: Holdback { share: d("0.5"), aged_days: Some(90), forfeit: d(forfeit) },
        }
    }

    #[test]
    fn a_holdback_is_released_over_three_partial_payments() {
        // 1,000.00 held on 30,000 invoiced in January; paid 10,000 in
        // February, 10,000 in March, 10,000 in April: a third each, rounded
        // cumulatively: 333.33, 666.67 − 333.33 = 333.34, 1,000 − 666.67 = 333.33.
        let invoices = InvoiceMonth {
            invoiced: d("30000"),
            paid: [("2026-02", "10000"), ("2026-03", "10000"), ("2026-04", "10000")]
                .iter()
                .map(|(m, p)| (m.to_string(), (d(p), Decimal::ZERO)))
                .collect(),
            aged: BTreeMap::new(),
        };
        let calendar = months(&["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]);
        let lines = releases(&held("1000.00", "1"), Some(&invoices), &calendar, "2026-01", Rounding::HalfUp);
        let got: Vec<(&str, Decimal)> = lines.iter().map(|l| (l.period.as_str(), l.amount)).collect();
        assert_eq!(got, [("2026-02", d("333.33")), ("2026-03", d("333.34")), ("2026-04", d("333.33"))]);
        assert!(lines.iter().all(|l| l.kind == LineKind::Release && l.of.as_deref() == Some("2026-01")));
        assert_eq!(lines[0].rate, d("0.333333"));
        // A run of March alone shows March's release only (February's was paid then).
        let march = releases(&held("1000.00", "1"), Some(&invoices), &calendar[..3], "2026-03", Rounding::HalfUp);
        assert_eq!(march.iter().map(|l| l.amount).collect::<Vec<_>>(), [d("333.34")]);
    }

    #[test]
    fn an_aged_invoice_forfeits_its_part_and_a_late_payment_releases_what_is_left() {
        // 20,000 invoiced: 10,000 paid on time in February; the other 10,000
        // unpaid 90 days past due (aged in May): half of the 1,000 holdback
        // tied to it, 500.00; with forfeit 1 it is lost (a 0 line saying so),
        // with forfeit 0.5 a late payment in June releases 250.00.
        let mut invoices = InvoiceMonth { invoiced: d("20000"), ..InvoiceMonth::default() };
        invoices.paid.insert("2026-02".into(), (d("10000"), Decimal::ZERO));
        invoices.aged.insert("2026-05".into(), d("10000"));
        invoices.paid.insert("2026-06".into(), (Decimal::ZERO, d("10000")));
        let calendar = months(&["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]);
        let all = releases(&held("1000", "1"), Some(&invoices), &calendar, "2026-01", Rounding::HalfUp);
        let got: Vec<(LineKind, &str, Decimal, Decimal)> =
            all.iter().map(|l| (l.kind, l.period.as_str(), l.measure, l.amount)).collect();
        assert_eq!(
            got,
            [
                (LineKind::Release, "2026-02", d("10000.00"), d("500.00")),
                (LineKind::Forfeit, "2026-05", d("500.00"), d("0.00")),
            ]
        );
        let half = releases(&held("1000", "0.5"), Some(&invoices), &calendar, "2026-01", Rounding::HalfUp);
        let amounts: Vec<(LineKind, Decimal)> = half.iter().map(|l| (l.kind, l.amount)).collect();
        assert_eq!(
            amounts,
            [(LineKind::Release, d("500.00")), (LineKind::Forfeit, d("0.00")), (LineKind::Release, d("250.00"))]
        );
        assert_eq!(half[1].measure, d("250.00"));
    }

    #[test]
    fn a_month_without_invoices_releases_its_holdback_at_once() {
        let lines = releases(&held("80.00", "1"), None, &months(&["2026-01"]), "2026-01", Rounding::HalfUp);
        assert_eq!((lines[0].kind, lines[0].amount, lines[0].rate), (LineKind::Release, d("80.00"), d("1")));
    }
}
