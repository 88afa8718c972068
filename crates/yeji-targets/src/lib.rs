//! Targets (SPEC §7, §15.2): the top-down decomposition of a target over
//! the months of its period and down the org tree, in exact decimals whose
//! children always sum to their parent, with the weights learnt from the
//! facts (seasonality, history shares) or even; and the check of each
//! target against its forecast and its peers.
//!
//! ```text
//! split.rs      one amount among children by weight, the remainder placed
//! decompose.rs  months, then the tree; quarters and the period as sums
//! weights.rs    the months' weights (seasonality, even, manual), the tree, the parent target
//! org_weights.rs  a unit's children's weights: history, potential, even, manual
//! saved.rs      a decomposition imported as targets (one batch, audited, revertable)
//! proposal.rs   a target set in yeji, its SMART fields checked
//! versions.rs   draft → approved (landed as an import) or rejected, audited
//! rollup.rs     top-down against bottom-up at every unit
//! check.rs      each target against its forecast and its peers: too easy, unreachable
//! ```

mod check;
mod decompose;
mod org_weights;
mod proposal;
mod rollup;
mod saved;
mod split;
mod versions;
mod weights;

pub use check::{Checked, Thresholds, Verdict, check, verdict};
pub use decompose::{Target, Tree, decompose, decompose_lines};
pub use org_weights::OrgWeights;
pub use proposal::{Fields, Proposal, value};
pub use rollup::{Rollup, rollup};
pub use saved::save;
pub use split::split;
pub use versions::{Decision, VersionState, decide, propose, version};
pub use weights::{
    LineWeights, TimeWeights, decomposition, line_weights, month_weights, parent_target, targets_of, tree,
};

pub use yeji_core::MINOR_UNIT;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("no {metric} target for {entity} in {period}: import one or set it (yeji target set) first")]
    NoParent { period: String, entity: String, metric: String },
    #[error("no rep or unit '{0}' in this workspace")]
    NoSuchEntity(String),
    #[error("{0}")]
    Bad(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("no target version {0} (see `yeji target versions`)")]
    NoSuchVersion(i64),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
    #[error(transparent)]
    Facts(#[from] yeji_facts::FactsError),
    #[error(transparent)]
    Forecast(#[from] yeji_forecast::ForecastError),
}
