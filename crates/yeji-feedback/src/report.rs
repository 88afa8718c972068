//! A feedback item as a document (HTML, PDF, XLSX through yeji-export): the
//! draft's sections in order, then its conversation; a review's months
//! as a table, then its summary.

use yeji_export::{Block, Doc};
use yeji_store::FeedbackEvent;

use crate::{Draft, FeedbackState, Lang, Review, title};

/// The document of `draft` for the rep named `name`, with its state and conversation if saved.
pub fn report(draft: &Draft, name: &str, state: Option<FeedbackState>, events: &[FeedbackEvent]) -> Doc {
    let zh = draft.lang == Lang::Zh;
    let mut blocks = Vec::new();
    for section in &draft.sections {
        blocks.push(Block::Heading(title(section.kind, draft.lang).to_owned()));
        blocks.push(Block::Bullets(section.points.iter().map(|p| p.text.clone()).collect()));
    }
    if !events.is_empty() {
        blocks.push(Block::Heading(if zh { "沟通记录" } else { "Conversation" }.into()));
        let header = if zh { ["时间", "操作人", "步骤", "说明"] } else { ["When", "By", "Step", "Text"] };
        let rows = events
            .iter()
            .map(|e| {
                let at = e.at.format("%Y-%m-%d %H:%M").to_string();
                vec![at, e.actor.clone(), e.step.clone(), e.text.clone().unwrap_or_default()]
            })
            .collect();
        blocks.push(Block::Table { header: header.map(str::to_owned).to_vec(), rows });
    }
    let state = state.map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
    Doc {
        title: format!("{name} ({}) · {}", draft.rep_id, if zh { "业绩反馈" } else { "Performance feedback" }),
        subtitle: format!("{}{state}", draft.period),
        lang: if zh { "zh-CN" } else { "en" }.into(),
        blocks,
    }
}

/// The months of `review` as a table: header and rows (the pages show the same).
pub fn review_table(review: &Review) -> (Vec<String>, Vec<Vec<String>>) {
    let zh = review.lang == Lang::Zh;
    let mut header: Vec<String> =
        if zh { ["月份", "综合得分", "等级", "排名"] } else { ["Month", "Score", "Grade", "Rank"] }
            .map(str::to_owned)
            .to_vec();
    let kpis: Vec<Option<yeji_core::KpiId>> = review.kpis.iter().map(|k| k.parse().ok()).collect();
    for (id, kpi) in review.kpis.iter().zip(&kpis) {
        let name = kpi.map_or(id.as_str(), |k| crate::kpi_name(k, review.lang));
        header.push(name.to_owned());
        header.push(format!("{name}{}", if zh { "目标" } else { " target" }));
    }
    let value = |kpi: Option<yeji_core::KpiId>, v: Option<f64>| match (kpi, v) {
        (Some(kpi), Some(v)) => crate::kpi_value(kpi, v, review.lang),
        (None, Some(v)) => format!("{v:.2}"),
        (_, None) => "–".into(),
    };
    let rows = review
        .months
        .iter()
        .map(|m| {
            let mut row = vec![
                m.period.clone(),
                m.score.map_or("–".into(), |s| format!("{s:.1}")),
                m.grade.clone().unwrap_or_else(|| "–".into()),
                m.rank.map_or("–".into(), |r| format!("{r}/{}", m.rank_of)),
            ];
            for ((v, t), kpi) in m.values.iter().zip(&kpis) {
                row.push(value(*kpi, *v));
                row.push(value(*kpi, *t));
            }
            row
        })
        .collect();
    (header, rows)
}

/// The document of a review.
pub fn review_report(review: &Review) -> Doc {
    let zh = review.lang == Lang::Zh;
    let (header, rows) = review_table(review);
    Doc {
        title: format!("{} ({}) · {}", review.name, review.rep_id, if zh { "阶段回顾" } else { "Review" }),
        subtitle: review.period.clone(),
        lang: if zh { "zh-CN" } else { "en" }.into(),
        blocks: vec![
            Block::Table { header, rows },
            Block::Heading(if zh { "小结" } else { "Summary" }.into()),
            Block::Bullets(review.points.iter().map(|p| p.text.clone()).collect()),
        ],
    }
}
