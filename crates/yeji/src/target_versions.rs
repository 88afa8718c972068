//! `yeji target set | approve | reject | versions` (SPEC §7, §15.2): targets
//! set in yeji with their SMART fields, as versions a director approves
//! (landing them in the data) or rejects, audited as the machine's user.

use std::process::ExitCode;

use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_store::TargetVersionRow;
use yeji_targets::{Decision, Fields, Proposal};

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Args)]
pub struct SetArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    period: String,
    /// The rep or unit that owns the target.
    #[arg(long)]
    entity: String,
    #[arg(long, default_value = "revenue")]
    metric: String,
    /// The amount (0 or more, at most 2 decimals).
    #[arg(long, allow_hyphen_values = true)]
    value: String,
    /// Why this number (the SMART note).
    #[arg(long, default_value = "")]
    why: String,
    #[arg(long)]
    product_line: Option<String>,
    /// Approve the new version at once.
    #[arg(long)]
    approve: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(clap::Args)]
pub struct DecideArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// The version's id (see `yeji target versions`).
    id: i64,
    #[arg(long, default_value = "")]
    note: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(clap::Args)]
pub struct VersionsArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    period: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub async fn set(args: SetArgs) -> anyhow::Result<ExitCode> {
    let mut workspace = Workspace::open(&args.workspace.workspace).await?;
    let period = Period::parse_fiscal(&args.period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let entity = workspace.settings().id(&args.entity);
    let fields = Fields {
        entity_id: &entity,
        metric: &args.metric,
        value: &args.value,
        product_line: args.product_line.as_deref(),
        why: &args.why,
    };
    let proposal = Proposal::new(period, fields, facts.org())?;
    let mut row = yeji_targets::propose(&workspace, &proposal, &crate::actor()).await?;
    if args.approve {
        row = yeji_targets::decide(&mut workspace, row.id, Decision::Approve, "", &crate::actor()).await?;
    }
    print(&[row], args.format)
}

pub async fn decide(args: DecideArgs, decision: Decision) -> anyhow::Result<ExitCode> {
    let mut workspace = Workspace::open(&args.workspace.workspace).await?;
    let row = yeji_targets::decide(&mut workspace, args.id, decision, &args.note, &crate::actor()).await?;
    print(&[row], args.format)
}

pub async fn list(args: VersionsArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let period = Period::parse_fiscal(&args.period, workspace.settings().fiscal_year_first_month)?;
    let rows = workspace.catalog().target_versions(&period.to_string()).await?;
    print(&rows, args.format)
}

fn print(rows: &[TargetVersionRow], format: Format) -> anyhow::Result<ExitCode> {
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|v| {
            let decided = v.decided_by.as_ref().map_or("–".into(), |by| {
                let batch = v.batch_id.map_or(String::new(), |b| format!(" (batch {b})"));
                format!("{by}{batch}")
            });
            vec![
                v.id.to_string(),
                v.period.clone(),
                v.entity_id.clone(),
                v.metric.clone(),
                if v.product_line.is_empty() { "–".into() } else { v.product_line.clone() },
                format!("v{}", v.version),
                v.value.clone(),
                v.state.clone(),
                v.proposed_by.clone(),
                decided,
                v.why.clone(),
            ]
        })
        .collect();
    let head = ["id", "period", "entity", "metric", "line", "version", "value", "state", "by", "decided", "why"];
    say!("{}", table(&head, &lines));
    Ok(ExitCode::SUCCESS)
}
