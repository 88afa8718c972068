//! Grounding: every number written in a point's text must be one of the
//! point's cites. The text is read back on its own terms (a number, and the
//! unit written after it: %, 万, K, 个百分点, points), not by formatting the
//! cites again, so a sentence that drops, invents or mis-scales a number is
//! caught.

use crate::{Draft, Point};

/// A number in a text with the scales its unit allows and its precision.
struct Written {
    text: String,
    number: f64,
    decimals: i32,
    scales: &'static [f64],
}

/// The numbers of `text`: digits with `,` grouping and a decimal point.
fn numbers(text: &str) -> Vec<Written> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], ',' | '.') && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        let written: String = chars[start..i].iter().collect();
        let plain = written.replace(',', "");
        let decimals = plain.split_once('.').map_or(0, |(_, f)| f.len() as i32);
        let rest: String = chars[i..].iter().collect::<String>();
        let rest = rest.trim_start();
        let scales: &'static [f64] = if rest.starts_with('%') {
            // A percentage of a ratio, or a percentile (0–100).
            &[0.01, 1.0]
        } else if rest.starts_with('万') {
            &[1e4]
        } else if rest.starts_with('K') {
            &[1e3]
        } else if rest.starts_with("个百分点") || rest.starts_with("points") {
            &[0.01]
        } else {
            &[1.0]
        };
        out.push(Written { text: written, number: plain.parse().unwrap_or(f64::NAN), decimals, scales });
    }
    out
}

/// The numbers of a draft's texts that none of their point's cites accounts
/// for (changes are written without their sign), as "text: number".
pub fn ungrounded(draft: &Draft) -> Vec<String> {
    ungrounded_points(draft.sections.iter().flat_map(|s| &s.points))
}

/// The same for any points (a review's).
pub fn ungrounded_points<'a>(points: impl IntoIterator<Item = &'a Point>) -> Vec<String> {
    let mut out = Vec::new();
    for point in points {
        for written in numbers(&point.text) {
            let rounding = 0.5 * 10f64.powi(-written.decimals) + 1e-9;
            let found = written.scales.iter().any(|scale| {
                point.cites.iter().any(|c| (c.value.abs() / scale - written.number).abs() <= rounding * (1.0 + 1e-9))
            });
            if !found {
                out.push(format!("{}: {}", point.text, written.text));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cite, Lang, Section, SectionKind, What};

    fn draft(text: &str, cites: &[f64]) -> Draft {
        let cites = cites
            .iter()
            .map(|&value| Cite { kpi: "x".into(), what: What::Value, value, period: None, slice: None })
            .collect();
        let point = Point { text: text.into(), kpi: None, cites };
        Draft {
            rep_id: "R1".into(),
            period: "2026-Q3".into(),
            lang: Lang::Zh,
            sections: vec![Section { kind: SectionKind::Improvement, points: vec![point] }],
        }
    }

    #[test]
    fn each_number_must_be_a_cite_read_at_its_scale() {
        let seed = "新客户开发率 8.0%，目标 20.0%，同组中位数 17.0%，比上季度下降 3.0 个百分点。";
        assert!(ungrounded(&draft(seed, &[0.08, 0.2, 0.17, -0.03])).is_empty());
        assert_eq!(ungrounded(&draft(seed, &[0.08, 0.2, 0.17])), [format!("{seed}: 3.0")], "the change is not cited");
        assert_eq!(ungrounded(&draft("销售额 232.8万。", &[2_328_022.0])).len(), 0);
        assert_eq!(ungrounded(&draft("销售额 232.8万。", &[232.8])).len(), 1, "万 means ten thousand");
        assert!(ungrounded(&draft("Revenue 2,328.0K, ahead of 63% of peers.", &[2_328_022.0, 62.5])).is_empty());
        assert_eq!(ungrounded(&draft("Revenue 2,329.0K.", &[2_328_022.0])).len(), 1, "off by more than the rounding");
    }
}
