//! The rep's business in a draft (by product line, channel and customer
//! segment, the slices of the rep's page): where their revenue comes from,
//! and, when their margin is to improve, the product line that holds it
//! down. Each figure is the rep's revenue or margin in that slice, cited
//! with the slice.

use yeji_core::KpiId;
use yeji_eval::{Dimension, Slice};

use crate::draft::{Cite, Point, What};
use crate::{Lang, Standing, text};

/// The dimensions a draft reads the business by, in the order it names them.
pub const DIMENSIONS: [Dimension; 3] = [Dimension::ProductLine, Dimension::Channel, Dimension::Segment];

fn label(by: Dimension, name: &str, lang: Lang) -> String {
    match (by, lang) {
        (Dimension::ProductLine, Lang::Zh) => format!("{name}产品线"),
        (Dimension::Channel, Lang::Zh) => format!("{name}渠道"),
        (Dimension::Segment, Lang::Zh) if name.ends_with("客户") => name.to_owned(),
        (Dimension::Segment, Lang::Zh) => format!("{name}客户"),
        (Dimension::Region, Lang::Zh) => format!("{name}区域"),
        (Dimension::ProductLine, Lang::En) => format!("product line {name}"),
        (Dimension::Channel, Lang::En) => format!("the {name} channel"),
        (Dimension::Segment, Lang::En) => format!("{name} customers"),
        (Dimension::Region, Lang::En) => format!("region {name}"),
    }
}

fn cite(kpi: &str, value: f64, by: Dimension, slice: &Slice) -> Cite {
    Cite {
        kpi: kpi.to_owned(),
        what: What::Value,
        value,
        period: None,
        slice: Some(format!("{}={}", by.name(), slice.key)),
    }
}

/// The slices of `by` with a value of the dimension (the rows without one are no business line).
fn named(standing: &Standing, by: Dimension) -> impl Iterator<Item = &Slice> {
    standing.business.iter().filter(move |(d, _)| *d == by).flat_map(|(_, s)| s).filter(|s| !s.key.is_empty())
}

/// "业务构成：销售额最多来自 A 产品线（45.2万）、线下渠道（60.1万）。"
pub fn mix_point(standing: &Standing, lang: Lang) -> Option<Point> {
    let revenue: KpiId = "revenue".parse().expect("a catalogue KPI");
    let (mut parts, mut cites) = (Vec::new(), Vec::new());
    for by in DIMENSIONS {
        let Some(top) = named(standing, by).find(|s| s.revenue > 0.0) else { continue };
        let amount = text::value(revenue, top.revenue, lang);
        parts.push(match lang {
            Lang::Zh => format!("{}（{amount}）", label(by, &top.name, lang)),
            Lang::En => format!("{} ({amount})", label(by, &top.name, lang)),
        });
        cites.push(cite("revenue", top.revenue, by, top));
    }
    if parts.is_empty() {
        return None;
    }
    let text = match lang {
        Lang::Zh => format!("业务构成：销售额最多来自{}。", parts.join("、")),
        Lang::En => format!("Where the revenue comes from: most from {}.", parts.join(", ")),
    };
    Some(Point { text, kpi: Some("revenue".into()), cites })
}

/// The product line with the lowest margin, of two or more: the words to add to the margin's point and its cite.
pub fn lowest_margin(standing: &Standing, lang: Lang) -> Option<(String, Cite)> {
    let margin: KpiId = "gross_margin".parse().expect("a catalogue KPI");
    let lines: Vec<(&Slice, f64)> =
        named(standing, Dimension::ProductLine).filter_map(|s| Some((s, s.gross_margin?))).collect();
    if lines.len() < 2 {
        return None;
    }
    let (line, value) = lines.into_iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let name = label(Dimension::ProductLine, &line.name, lang);
    let words = match lang {
        Lang::Zh => format!("其中{name}最低（{}）", text::value(margin, value, lang)),
        Lang::En => format!("lowest in {name} ({})", text::value(margin, value, lang)),
    };
    Some((words, cite(margin.as_str(), value, Dimension::ProductLine, line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(key: &str, revenue: f64, gross_margin: Option<f64>) -> Slice {
        Slice { key: key.into(), name: key.into(), revenue, gross_margin, orders: 1 }
    }

    #[test]
    fn the_largest_line_channel_and_segment_and_the_weakest_margin_are_named_and_cited() {
        let mut standing = crate::draft::tests::standing();
        standing.business = vec![
            (Dimension::ProductLine, vec![slice("硬件", 452_000.0, Some(0.31)), slice("耗材", 60_000.0, Some(0.12))]),
            (Dimension::Channel, vec![slice("", 500_000.0, None), slice("线下", 12_000.0, Some(0.3))]),
            (Dimension::Segment, vec![slice("大客户", 305_000.0, Some(0.2))]),
        ];
        let mix = mix_point(&standing, Lang::Zh).unwrap();
        assert_eq!(mix.text, "业务构成：销售额最多来自硬件产品线（45.2万）、线下渠道（1.2万）、大客户（30.5万）。");
        assert_eq!(mix.cites[1].slice.as_deref(), Some("channel=线下"), "rows without a channel are no channel");
        assert!(crate::check::ungrounded_points([&mix]).is_empty());
        let (words, cite) = lowest_margin(&standing, Lang::En).unwrap();
        assert_eq!((words.as_str(), cite.value), ("lowest in product line 耗材 (12.0%)", 0.12));
        standing.business.truncate(0);
        assert_eq!((mix_point(&standing, Lang::En), lowest_margin(&standing, Lang::En)), (None, None));
    }
}
