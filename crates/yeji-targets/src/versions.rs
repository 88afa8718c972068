//! Targets set in yeji go through versions (SPEC §7): proposed as a draft
//! (a manager's bottom-up number or a director's own), then approved, when
//! the target lands in the data as one import batch the evaluation uses, or
//! rejected with a note. A newer draft or approval supersedes the older one;
//! nothing is overwritten, and every step is audited with who and when.

use std::fmt;
use std::str::FromStr;

use yeji_facts::Workspace;
use yeji_store::{NewTargetVersion, TargetVersionRow};

use crate::{Proposal, TargetError};

/// Where a version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionState {
    Draft,
    Approved,
    Rejected,
    Superseded,
}

impl VersionState {
    pub fn name(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::Approved => "approved",
            VersionState::Rejected => "rejected",
            VersionState::Superseded => "superseded",
        }
    }
}

impl FromStr for VersionState {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<VersionState, TargetError> {
        [VersionState::Draft, VersionState::Approved, VersionState::Rejected, VersionState::Superseded]
            .into_iter()
            .find(|s| s.name() == text)
            .ok_or_else(|| TargetError::Bad(format!("target state '{text}'")))
    }
}

impl fmt::Display for VersionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a director decides on a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl FromStr for Decision {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Decision, TargetError> {
        match text.trim() {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            other => Err(TargetError::Bad(format!("step '{other}': approve or reject"))),
        }
    }
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }

    /// The state it leads to from a draft; a rejection needs a reason.
    pub fn apply(self, from: VersionState, note: &str) -> Result<VersionState, TargetError> {
        if from != VersionState::Draft {
            return Err(TargetError::Refused(format!("the target is {from}: only a draft can be decided")));
        }
        match self {
            Decision::Approve => Ok(VersionState::Approved),
            Decision::Reject if note.trim().is_empty() => {
                Err(TargetError::Bad("a rejection needs a note saying why".into()))
            }
            Decision::Reject => Ok(VersionState::Rejected),
        }
    }
}

/// Saves `proposal` as a draft version, by `actor`.
pub async fn propose(workspace: &Workspace, proposal: &Proposal, actor: &str) -> Result<TargetVersionRow, TargetError> {
    let (period, value) = (proposal.period.to_string(), proposal.value.to_string());
    let new = NewTargetVersion {
        period: &period,
        entity_id: &proposal.entity_id,
        metric: proposal.metric.as_str(),
        product_line: proposal.product_line.as_deref().unwrap_or(""),
        value: &value,
        why: &proposal.why,
    };
    Ok(workspace.catalog().propose_target(&new, actor).await.map_err(yeji_facts::FactsError::from)?)
}

/// The stored version `id`.
pub async fn version(workspace: &Workspace, id: i64) -> Result<TargetVersionRow, TargetError> {
    workspace
        .catalog()
        .target_version(id)
        .await
        .map_err(yeji_facts::FactsError::from)?
        .ok_or_else(|| TargetError::NoSuchVersion(id))
}

/// Decides draft `id` by `actor`: an approval imports the target first (the
/// draft stays a draft if that fails), then records the batch it landed as.
pub async fn decide(
    workspace: &mut Workspace,
    id: i64,
    decision: Decision,
    note: &str,
    actor: &str,
) -> Result<TargetVersionRow, TargetError> {
    let row = version(workspace, id).await?;
    let to = decision.apply(row.state.parse()?, note)?;
    let batch = match decision {
        Decision::Reject => None,
        Decision::Approve => land(workspace, &row, actor).await?,
    };
    let decided = workspace
        .catalog()
        .decide_target(id, (decision.name(), to.name()), note.trim(), batch, actor)
        .await
        .map_err(yeji_facts::FactsError::from)?;
    if !decided {
        if let Some(batch) = batch {
            workspace.revert(batch, actor).await?;
        }
        return Err(TargetError::Refused(format!("target version {id} was decided meanwhile")));
    }
    version(workspace, id).await
}

/// Imports the version's target; the batch, `None` when the data held it already.
async fn land(workspace: &mut Workspace, row: &TargetVersionRow, actor: &str) -> Result<Option<i64>, TargetError> {
    let facts = workspace.facts().await?;
    let target = crate::Target {
        period: row.period.clone(),
        entity_id: row.entity_id.clone(),
        metric: row.metric.clone(),
        product_line: Some(row.product_line.clone()).filter(|p| !p.is_empty()),
        value: row.value.parse().map_err(|_| TargetError::Bad(format!("stored value '{}'", row.value)))?,
    };
    let report = crate::save(workspace, facts.org(), &[target], actor).await?;
    if report.rejected_rows > 0 {
        let reason = report.rejects.first().map_or_else(String::new, |r| format!(": {r}"));
        return Err(TargetError::Bad(format!("the target of version {} was rejected on import{reason}", row.id)));
    }
    Ok(report.batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_draft_is_decided_and_a_rejection_says_why() {
        use VersionState::*;
        assert_eq!(Decision::Approve.apply(Draft, "").unwrap(), Approved);
        assert_eq!(Decision::Reject.apply(Draft, "too low").unwrap(), Rejected);
        assert_eq!(Decision::Reject.apply(Draft, " ").unwrap_err().to_string(), "a rejection needs a note saying why");
        assert_eq!(
            Decision::Approve.apply(Superseded, "").unwrap_err().to_string(),
            "refused: the target is superseded: only a draft can be decided"
        );
        assert_eq!("approve".parse::<Decision>().unwrap(), Decision::Approve);
        assert_eq!("ok".parse::<Decision>().unwrap_err().to_string(), "step 'ok': approve or reject");
        for state in [Draft, Approved, Rejected, Superseded] {
            assert_eq!(state.name().parse::<VersionState>().unwrap(), state);
        }
    }
}
