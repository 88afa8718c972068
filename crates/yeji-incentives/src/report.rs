//! A rep's statement as a document (HTML, PDF, XLSX through yeji-export):
//! each line with its month, component, base, measure, rate and amount, the
//! total, and why a component paid nothing where it could not be computed.

use yeji_export::{Block, Doc};
use yeji_feedback::Lang;

use rust_decimal::Decimal;

use crate::{Line, LineKind, Run, Statement};

/// The statement table's columns; the page's too.
pub fn columns(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::Zh => ["月份", "项目", "基数", "指标", "比例", "金额"],
        Lang::En => ["Month", "Component", "Base", "Measure", "Rate", "Amount"],
    }
}

/// What a line is, for people: its component, and what it does when it
/// holds back, releases or forfeits commission.
pub fn label(line: &Line, lang: Lang) -> String {
    let (c, of) = (&line.component, line.of.as_deref().unwrap_or(""));
    match (line.kind, lang) {
        (LineKind::Pay, _) => c.clone(),
        (LineKind::Holdback, Lang::Zh) => format!("{c}（暂扣至回款）"),
        (LineKind::Holdback, Lang::En) => format!("{c} (held until collected)"),
        (LineKind::Release, Lang::Zh) => format!("{c}（释放 {of} 暂扣）"),
        (LineKind::Release, Lang::En) => format!("{c} (release of {of}'s holdback)"),
        (LineKind::Forfeit, Lang::Zh) => format!("{c}（{of} 暂扣因逾期没收）"),
        (LineKind::Forfeit, Lang::En) => format!("{c} ({of}'s holdback forfeited: overdue)"),
    }
}

/// An attainment as a percentage, cut (not rounded) to one decimal, so that
/// a rep short of a band never reads as reaching it: 0.89999 → 89.9%.
pub fn percent(attainment: Decimal) -> String {
    let mut shown = (attainment * Decimal::ONE_HUNDRED).trunc_with_scale(1);
    shown.rescale(1);
    format!("{shown}%")
}

/// The cells of a line, in [`columns`]' order.
pub fn cells(l: &Line, lang: Lang) -> Vec<String> {
    let numbers = [l.base, l.measure, l.rate, l.amount].map(|n| n.to_string());
    [vec![l.period.clone(), label(l, lang)], numbers.to_vec()].concat()
}

/// The cells of each line, in [`columns`]' order.
pub fn rows(statement: &Statement, lang: Lang) -> Vec<Vec<String>> {
    statement.lines.iter().map(|l| cells(l, lang)).collect()
}

/// A run as payroll takes it: a row per rep (id, name, each component's
/// sum, total), the components in the order they first appear.
pub fn payout_rows(run: &Run) -> (Vec<String>, Vec<Vec<String>>) {
    let mut components: Vec<&str> = Vec::new();
    for line in run.statements.iter().flat_map(|s| &s.lines) {
        if !components.contains(&line.component.as_str()) {
            components.push(&line.component);
        }
    }
    let rows = run
        .statements
        .iter()
        .map(|s| {
            let mut row = vec![s.rep_id.clone(), s.name.clone()];
            for component in &components {
                let sum: Decimal = s.lines.iter().filter(|l| l.component == *component).map(|l| l.amount).sum();
                row.push(crate::money(sum).to_string());
            }
            row.push(s.total.to_string());
            row
        })
        .collect();
    let mut header = vec!["rep_id".to_owned(), "name".to_owned()];
    header.extend(components.iter().map(|c| c.to_string()));
    header.push("total".into());
    (header, rows)
}

pub fn statement_doc(statement: &Statement, (period, plan): (&str, &str), lang: Lang) -> Doc {
    let (title, total, notes) = match lang {
        Lang::Zh => ("激励结算单", "合计", "说明"),
        Lang::En => ("Incentive statement", "Total", "Notes"),
    };
    let mut blocks = vec![
        Block::Table { header: columns(lang).iter().map(|c| c.to_string()).collect(), rows: rows(statement, lang) },
        Block::Paragraph(format!("{total}: {}", statement.total)),
    ];
    if !statement.notes.is_empty() {
        blocks.push(Block::Heading(notes.into()));
        blocks.push(Block::Bullets(statement.notes.clone()));
    }
    Doc {
        title: format!("{} ({}) · {title}", statement.name, statement.rep_id),
        subtitle: format!("{period} · {plan}"),
        lang: if lang == Lang::Zh { "zh-CN".into() } else { "en".into() },
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attainment_short_of_a_band_never_reads_as_reaching_it() {
        let shown = |text: &str| percent(text.parse().unwrap());
        assert_eq!(
            [shown("0.89999"), shown("0.9"), shown("1"), shown("1.23456")],
            ["89.9%", "90.0%", "100.0%", "123.4%"]
        );
    }
}
