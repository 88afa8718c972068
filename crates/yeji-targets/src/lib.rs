//! Targets (SPEC §7, §15.2): the top-down decomposition of a target over
//! the months of its period and down the org tree, in exact decimals whose
//! children always sum to their parent, with the weights learnt from the
//! facts (seasonality, history shares) or even; and the check of each
//! target against its forecast and its peers.
//!
//! ```text
//! split.rs      one amount among children by weight, the remainder placed
//! decompose.rs  months, then the tree; quarters and the period as sums
//! weights.rs    the weights from the facts: seasonality, history, even; the parent target
//! saved.rs      a decomposition imported as targets (one batch, audited, revertable)
//! rollup.rs     top-down against bottom-up at every unit
//! check.rs      each target against its forecast and its peers: too easy, unreachable
//! ```

mod check;
mod decompose;
mod rollup;
mod saved;
mod split;
mod weights;

pub use check::{Checked, Thresholds, Verdict, check, verdict};
pub use decompose::{Target, Tree, decompose};
pub use rollup::{Rollup, rollup};
pub use saved::save;
pub use split::split;
pub use weights::{OrgWeights, TimeWeights, decomposition, month_weights, parent_target, targets_of, tree};

/// Decimals of the currency's minor unit (fen, cents).
pub const MINOR_UNIT: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("no {metric} target for {entity} in {period}: import one or set it (yeji target set) first")]
    NoParent { period: String, entity: String, metric: String },
    #[error("no rep or unit '{0}' in this workspace")]
    NoSuchEntity(String),
    #[error("{0}")]
    Bad(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
    #[error(transparent)]
    Facts(#[from] yeji_facts::FactsError),
    #[error(transparent)]
    Forecast(#[from] yeji_forecast::ForecastError),
}
