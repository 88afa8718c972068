//! `yeji incentive run` (SPEC §15.6): what an incentive plan pays every rep
//! for a period, line by line, in exact decimals.

use std::process::ExitCode;

use anyhow::Context;
use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_incentives::Plan;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Subcommand)]
pub enum IncentiveAction {
    /// Every rep's statement under a plan for a period: each line, each total.
    Run {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        period: String,
        /// The plan (TOML, SPEC §15.6).
        #[arg(long)]
        plan: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub async fn run(action: IncentiveAction) -> anyhow::Result<ExitCode> {
    let IncentiveAction::Run { workspace, period, plan, format } = action;
    let text = std::fs::read_to_string(&plan).with_context(|| format!("reading {}", plan.display()))?;
    let plan = Plan::parse(&text, &plan.display().to_string())?;
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(&period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let run = yeji_incentives::run(&facts, &plan, &period).await?;
    let missing = run.without_targets();
    if !missing.is_empty() {
        eprintln!("no bonus without a revenue target for {} rep(s): {}", missing.len(), missing.join(", "));
    }
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(ExitCode::SUCCESS);
    }
    let ids: Vec<&str> = plan.components.iter().map(|c| c.id.as_str()).collect();
    let rows: Vec<Vec<String>> = run
        .statements
        .iter()
        .map(|s| {
            let mut row = vec![s.rep_id.clone(), s.name.clone()];
            for id in &ids {
                let sum: rust_decimal::Decimal = s.lines.iter().filter(|l| l.component == *id).map(|l| l.amount).sum();
                row.push(yeji_incentives::round(sum, plan.rounding).to_string());
            }
            row.push(s.total.to_string());
            row
        })
        .collect();
    let mut head = vec!["rep", "name"];
    head.extend(&ids);
    head.push("total");
    say!("{} {}: {} reps, {} in all", run.plan, run.period, run.statements.len(), run.total);
    say!("{}", table(&head, &rows));
    Ok(ExitCode::SUCCESS)
}
