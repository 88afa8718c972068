//! `yeji target` and `yeji targets` (SPEC §15.2): the top-down
//! decomposition of a target over its months and down the org tree, printed,
//! or saved as targets (an import, audited as the machine's user); every
//! unit's target against the sum of its children's.

use std::process::ExitCode;

use anyhow::Context;

use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_targets::{Decision, LineWeights, OrgWeights, Thresholds, TimeWeights};

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Subcommand)]
pub enum TargetAction {
    /// Share an entity's target for a period among its months and down the tree to the reps.
    Decompose {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        period: String,
        /// The unit (or the company) whose target is shared.
        #[arg(long)]
        entity: String,
        #[arg(long, default_value = "revenue")]
        metric: String,
        /// seasonality (the entity's revenue by calendar month, two years before), even,
        /// or manual:SHARES (each month's percentage, in order, summing to 100).
        #[arg(long, default_value = "seasonality")]
        time: String,
        /// history (each child's revenue a year before), even, potential (the regions'
        /// market sizes in market.csv, evenly within a region), or manual:FILE (CSV
        /// entity_id,share: each listed child's percentage of its parent).
        #[arg(long, default_value = "history")]
        org: String,
        /// Share among product lines first: history (the entity's revenue per line a
        /// year before) or even; each line then goes down the tree.
        #[arg(long)]
        product_line: Option<String>,
        /// Save the result as targets (one import batch).
        #[arg(long)]
        save: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Judge each revenue target of a period against its forecast and its peers: too easy, unreachable.
    Check {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        period: String,
        /// Percent below both the forecast and the peers' median a year earlier that is too easy.
        #[arg(long, default_value_t = 25.0)]
        too_easy: f64,
        /// Percent above the forecast that is out of reach.
        #[arg(long, default_value_t = 50.0)]
        unreachable: f64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Propose a target (a draft version; --approve to approve it at once).
    Set(crate::target_versions::SetArgs),
    /// Approve a draft target version: it lands in the data (one import batch).
    Approve(crate::target_versions::DecideArgs),
    /// Reject a draft target version, with a note saying why.
    Reject(crate::target_versions::DecideArgs),
    /// Every version of a period's targets set in yeji, with who proposed and decided it.
    Versions(crate::target_versions::VersionsArgs),
}

pub async fn run(action: TargetAction) -> anyhow::Result<ExitCode> {
    let (workspace, period, entity, metric, (time, org, lines), save, format) = match action {
        TargetAction::Decompose { workspace, period, entity, metric, time, org, product_line, save, format } => {
            (workspace, period, entity, metric, (time, org, product_line), save, format)
        }
        TargetAction::Check { workspace, period, too_easy, unreachable, format } => {
            return check(&workspace, &period, Thresholds { too_easy, unreachable }, format).await;
        }
        TargetAction::Set(args) => return crate::target_versions::set(args).await,
        TargetAction::Approve(args) => return crate::target_versions::decide(args, Decision::Approve).await,
        TargetAction::Reject(args) => return crate::target_versions::decide(args, Decision::Reject).await,
        TargetAction::Versions(args) => return crate::target_versions::list(args).await,
    };
    let time: TimeWeights = time.parse()?;
    let lines: Option<LineWeights> = lines.map(|l| l.parse()).transpose()?;
    let org = match org.strip_prefix("manual:") {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
            OrgWeights::manual(&text, file)?
        }
        None => OrgWeights::named(&org)?,
    };
    let mut workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(&period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let scheme = workspace.current_scheme().await?.scheme;
    let entity = entity.trim().to_owned();
    let ask = (&period, entity.as_str(), metric.as_str());
    let (total, targets) =
        yeji_targets::decomposition(&facts, &scheme, ask, (time, org, lines), yeji_targets::MINOR_UNIT).await?;
    if format == Format::Json {
        let parent = serde_json::json!({
            "period": period.to_string(), "entity_id": entity, "metric": metric, "value": total.to_string()
        });
        say!("{}", serde_json::to_string_pretty(&serde_json::json!({ "parent": parent, "targets": targets }))?);
    } else {
        let by_line = targets.iter().any(|t| t.product_line.is_some());
        let rows: Vec<Vec<String>> = targets
            .iter()
            .map(|t| {
                let mut row = vec![t.period.clone(), t.entity_id.clone()];
                if by_line {
                    row.push(t.product_line.clone().unwrap_or_else(|| "–".into()));
                }
                row.push(t.value.to_string());
                row
            })
            .collect();
        say!("{} {} {period}: {total}", entity, metric);
        let head: &[&str] =
            if by_line { &["period", "entity", "line", "value"] } else { &["period", "entity", "value"] };
        say!("{}", table(head, &rows));
    }
    if save {
        let report = yeji_targets::save(&mut workspace, facts.org(), &targets, &crate::actor()).await?;
        say!("saved {} targets as batch {}", targets.len(), report.batch.map_or("–".into(), |b| b.to_string()));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RollupArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    period: String,
    #[arg(long, default_value = "revenue")]
    metric: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `yeji targets`: top-down against bottom-up at every unit.
pub async fn rollup(args: RollupArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let period = Period::parse_fiscal(&args.period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let scheme = workspace.current_scheme().await?.scheme;
    let root = facts.org().root().ok_or_else(|| anyhow::anyhow!("the workspace has no org units yet"))?.to_owned();
    let tree = yeji_targets::tree(&facts, &scheme, &period, &root, &OrgWeights::Even).await?;
    let targets = yeji_targets::targets_of(&facts, &period, &args.metric).await?;
    let rows = yeji_targets::rollup(&tree, &targets);
    if args.format == Format::Json {
        let out = serde_json::json!({ "period": period.to_string(), "metric": args.metric, "units": rows });
        say!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let text = |v: Option<rust_decimal::Decimal>| v.map_or("–".into(), |v| v.to_string());
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let name = facts.org().unit(&r.entity_id).map_or(r.entity_id.clone(), |u| u.name.clone());
            vec![r.entity_id.clone(), name, text(r.top_down), text(r.bottom_up), text(r.gap)]
        })
        .collect();
    say!("{}", table(&["unit", "name", "top-down", "bottom-up", "gap"], &lines));
    Ok(ExitCode::SUCCESS)
}

/// `yeji target check`.
async fn check(workspace: &WorkspaceArg, period: &str, limits: Thresholds, format: Format) -> anyhow::Result<ExitCode> {
    for (name, value) in [("--too-easy", limits.too_easy), ("--unreachable", limits.unreachable)] {
        if !(0.0..=1000.0).contains(&value) {
            anyhow::bail!("{name} {value}: a percentage from 0 to 1000");
        }
    }
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let scheme = workspace.current_scheme().await?.scheme;
    let targets = yeji_targets::check(&facts, &scheme, &period, limits).await?;
    if format == Format::Json {
        let out = serde_json::json!({ "period": period.to_string(), "targets": targets });
        say!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let number = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.2}"));
    let rows: Vec<Vec<String>> = targets
        .iter()
        .map(|t| {
            vec![
                t.entity_id.clone(),
                t.target.to_string(),
                number(t.forecast),
                number(t.peer_median),
                t.verdict.name().to_owned(),
                t.reason.clone(),
            ]
        })
        .collect();
    say!("{}", table(&["entity", "target", "forecast", "peer median", "verdict", "reason"], &rows));
    Ok(ExitCode::SUCCESS)
}
