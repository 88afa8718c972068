//! Feedback (SPEC §10, §15.5): a draft for each rep and period built from
//! their evaluation, recognition first, then what to improve, then agreed
//! actions, every number in it one yeji computed (its `cites`); the
//! diagnosis → action library; and the states of the conversation that
//! follows (draft → sent → acknowledged | disputed → closed).
//!
//! ```text
//! standing.rs  the numbers a draft may cite for one rep and period (from evaluations)
//! draft.rs     the draft: which points, in which order, with their cites
//! business.rs  the rep's business by product line, channel, segment in a draft
//! text.rs      the sentences and the numbers' formats, zh and en
//! check.rs     every number in a text is one of its cites (a second reading)
//! actions.rs   the action library (actions.toml)
//! state.rs     the conversation's states and who may take which step
//! conversation.rs  items in the catalog: save, load, take a step; Markdown
//! report.rs    an item as a document (HTML, PDF, XLSX)
//! review.rs    a quarter's, half's or year's review: the months side by side, grounded
//! ```

mod actions;
mod business;
mod check;
mod conversation;
mod draft;
mod report;
mod review;
mod standing;
mod state;
mod text;

pub use actions::{Action, DEFAULT_LIBRARY, Library, Who};
pub use check::{ungrounded, ungrounded_points};
pub use conversation::{Item, library_of, list, load, markdown, save, take, title};
pub use draft::{Cite, Draft, Point, Section, SectionKind, What, draft};
pub use report::{report, review_report, review_table};
pub use review::{MonthRow, Review, review};
pub use standing::{KpiStanding, Reps, Standing, gather, standing};
pub use state::{FeedbackState, Side, Step, may, next_state, side_of};
pub use text::{kpi_name, value as kpi_value};

/// The language of a draft.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[serde(rename = "zh")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl std::str::FromStr for Lang {
    type Err = FeedbackError;
    fn from_str(s: &str) -> Result<Lang, FeedbackError> {
        match s.trim() {
            "zh" | "zh-CN" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(FeedbackError::BadLang(other.to_owned())),
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("action library {file}: {reason}")]
    Library { file: String, reason: String },
    #[error("no rep '{0}' with a result in this period")]
    NoSuchRep(String),
    #[error("no org unit '{0}' in this workspace")]
    NoSuchUnit(String),
    #[error("unknown language '{0}': zh or en")]
    BadLang(String),
    /// Not a step this side takes.
    #[error("{0}")]
    Forbidden(String),
    /// Not a step the item's state allows.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
    #[error(transparent)]
    Store(#[from] yeji_store::StoreError),
}
