//! A feedback item as a document (HTML, PDF, XLSX through yeji-export): the
//! draft's sections in order, then its conversation.

use yeji_export::{Block, Doc};
use yeji_store::FeedbackEvent;

use crate::{Draft, FeedbackState, Lang, title};

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
