//! The sentences of a draft and the formats of their numbers, in Chinese and
//! English (the seed's wording: "新客户开发率 8%，目标 20%，同组中位数 17%，
//! 比上季度下降 3 个百分点"). A ratio reads as a percentage and its change in
//! percentage points; money in 万 (zh) or K (en).

use yeji_core::kpi::Unit;
use yeji_core::{Grain, KpiId, Period};

use crate::Lang;

pub fn kpi_name(kpi: KpiId, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => kpi.kpi().name_zh,
        Lang::En => kpi.kpi().name_en,
    }
}

/// A value of `kpi` as a director reads it.
pub fn value(kpi: KpiId, v: f64, lang: Lang) -> String {
    match (kpi.kpi().unit, lang) {
        (Unit::Ratio, _) => format!("{:.1}%", v * 100.0),
        (Unit::Money, Lang::Zh) => format!("{:.1}万", v / 1e4),
        (Unit::Money, Lang::En) => format!("{}K", thousands(v / 1e3)),
        (Unit::Count, _) if v.fract() == 0.0 => format!("{v:.0}"),
        (Unit::Days, Lang::Zh) => format!("{v:.1} 天"),
        (Unit::Days, Lang::En) => format!("{v:.1} days"),
        _ => format!("{v:.1}"),
    }
}

/// The size of a change of `kpi` (its sign is said in words).
pub fn change(kpi: KpiId, delta: f64, lang: Lang) -> String {
    match (kpi.kpi().unit, lang) {
        (Unit::Ratio, Lang::Zh) => format!("{:.1} 个百分点", delta.abs() * 100.0),
        (Unit::Ratio, Lang::En) => format!("{:.1} points", delta.abs() * 100.0),
        _ => value(kpi, delta.abs(), lang),
    }
}

/// One decimal with thousands separators: 2,328.0.
fn thousands(v: f64) -> String {
    let text = format!("{v:.1}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{fraction}")
}

/// "比上季度" / "on last quarter": the previous period, by its grain.
pub fn than_previous(period: &Period, lang: Lang) -> &'static str {
    match (period.grain(), lang) {
        (Some(Grain::Day), Lang::Zh) => "比前一天",
        (Some(Grain::Week), Lang::Zh) => "比上周",
        (Some(Grain::Month), Lang::Zh) => "比上月",
        (Some(Grain::Quarter), Lang::Zh) => "比上季度",
        (Some(Grain::Half), Lang::Zh) => "比上个半年",
        (Some(Grain::Year), Lang::Zh) => "比上年",
        (None, Lang::Zh) => "比上期",
        (Some(Grain::Day), Lang::En) => "on the day before",
        (Some(Grain::Week), Lang::En) => "on last week",
        (Some(Grain::Month), Lang::En) => "on last month",
        (Some(Grain::Quarter), Lang::En) => "on last quarter",
        (Some(Grain::Half), Lang::En) => "on the previous half",
        (Some(Grain::Year), Lang::En) => "on last year",
        (None, Lang::En) => "on the previous period",
    }
}

pub fn than_year_ago(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "比去年同期",
        Lang::En => "on the same period last year",
    }
}

/// "上升" / "up" for a rise, "下降" / "down" for a fall.
pub fn rise_or_fall(delta: f64, lang: Lang) -> &'static str {
    match (delta >= 0.0, lang) {
        (true, Lang::Zh) => "上升",
        (false, Lang::Zh) => "下降",
        (true, Lang::En) => "up",
        (false, Lang::En) => "down",
    }
}

/// The fixed phrases of a draft.
pub struct Phrases {
    pub target: &'static str,
    pub met_target: &'static str,
    pub peer_median: &'static str,
    pub ahead_of: (&'static str, &'static str),
    pub score: &'static str,
    pub rank: (&'static str, &'static str),
    pub best_relative: &'static str,
    pub new_hire: &'static str,
    pub top_performer: &'static str,
    pub separator: &'static str,
    pub end: &'static str,
}

pub fn phrases(lang: Lang) -> &'static Phrases {
    match lang {
        Lang::Zh => &Phrases {
            target: "目标 ",
            met_target: "达到目标 ",
            peer_median: "同组中位数 ",
            ahead_of: ("超过同组 ", " 的同事"),
            score: "综合得分 ",
            rank: ("同组排名第 ", " 位"),
            best_relative: "相对最好的一项是",
            new_hire: "入职不久，上手期重点看进步：",
            top_performer: "业绩优秀的同事",
            separator: "，",
            end: "。",
        },
        Lang::En => &Phrases {
            target: "target ",
            met_target: "meeting the target of ",
            peer_median: "peer median ",
            ahead_of: ("ahead of ", " of peers"),
            score: "Composite score ",
            rank: ("rank ", " among peers"),
            best_relative: "Strongest KPI: ",
            new_hire: "In your first months, progress is what counts: ",
            top_performer: "a top performer",
            separator: ", ",
            end: ".",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_seed_writes_them() {
        let kpi = |id: &str| id.parse::<KpiId>().unwrap();
        assert_eq!(value(kpi("new_customer_rate"), 0.08, Lang::Zh), "8.0%");
        assert_eq!(change(kpi("new_customer_rate"), -0.03, Lang::Zh), "3.0 个百分点");
        assert_eq!(value(kpi("revenue"), 2_328_022.0, Lang::Zh), "232.8万");
        assert_eq!(value(kpi("revenue"), 2_328_022.0, Lang::En), "2,328.0K");
        assert_eq!(value(kpi("revenue"), -1_234_567.0, Lang::En), "-1,234.6K");
        assert_eq!(value(kpi("orders"), 12.0, Lang::En), "12");
        assert_eq!(value(kpi("sales_cycle_days"), 41.25, Lang::Zh), "41.2 天");
        let quarter: Period = "2026-Q3".parse().unwrap();
        assert_eq!(than_previous(&quarter, Lang::Zh), "比上季度");
        assert_eq!(than_previous(&"2026-01..2026-06".parse().unwrap(), Lang::En), "on the previous period");
    }
}
