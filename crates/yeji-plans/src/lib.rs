//! Improvement plans (SPEC §11, §15.5): a plan for a rep in seed 002's table
//! form (development item, current and target level 1–5, reason, measures,
//! resources, evaluation date), items optionally linked to a KPI with a goal;
//! check-ins; and, at the evaluation date, the plan's effect measured as a
//! difference in differences against reps of the same level without a plan.
//!
//! ```text
//! plan.rs     the plan file, validated into a Plan
//! effect.rs   before and after, the comparison group, the effect
//! stored.rs   plans and check-ins in the catalog
//! ```

mod effect;
mod plan;
mod stored;

pub use effect::{Comparison, Effect, ItemEffect, Measured, effect, measure};
pub use plan::{Plan, PlanItem, PlanKind};
pub use stored::{StoredPlan, checkin, create, load};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("plan {file}: {reason}")]
    BadPlan { file: String, reason: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
    #[error(transparent)]
    Store(#[from] yeji_store::StoreError),
}
