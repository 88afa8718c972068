//! A credit score per customer from its payment history (seed 003 §6: "客户
//! 信用评分模型", low credit → cash before delivery or a deposit). Over the
//! customer's invoices due by the day asked, weighted by amount:
//!
//! - on time: the share paid by each invoice's due date;
//! - days late: each late payment's amount × its days past due, and each
//!   unpaid amount × its days past due so far, over the amount due;
//! - unpaid: the share still unpaid.
//!
//! score = 100 × (0.5 × on time + 0.3 × max(0, 1 − days late / 90) + 0.2 × (1 − unpaid)),
//! graded A ≥ 85, B ≥ 70, C ≥ 50, else D. Open receivables (due or not) over
//! the customer's credit limit are flagged beside the score.

use chrono::NaiveDate;
use serde::Serialize;
use yeji_eval::InvoiceHistory;

/// Days late at which the lateness part of the score reaches 0.
const LATE_LIMIT: f64 = 90.0;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    /// No invoice due yet: nothing to judge.
    #[serde(rename = "no_history")]
    NoHistory,
}

impl Grade {
    pub fn of(score: f64) -> Grade {
        match score {
            s if s >= 85.0 => Grade::A,
            s if s >= 70.0 => Grade::B,
            s if s >= 50.0 => Grade::C,
            _ => Grade::D,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::NoHistory => "no_history",
        }
    }

    /// What the sales side does with such a customer (zh, en).
    pub fn advice(self) -> (&'static str, &'static str) {
        match self {
            Grade::A => ("正常账期", "normal terms"),
            Grade::B => ("关注回款", "watch its payments"),
            Grade::C => ("降低授信额度", "lower its credit limit"),
            Grade::D => ("款到发货或收取保证金", "cash before delivery, or a deposit"),
            Grade::NoHistory => ("暂无付款记录", "no payment history yet"),
        }
    }
}

/// A customer's credit as of a day.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Credit {
    pub score: Option<f64>,
    pub grade: Grade,
    /// Invoices due by the day, and their amount.
    pub invoices_due: usize,
    pub amount_due: f64,
    pub on_time_share: Option<f64>,
    pub days_late: Option<f64>,
    pub unpaid_share: Option<f64>,
    /// Unpaid on all its invoices, due or not.
    pub open_receivables: f64,
    pub credit_limit: Option<f64>,
    pub over_limit: bool,
}

/// The credit of one customer from its `invoices` (with payments to `as_of`).
pub fn credit(invoices: &[&InvoiceHistory], as_of: NaiveDate) -> Credit {
    let days = |from: NaiveDate, to: NaiveDate| (to - from).num_days().max(0) as f64;
    let (mut due, mut on_time, mut late_days, mut unpaid, mut open, mut count) = (0.0, 0.0, 0.0, 0.0, 0.0, 0);
    for invoice in invoices {
        let paid: f64 = invoice.payments.iter().map(|(_, amount)| amount).sum();
        let left = (invoice.amount - paid).max(0.0);
        open += left;
        if invoice.due_date > as_of || invoice.amount <= 0.0 {
            continue;
        }
        count += 1;
        due += invoice.amount;
        let paid_by_due: f64 =
            invoice.payments.iter().filter(|(day, _)| *day <= invoice.due_date).map(|(_, amount)| amount).sum();
        on_time += paid_by_due.min(invoice.amount);
        late_days += invoice
            .payments
            .iter()
            .filter(|(day, _)| *day > invoice.due_date)
            .map(|(day, amount)| amount * days(invoice.due_date, *day))
            .sum::<f64>();
        late_days += left * days(invoice.due_date, as_of);
        unpaid += left;
    }
    let credit_limit = invoices.first().and_then(|i| i.credit_limit);
    let over_limit = credit_limit.is_some_and(|limit| open > limit);
    if count == 0 {
        let none = (None, None, None);
        return Credit {
            score: None,
            grade: Grade::NoHistory,
            invoices_due: 0,
            amount_due: 0.0,
            on_time_share: none.0,
            days_late: none.1,
            unpaid_share: none.2,
            open_receivables: open,
            credit_limit,
            over_limit,
        };
    }
    let (on_time, late, unpaid) = (on_time / due, late_days / due, unpaid / due);
    let score = 100.0 * (0.5 * on_time + 0.3 * (1.0 - late / LATE_LIMIT).max(0.0) + 0.2 * (1.0 - unpaid));
    let score = (score * 10.0).round() / 10.0;
    Credit {
        score: Some(score),
        grade: Grade::of(score),
        invoices_due: count,
        amount_due: due,
        on_time_share: Some(on_time),
        days_late: Some(late),
        unpaid_share: Some(unpaid),
        open_receivables: open,
        credit_limit,
        over_limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn invoice(amount: f64, due: &str, payments: &[(&str, f64)], limit: Option<f64>) -> InvoiceHistory {
        InvoiceHistory {
            customer_id: "K1".into(),
            name: "甲".into(),
            credit_limit: limit,
            invoice_id: format!("I{due}"),
            amount,
            due_date: day(due),
            payments: payments.iter().map(|(d, a)| (day(d), *a)).collect(),
        }
    }

    #[test]
    fn a_late_part_payment_costs_its_share_and_its_days() {
        // 600 on time, 400 thirty days late: on time 0.6, 12 days late on
        // the amount, nothing unpaid: 100 × (0.3 + 0.3 × (1 − 12/90) + 0.2) = 76.
        let paid = invoice(1000.0, "2026-06-30", &[("2026-06-20", 600.0), ("2026-07-30", 400.0)], Some(5000.0));
        let c = credit(&[&paid], day("2026-09-30"));
        assert_eq!((c.score, c.grade, c.invoices_due), (Some(76.0), Grade::B, 1));
        assert_eq!((c.on_time_share, c.days_late, c.unpaid_share), (Some(0.6), Some(12.0), Some(0.0)));
        assert!(!c.over_limit);
    }

    #[test]
    fn unpaid_invoices_age_and_not_yet_due_ones_only_count_as_exposure() {
        // 2000 due 07-31, unpaid on 09-30 (61 days): late 61, unpaid 1: score
        // 100 × (0 + 0.3 × (1 − 61/90) + 0) = 9.7: D. The 3000 not yet due is
        // exposure only: 5000 open over a 4000 limit.
        let unpaid = invoice(2000.0, "2026-07-31", &[], Some(4000.0));
        let later = invoice(3000.0, "2026-10-31", &[], Some(4000.0));
        let c = credit(&[&unpaid, &later], day("2026-09-30"));
        assert_eq!((c.score, c.grade, c.open_receivables, c.over_limit), (Some(9.7), Grade::D, 5000.0, true));
        assert_eq!(Grade::D.advice().0, "款到发货或收取保证金");
        let fresh = credit(&[&later], day("2026-09-30"));
        assert_eq!((fresh.score, fresh.grade), (None, Grade::NoHistory));
    }

    #[test]
    fn grades_have_their_bounds() {
        assert_eq!(
            [85.0, 84.9, 70.0, 69.9, 50.0, 49.9].map(Grade::of),
            [Grade::A, Grade::B, Grade::B, Grade::C, Grade::C, Grade::D]
        );
    }
}
