//! Alerts in the catalog: each raised alert recorded under its id (its state
//! kept when raised again), the steps that acknowledge and resolve it, and
//! the watch that runs after every import.

use std::path::Path;

use yeji_core::Period;
use yeji_core::scheme::Scheme;
use yeji_eval::Facts;
use yeji_feedback::Lang;
use yeji_store::{AlertRow, Catalog, SeenAlert, StoreError};

use crate::{AlertError, AlertState, AlertStep, Alerts, Rules, Watch, next_state};

/// Records `alerts` (new ones open) and fills in the state each has.
pub async fn record(catalog: &Catalog, alerts: &mut Alerts) -> Result<(), AlertError> {
    let numbers: Vec<String> =
        alerts.alerts.iter().map(|a| serde_json::to_string(&a.numbers).expect("numbers serialise")).collect();
    let seen: Vec<SeenAlert> = alerts
        .alerts
        .iter()
        .zip(&numbers)
        .map(|(a, numbers)| SeenAlert {
            id: &a.id,
            rule: &a.rule,
            entity_id: &a.entity_id,
            period: &alerts.period,
            severity: a.severity.name(),
            numbers,
        })
        .collect();
    let rows = catalog.record_alerts(&seen).await?;
    for (alert, row) in alerts.alerts.iter_mut().zip(rows) {
        alert.state = AlertState::stored(&row.state);
        alert.note = row.note;
        alert.noted_by = row.updated_by;
    }
    Ok(())
}

/// Fills in the state each of `alerts` has in the catalog (open if never recorded).
pub async fn refresh(catalog: &Catalog, alerts: &mut Alerts) -> Result<(), AlertError> {
    let rows = catalog.alerts_of(&alerts.period).await?;
    let by_id: std::collections::HashMap<&str, &AlertRow> = rows.iter().map(|r| (r.id.as_str(), r)).collect();
    for alert in &mut alerts.alerts {
        let row = by_id.get(alert.id.as_str());
        alert.state = row.map_or(AlertState::Open, |r| AlertState::stored(&r.state));
        alert.note = row.and_then(|r| r.note.clone());
        alert.noted_by = row.and_then(|r| r.updated_by.clone());
    }
    Ok(())
}

/// The stored alert `id`.
pub async fn stored(catalog: &Catalog, id: &str) -> Result<AlertRow, AlertError> {
    catalog.alert(id.trim()).await?.ok_or_else(|| StoreError::NoSuchAlert(id.trim().to_owned()).into())
}

/// Takes `step` on alert `id` with `note` (what was done, or why): its new state.
pub async fn take(
    catalog: &Catalog,
    id: &str,
    step: AlertStep,
    note: &str,
    actor: &str,
) -> Result<AlertState, AlertError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AlertError::Bad(format!("--note: say what was done or why, to {} alert {id}", step.name())));
    }
    let row = stored(catalog, id).await?;
    let from = AlertState::stored(&row.state);
    let to = next_state(from, step)?;
    if !catalog.alert_step(&row.id, (step.name(), from.name(), to.name()), note, actor).await? {
        return Err(AlertError::Refused(format!("alert {id} changed meanwhile; look again")));
    }
    Ok(to)
}

/// After an import: the rules run over the month and the quarter of the
/// data's last order, on that day, and the alerts are recorded with their
/// states.
pub async fn after_import(
    facts: &Facts,
    scheme: &Scheme,
    root: &Path,
    catalog: &Catalog,
) -> Result<Vec<Alerts>, AlertError> {
    let Some((_, last)) = yeji_eval::order_dates(facts).await? else { return Ok(Vec::new()) };
    let library = yeji_feedback::library_of(root)?;
    let rules = Rules::of_workspace(root, &library)?;
    let watch = Watch { facts, scheme, rules: &rules, library: &library, lang: Lang::Zh, cached: false };
    let mut raised = Vec::new();
    for period in [Period::month_of(last), Period::quarter_of(last)] {
        let mut alerts = watch.raise(&period, Some(last)).await?;
        record(catalog, &mut alerts).await?;
        raised.push(alerts);
    }
    Ok(raised)
}
