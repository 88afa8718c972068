//! Feedback items kept in the catalog: a saved draft, each step of its
//! conversation checked by the state rules and applied only if the item is
//! still where the rules saw it (two people answering at once: one wins, the
//! other is told), and the draft as Markdown for the command line and exports.

use std::path::Path;

use serde::Serialize;
use yeji_store::{Catalog, FeedbackEvent, FeedbackRow, FeedbackStep};

use crate::state::{FeedbackState, Side, Step, next};
use crate::{Draft, FeedbackError, Lang, Library, SectionKind};

/// A feedback item with its draft (as edited) and its conversation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub id: i64,
    pub rep_id: String,
    pub period: String,
    pub state: FeedbackState,
    pub author: String,
    pub draft: Draft,
    pub events: Vec<FeedbackEvent>,
}

/// The action library of the workspace at `root` (`feedback/actions.toml`), or the built-in one.
pub fn library_of(root: &Path) -> Result<Library, FeedbackError> {
    let path = root.join("feedback").join("actions.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Library::parse(&text, &path.display().to_string()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Library::builtin()),
        Err(error) => Err(FeedbackError::Library { file: path.display().to_string(), reason: error.to_string() }),
    }
}

fn item(row: FeedbackRow, events: Vec<FeedbackEvent>) -> Result<Item, FeedbackError> {
    let broken = |what: &str| FeedbackError::Refused(format!("feedback {}: its stored {what} is unreadable", row.id));
    let state = FeedbackState::parse(&row.state).ok_or_else(|| broken("state"))?;
    let draft = serde_json::from_str(&row.body).map_err(|_| broken("draft"))?;
    Ok(Item { id: row.id, rep_id: row.rep_id, period: row.period, state, author: row.author, draft, events })
}

/// Saves `draft` as a new item; its id.
pub async fn save(catalog: &Catalog, draft: &Draft, actor: &str) -> Result<i64, FeedbackError> {
    let body = serde_json::to_string(draft).expect("a draft serializes");
    Ok(catalog.add_feedback(&draft.rep_id, &draft.period, &draft.lang.to_string(), &body, actor).await?)
}

pub async fn load(catalog: &Catalog, id: i64) -> Result<Item, FeedbackError> {
    let row = catalog.feedback(id).await?.ok_or(yeji_store::StoreError::NoSuchFeedback(id))?;
    item(row, catalog.feedback_events(id).await?)
}

/// The items of `rep` (every rep's when `None`), newest first, without their conversations.
pub async fn list(catalog: &Catalog, rep: Option<&str>) -> Result<Vec<Item>, FeedbackError> {
    catalog.feedback_of(rep).await?.into_iter().map(|row| item(row, Vec::new())).collect()
}

/// Takes `step` on item `id` as `side`; `edited` replaces the draft (an edit
/// or a send with changes). The item as it is afterwards.
pub async fn take(
    catalog: &Catalog,
    id: i64,
    (step, side): (Step, Side),
    text: Option<&str>,
    edited: Option<&Draft>,
    actor: &str,
) -> Result<Item, FeedbackError> {
    let current = load(catalog, id).await?;
    let to = next(current.state, step, side, text)?;
    if let Some(edited) = edited {
        if !matches!(step, Step::Edit | Step::Send) {
            return Err(FeedbackError::Refused(format!("{}: only an edit or a send changes the draft", step.as_str())));
        }
        if (edited.rep_id.as_str(), edited.period.as_str()) != (current.rep_id.as_str(), current.period.as_str()) {
            return Err(FeedbackError::Refused(format!(
                "feedback {id} is for {} in {}: an edit cannot move it to {} in {}",
                current.rep_id, current.period, edited.rep_id, edited.period
            )));
        }
    }
    let body = edited.map(|d| serde_json::to_string(d).expect("a draft serializes"));
    let change = FeedbackStep {
        step: step.as_str(),
        from: current.state.as_str(),
        to: to.as_str(),
        body: body.as_deref(),
        text,
    };
    if !catalog.feedback_step(id, &change, actor).await? {
        return Err(FeedbackError::Refused(format!("feedback {id} changed meanwhile: look at it again")));
    }
    load(catalog, id).await
}

/// Section titles.
pub fn title(kind: SectionKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (SectionKind::Recognition, Lang::Zh) => "正面肯定",
        (SectionKind::Improvement, Lang::Zh) => "需要改进",
        (SectionKind::Actions, Lang::Zh) => "下一步行动",
        (SectionKind::Recognition, Lang::En) => "Recognition",
        (SectionKind::Improvement, Lang::En) => "To improve",
        (SectionKind::Actions, Lang::En) => "Next steps",
    }
}

/// A draft as Markdown, headed by the rep's name.
pub fn markdown(draft: &Draft, name: &str) -> String {
    let mut out = format!("# {name} ({}) · {}\n", draft.rep_id, draft.period);
    for section in &draft.sections {
        out.push_str(&format!("\n## {}\n\n", title(section.kind, draft.lang)));
        for point in &section.points {
            out.push_str(&format!("- {}\n", point.text));
        }
    }
    out
}
