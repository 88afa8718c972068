//! The levels of an evaluation (SPEC §14): a rep, an org unit, or the company
//! (the org tree's root unit).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Rep,
    Unit,
    Company,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Rep, Level::Unit, Level::Company];

    pub fn name(self) -> &'static str {
        match self {
            Level::Rep => "rep",
            Level::Unit => "unit",
            Level::Company => "company",
        }
    }

    /// Units and the company are both org units (their ids are unit ids).
    pub fn is_unit(self) -> bool {
        self != Level::Rep
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown level '{0}'; expected rep, unit or company")]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;
    fn from_str(s: &str) -> Result<Level, UnknownLevel> {
        Level::ALL.into_iter().find(|l| l.name() == s.trim()).ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}
