//! The customers card on the rep and unit pages (SPEC §8, seed 003 §2, §6):
//! how many customers are at each lifecycle stage, the customers whose
//! credit needs action (grade C or D, or over their credit limit), and what
//! the entity's monthly revenue moves with (each driver with its r and
//! number of months, or no claim).

use maud::{Markup, html};
use yeji_customers::{Customer, Customers, Grade};
use yeji_variance::{Drivers, Strength};

use super::Ctx;
use crate::i18n::Lang;

/// The most customers the risk table lists (the API has them all).
const SHOWN: usize = 10;

fn pick(lang: Lang, (zh, en): (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

fn at_risk(customer: &Customer) -> bool {
    matches!(customer.credit.grade, Grade::C | Grade::D) || customer.credit.over_limit
}

fn strength_label(lang: Lang, strength: Strength) -> &'static str {
    lang.t(match strength {
        Strength::Strong => "strength_strong",
        Strength::Moderate => "strength_moderate",
        Strength::Weak => "strength_weak",
        Strength::NoClaim => "strength_no_claim",
    })
}

pub fn card(ctx: &Ctx, customers: &Customers, drivers: &Drivers) -> Markup {
    let t = |key| ctx.lang.t(key);
    let money = |v: f64| ctx.lang.value(yeji_core::kpi::Unit::Money, Some(v));
    let mut risky: Vec<&Customer> = customers.customers.iter().filter(|c| at_risk(c)).collect();
    risky.sort_by(|a, b| b.credit.open_receivables.total_cmp(&a.credit.open_receivables));
    html! {
        section.card #customers {
            h2 { (t("customers_card")) " · " (customers.against) " → " (customers.period) }
            p.stages { @for (stage, count) in &customers.stages {
                span.stage data-stage=(stage.name()) { (pick(ctx.lang, stage.label())) " " strong { (count) } } " "
            } }
            @if !risky.is_empty() {
                h3 { (t("credit_risks")) " (" (customers.as_of) ")" }
                table.credit {
                    thead { tr { th { (t("customer")) } th { (t("credit_score")) } th { (t("open_receivables")) } th { (t("advice")) } } }
                    tbody { @for c in risky.iter().take(SHOWN) {
                        tr data-customer=(c.customer_id) data-grade=(c.credit.grade.name()) {
                            td { (c.name) }
                            td.num { (c.credit.score.map_or("–".into(), |s| format!("{s:.1}"))) " " (c.credit.grade.name()) }
                            td.num { (money(c.credit.open_receivables)) @if c.credit.over_limit { " " span.down { (t("over_limit")) } } }
                            td { (pick(ctx.lang, c.credit.grade.advice())) }
                        }
                    } }
                }
            }
            h3 { (t("drivers")) }
            ul.drivers { @for c in &drivers.correlations {
                li data-driver=(c.driver.name()) data-strength=(c.strength.name()) {
                    (t(match c.driver {
                        yeji_variance::Driver::Discount => "driver_discount",
                        yeji_variance::Driver::PriceIndex => "driver_price_index",
                        yeji_variance::Driver::Activities => "driver_activities",
                    })) ": " (strength_label(ctx.lang, c.strength))
                    @if let Some(r) = c.r { " (r = " (format!("{r:.2}")) ")" }
                    " · " (c.points) " " (t("months_of_data"))
                }
            } }
        }
    }
}
