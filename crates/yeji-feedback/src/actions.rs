//! The diagnosis → action library: what to suggest when a KPI falls short,
//! kept as data (`actions.toml`, built in; a workspace may keep its own as
//! `W/feedback/actions.toml`), checked when read.

use serde::Deserialize;
use yeji_core::KpiId;

use crate::{FeedbackError, Lang};

/// The library built into yeji.
pub const DEFAULT_LIBRARY: &str = include_str!("../actions.toml");

/// Who an action is for, beyond the KPI it moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// A rep in their first months.
    NewHire,
    /// A team lead.
    Lead,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub id: String,
    pub kpi: KpiId,
    pub who: Option<Who>,
    zh: String,
    en: String,
}

impl Action {
    /// The suggestion in `lang`, naming `best_peer` where it says `{best_peer}`.
    pub fn text(&self, lang: Lang, best_peer: &str) -> String {
        let text = match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        };
        text.replace("{best_peer}", best_peer)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Library {
    actions: Vec<Action>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    action: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    kpi: String,
    who: Option<Who>,
    zh: String,
    en: String,
}

impl Library {
    /// Reads a library; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Library, FeedbackError> {
        let bad = |reason: String| FeedbackError::Library { file: source.to_owned(), reason };
        let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut actions = Vec::new();
        for entry in file.action {
            let kpi = entry.kpi.parse::<KpiId>().map_err(|e| bad(format!("action '{}': {e}", entry.id)))?;
            if entry.zh.trim().is_empty() || entry.en.trim().is_empty() {
                return Err(bad(format!("action '{}': both zh and en texts are needed", entry.id)));
            }
            if actions.iter().any(|a: &Action| a.id == entry.id) {
                return Err(bad(format!("action '{}' is given twice", entry.id)));
            }
            actions.push(Action { id: entry.id, kpi, who: entry.who, zh: entry.zh, en: entry.en });
        }
        Ok(Library { actions })
    }

    pub fn builtin() -> Library {
        Library::parse(DEFAULT_LIBRARY, "the built-in actions.toml").expect("the built-in library is valid")
    }

    /// The actions that move `kpi` for a rep who is `who` (general ones first).
    pub fn for_kpi<'a>(&'a self, kpi: &'a str, who: &'a [Who]) -> impl Iterator<Item = &'a Action> + 'a {
        let general = self.actions.iter().filter(move |a| a.kpi.as_str() == kpi && a.who.is_none());
        let particular =
            self.actions.iter().filter(move |a| a.kpi.as_str() == kpi && a.who.is_some_and(|w| who.contains(&w)));
        particular.chain(general)
    }

    /// The action `id`.
    pub fn get(&self, id: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.id == id)
    }

    /// The actions made for reps who are `who`.
    pub fn for_who(&self, who: Who) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(move |a| a.who == Some(who))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_library_reads_and_a_bad_one_names_its_fault() {
        let library = Library::builtin();
        let ids: Vec<&str> = library.for_kpi("new_customer_rate", &[]).map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["new_customer_training"]);
        let for_new_hire: Vec<&str> = library.for_kpi("revenue", &[Who::NewHire]).map(|a| a.id.as_str()).collect();
        assert_eq!(for_new_hire, ["mentor", "pipeline_review"]);
        assert_eq!(
            library.for_kpi("new_customer_rate", &[]).next().unwrap().text(Lang::Zh, "马娟"),
            "参加新客户开发培训，并陪同马娟拜访客户，学习开拓新客户的方法"
        );
        let error =
            Library::parse("[[action]]\nid = 'x'\nkpi = 'charm'\nzh = 'a'\nen = 'b'\n", "W/feedback/actions.toml")
                .unwrap_err()
                .to_string();
        assert!(
            error.contains("W/feedback/actions.toml") && error.contains("action 'x'") && error.contains("charm"),
            "{error}"
        );
    }
}
