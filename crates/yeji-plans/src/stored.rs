//! Plans in the catalog: created from a plan file (kept as given) for a rep
//! active at its start, each step checked by the state rules and applied only
//! if the plan is still where the rules saw it, check-ins on running plans.

use chrono::NaiveDate;
use yeji_core::Org;
use yeji_store::{Catalog, CheckinRow, PlanChange, PlanEvent, PlanRow, StoreError};

use crate::state::{Agreed, PlanState, PlanStep, Side, next, side_name};
use crate::{Plan, PlanError};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoredPlan {
    pub id: i64,
    pub state: PlanState,
    pub author: String,
    /// The feedback item it was drafted from.
    pub feedback_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub plan: Plan,
    /// The plan file as kept (what an edit starts from).
    pub toml: String,
    pub agreed: Agreed,
    pub events: Vec<PlanEvent>,
    pub checkins: Vec<CheckinRow>,
}

impl StoredPlan {
    /// The items (1-based) of a running plan whose evaluation date is before `today`.
    pub fn overdue(&self, today: NaiveDate) -> Vec<usize> {
        if self.state != PlanState::Active {
            return Vec::new();
        }
        (1..=self.plan.items.len()).filter(|n| self.plan.items[n - 1].evaluation_date < today).collect()
    }

    /// The latest check-in level of item `n` (1-based).
    pub fn level_now(&self, n: usize) -> Option<i64> {
        self.checkins.iter().rev().find(|c| c.item == n as i64).map(|c| c.level)
    }
}

/// Reads `toml` as a plan for a rep of `org` active at its start.
fn validated(org: &Org, toml: &str, file: &str) -> Result<Plan, PlanError> {
    let plan = Plan::parse(toml, file)?;
    let refuse =
        |why: String| PlanError::BadPlan { file: file.to_owned(), reason: format!("rep_id '{}': {why}", plan.rep_id) };
    if !org.has_rep(&plan.rep_id) {
        return Err(refuse("no rep of that id".into()));
    }
    let row = org.rep_on(&plan.rep_id, Some(plan.start));
    if let Some(hired) = row.and_then(|r| r.hire_date).filter(|hired| *hired > plan.start) {
        return Err(refuse(format!("hired on {hired}, after the plan's start {}", plan.start)));
    }
    if !row.is_some_and(|r| r.active) {
        return Err(refuse(format!("not an active rep on the plan's start {}", plan.start)));
    }
    Ok(plan)
}

/// Saves the plan read from `toml` (drafted from `feedback_id`, if given); its id.
pub async fn create(
    catalog: &Catalog,
    org: &Org,
    (toml, file): (&str, &str),
    feedback_id: Option<i64>,
    actor: &str,
) -> Result<i64, PlanError> {
    let plan = validated(org, toml, file)?;
    Ok(catalog.add_plan((&plan.rep_id, plan.kind.as_str()), toml, feedback_id, actor).await?)
}

fn stored(row: PlanRow, events: Vec<PlanEvent>, checkins: Vec<CheckinRow>) -> Result<StoredPlan, PlanError> {
    let broken = |what: &str| PlanError::Refused(format!("plan {}: its stored {what} is unreadable", row.id));
    let state = PlanState::parse(&row.state).ok_or_else(|| broken("state"))?;
    let plan = Plan::parse(&row.toml, &format!("plan {}", row.id))?;
    let agreed = Agreed::from_steps(events.iter().map(|e| (e.step.as_str(), e.side.as_str())));
    Ok(StoredPlan {
        id: row.id,
        state,
        author: row.author,
        feedback_id: row.feedback_id,
        plan,
        toml: row.toml,
        agreed,
        events,
        checkins,
    })
}

pub async fn load(catalog: &Catalog, id: i64) -> Result<StoredPlan, PlanError> {
    let row = catalog.plan(id).await?.ok_or(StoreError::NoSuchPlan(id))?;
    stored(row, catalog.plan_events(id).await?, catalog.checkins(id).await?)
}

/// The plans of `rep` (every rep's when `None`), newest first, with their steps and check-ins.
pub async fn list(catalog: &Catalog, rep: Option<&str>) -> Result<Vec<StoredPlan>, PlanError> {
    let mut plans = Vec::new();
    for row in catalog.plans_of(rep).await? {
        let id = row.id;
        plans.push(stored(row, catalog.plan_events(id).await?, catalog.checkins(id).await?)?);
    }
    Ok(plans)
}

/// Takes `step` on plan `id` as `side` with its note; `edited` is the new
/// plan file of an edit (validated against `org`, for the same rep). The plan
/// as it is afterwards.
pub async fn take(
    catalog: &Catalog,
    org: &Org,
    id: i64,
    (step, side): (PlanStep, Side),
    (text, edited): (Option<&str>, Option<&str>),
    actor: &str,
) -> Result<StoredPlan, PlanError> {
    let current = load(catalog, id).await?;
    let to = next((current.state, current.plan.kind, current.agreed), step, side, text)?;
    let edited = match (step, edited) {
        (PlanStep::Edit, Some(toml)) => {
            let plan = validated(org, toml, &format!("plan {id}"))?;
            if (plan.rep_id.as_str(), plan.kind) != (current.plan.rep_id.as_str(), current.plan.kind) {
                return Err(PlanError::Refused(format!(
                    "plan {id} is a {} for {}: an edit cannot make it a {} for {}",
                    current.plan.kind.as_str(),
                    current.plan.rep_id,
                    plan.kind.as_str(),
                    plan.rep_id
                )));
            }
            Some(toml)
        }
        (PlanStep::Edit, None) => return Err(PlanError::Refused("edit: the new plan file is missing".into())),
        (_, Some(_)) => return Err(PlanError::Refused(format!("{}: only an edit changes the plan", step.as_str()))),
        (_, None) => None,
    };
    let change = PlanChange {
        step: step.as_str(),
        side: side_name(side),
        from: current.state.as_str(),
        seen: current.events.len() as i64,
        to: to.as_str(),
        toml: edited,
        text,
    };
    if !catalog.plan_step(id, &change, actor).await? {
        return Err(PlanError::Refused(format!("plan {id} changed meanwhile: look at it again")));
    }
    load(catalog, id).await
}

/// Records progress on item `item` (1-based) of a running plan at `level` (1–5).
pub async fn checkin(
    catalog: &Catalog,
    id: i64,
    (item, level): (usize, i64),
    note: &str,
    actor: &str,
) -> Result<(), PlanError> {
    let stored = load(catalog, id).await?;
    if item == 0 || item > stored.plan.items.len() {
        return Err(PlanError::Refused(format!(
            "plan {id} has items 1 to {}: no item {item}",
            stored.plan.items.len()
        )));
    }
    if !(1..=5).contains(&level) {
        return Err(PlanError::Refused(format!("level {level}: a level is 1 to 5")));
    }
    if note.trim().is_empty() {
        return Err(PlanError::Refused("a check-in needs its note (--note)".into()));
    }
    let refused =
        || PlanError::Refused(format!("plan {id} is {}: check-ins are for a running plan", stored.state.as_str()));
    if stored.state != PlanState::Active || !catalog.add_checkin(id, item as i64, level, note, actor).await? {
        return Err(refused());
    }
    Ok(())
}
