//! An alert's message in Chinese or English, from its rule and numbers, with
//! the numbers formatted as feedback formats them (ratios as percentages,
//! money in 万 or K).

use yeji_core::KpiId;
use yeji_feedback::{Lang, kpi_name, kpi_value};

use crate::fire::Numbers;
use crate::rules::Kind;

fn money(v: f64, lang: Lang) -> String {
    kpi_value("revenue".parse().expect("a catalogue KPI"), v, lang)
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// What an alert says of `name` (the entity) by rule `kind`, from `numbers`.
pub fn message(kind: &Kind, name: &str, numbers: &Numbers, as_of: &str, lang: Lang) -> String {
    let n = |key: &str| numbers.get(key).copied().unwrap_or(0.0);
    match (kind, lang) {
        (Kind::Pace { .. }, Lang::Zh) => format!(
            "{name}：截至 {as_of} 销售额 {}，按目标 {} 此时应达 {}，落后 {}（预警线 {}）",
            money(n("to_date"), lang),
            money(n("target"), lang),
            money(n("expected"), lang),
            percent(n("behind")),
            percent(n("threshold")),
        ),
        (Kind::Pace { .. }, Lang::En) => format!(
            "{name}: revenue to {as_of} is {}, {} behind the {} the target of {} calls for by now (limit {})",
            money(n("to_date"), lang),
            percent(n("behind")),
            money(n("expected"), lang),
            money(n("target"), lang),
            percent(n("threshold")),
        ),
        (Kind::ProjectedAttainment { .. }, Lang::Zh) => format!(
            "{name}：已完成 {}，预计期末 {}，目标 {}，预计完成率 {}，低于 {}",
            money(n("to_date"), lang),
            money(n("projected"), lang),
            money(n("target"), lang),
            percent(n("projected_attainment")),
            percent(n("threshold")),
        ),
        (Kind::ProjectedAttainment { .. }, Lang::En) => format!(
            "{name}: {} so far, {} projected at the period's end against a target of {}: {} attainment, under {}",
            money(n("to_date"), lang),
            money(n("projected"), lang),
            money(n("target"), lang),
            percent(n("projected_attainment")),
            percent(n("threshold")),
        ),
        (Kind::Below { kpi, .. } | Kind::Above { kpi, .. }, _) => {
            let (value, threshold) = (kpi_value(*kpi, n("value"), lang), kpi_value(*kpi, n("threshold"), lang));
            let below = matches!(kind, Kind::Below { .. });
            if !below && n("threshold") == 0.0 {
                // Any at all is the alert (overdue receivables): its amount says it.
                return match lang {
                    Lang::Zh => format!("{name}：{} {value}", kpi_name(*kpi, lang)),
                    Lang::En => format!("{name}: {} of {value}", kpi_name(*kpi, lang)),
                };
            }
            match (lang, below) {
                (Lang::Zh, true) => format!("{name}：{} {value}，低于 {threshold}", kpi_name(*kpi, lang)),
                (Lang::Zh, false) => format!("{name}：{} {value}，高于 {threshold}", kpi_name(*kpi, lang)),
                (Lang::En, true) => format!("{name}: {} is {value}, under {threshold}", kpi_name(*kpi, lang)),
                (Lang::En, false) => format!("{name}: {} is {value}, over {threshold}", kpi_name(*kpi, lang)),
            }
        }
        (Kind::Falling { kpi, periods }, _) => {
            let run = run(*kpi, numbers, lang);
            match lang {
                Lang::Zh => format!("{name}：{}连续 {periods} 期下降：{run}", kpi_name(*kpi, lang)),
                Lang::En => format!("{name}: {} fell {periods} periods in a row: {run}", kpi_name(*kpi, lang)),
            }
        }
    }
}

/// "2026-07 12 → 2026-08 9 → 2026-09 6": the periods sort as they follow.
fn run(kpi: KpiId, numbers: &Numbers, lang: Lang) -> String {
    numbers.iter().map(|(period, v)| format!("{period} {}", kpi_value(kpi, *v, lang))).collect::<Vec<_>>().join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_the_entity_and_its_numbers() {
        let pace = crate::fire::pace(39_000.0, 92_000.0, (46, 92), 0.15).unwrap();
        assert_eq!(
            message(&Kind::Pace { behind: 0.15 }, "张伟", &pace, "2026-08-15", Lang::Zh),
            "张伟：截至 2026-08-15 销售额 3.9万，按目标 9.2万 此时应达 4.6万，落后 15.2%（预警线 15.0%）"
        );
        let kpi = "lead_conversion".parse().unwrap();
        let low = crate::fire::below(0.25, 0.30).unwrap();
        assert_eq!(
            message(&Kind::Below { kpi, threshold: 0.3, min_base: 0.0 }, "R1", &low, "2026-08-15", Lang::En),
            "R1: Lead conversion is 25.0%, under 30.0%"
        );
        let kpi = "new_customers".parse().unwrap();
        let values = [("2026-06".to_string(), 5.0), ("2026-07".to_string(), 3.0), ("2026-08".to_string(), 1.0)];
        let fell = crate::fire::falling(&values).unwrap();
        assert_eq!(
            message(&Kind::Falling { kpi, periods: 2 }, "R1", &fell, "2026-08-31", Lang::Zh),
            "R1：新客户数连续 2 期下降：2026-06 5 → 2026-07 3 → 2026-08 1"
        );
    }
}
