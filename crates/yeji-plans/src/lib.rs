//! Improvement plans (SPEC §11, §15.5): a plan for a rep in seed 002's table
//! form (development item, current and target level 1–5, reason, measures,
//! resources, evaluation date), items optionally linked to a KPI with a goal;
//! check-ins; and, at the evaluation date, the plan's effect measured as a
//! difference in differences against reps of the same level without a plan.
//!
//! ```text
//! plan.rs     the plan file, validated into a Plan
//! drafted.rs  a plan file drafted from a feedback item's points to improve
//! state.rs    draft → active (both agreed) → completed | passed | failed, or cancelled
//! stored.rs   plans, their steps and check-ins in the catalog
//! effect.rs   before and after, the comparison group, the effect
//! report.rs   a plan as a document (HTML, PDF, XLSX) in seed 002's table form
//! ```

mod drafted;
mod effect;
mod plan;
mod report;
mod state;
mod stored;

pub use drafted::{blank, plan_from};
pub use effect::{Comparison, Effect, ItemEffect, KpiEffects, MIN_GROUP, Measured, by_kpi, effect, measure};
pub use plan::{Plan, PlanItem, PlanKind};
pub use report::{item_columns, item_rows, report};
pub use state::{Agreed, PlanState, PlanStep, Side, next};
pub use stored::{StoredPlan, checkin, create, list, load, take};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("plan {file}: {reason}")]
    BadPlan { file: String, reason: String },
    /// Not a step this side takes.
    #[error("{0}")]
    Forbidden(String),
    /// Not a step the plan's state allows, or a plan that cannot be.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Eval(#[from] yeji_eval::EvalError),
    #[error(transparent)]
    Feedback(#[from] yeji_feedback::FeedbackError),
    #[error(transparent)]
    Store(#[from] yeji_store::StoreError),
}
