//! Plans in the catalog: created from a plan file (kept as given), check-ins
//! validated against the plan's items and levels.

use yeji_core::Org;
use yeji_store::{Catalog, CheckinRow, StoreError};

use crate::{Plan, PlanError, PlanKind};

#[derive(Clone, Debug, serde::Serialize)]
pub struct StoredPlan {
    pub id: i64,
    pub state: String,
    pub author: String,
    pub plan: Plan,
    pub checkins: Vec<CheckinRow>,
}

/// Saves the plan read from `toml` for a rep active at its start in `org`; its id.
pub async fn create(catalog: &Catalog, org: &Org, toml: &str, file: &str, actor: &str) -> Result<i64, PlanError> {
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
    let kind = match plan.kind {
        PlanKind::Idp => "idp",
        PlanKind::Pip => "pip",
    };
    Ok(catalog.add_plan(&plan.rep_id, kind, toml, actor).await?)
}

pub async fn load(catalog: &Catalog, id: i64) -> Result<StoredPlan, PlanError> {
    let row = catalog.plan(id).await?.ok_or(StoreError::NoSuchPlan(id))?;
    let plan = Plan::parse(&row.toml, &format!("plan {id}"))?;
    Ok(StoredPlan { id, state: row.state, author: row.author, plan, checkins: catalog.checkins(id).await? })
}

/// Records progress on item `item` (1-based) at `level` (1–5).
pub async fn checkin(
    catalog: &Catalog,
    id: i64,
    item: usize,
    level: i64,
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
    if matches!(stored.state.as_str(), "completed" | "cancelled" | "passed" | "failed") {
        return Err(PlanError::Refused(format!("plan {id} is {}: no more check-ins", stored.state)));
    }
    Ok(catalog.add_checkin(id, item as i64, level, note, actor).await?)
}
