//! `yeji incentive` (SPEC §15.6): plan versions saved in the workspace
//! (each from a month), what the plans pay every rep for a period, line by
//! line, in exact decimals, and a new plan beside them (what-if).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_incentives::{Plan, Schedule};

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
        /// A plan file (TOML, SPEC §15.6) for every month; default: the saved versions in effect.
        #[arg(long)]
        plan: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Save a plan file as the next version, in effect from a month; or list the versions.
    Plan {
        #[command(subcommand)]
        action: PlanAction,
    },
    /// A new plan beside the plans in effect: total cost, the change per rep, the spread of payouts.
    Whatif {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        period: String,
        /// The new plan (TOML), for every month of the period.
        #[arg(long)]
        plan: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(clap::Subcommand)]
pub enum PlanAction {
    Save {
        #[command(flatten)]
        workspace: WorkspaceArg,
        file: PathBuf,
        /// The first month it is in effect (YYYY-MM).
        #[arg(long)]
        from: String,
    },
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
}

fn read_plan(file: &Path) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(Plan::parse(&text, &file.display().to_string())?)
}

pub async fn run(action: IncentiveAction) -> anyhow::Result<ExitCode> {
    let (workspace, period, plan, format) = match action {
        IncentiveAction::Run { workspace, period, plan, format } => (workspace, period, plan, format),
        IncentiveAction::Plan { action } => return plans(action).await,
        IncentiveAction::Whatif { workspace, period, plan, format } => {
            return whatif(&workspace, &period, &plan, format).await;
        }
    };
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(&period, workspace.settings().fiscal_year_first_month)?;
    let schedule = match &plan {
        Some(file) => Schedule::single(read_plan(file)?),
        None => Schedule::saved(workspace.catalog()).await?,
    };
    let facts = workspace.facts().await?;
    let run = yeji_incentives::run(&facts, &schedule, &period).await?;
    let missing = run.without_targets();
    if !missing.is_empty() {
        eprintln!("no bonus without a revenue target for {} rep(s): {}", missing.len(), missing.join(", "));
    }
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut ids: Vec<&str> = Vec::new();
    for statement in &run.statements {
        for line in &statement.lines {
            if !ids.contains(&line.component.as_str()) {
                ids.push(&line.component);
            }
        }
    }
    let rows: Vec<Vec<String>> = run
        .statements
        .iter()
        .map(|s| {
            let mut row = vec![s.rep_id.clone(), s.name.clone()];
            for id in &ids {
                let sum: rust_decimal::Decimal = s.lines.iter().filter(|l| l.component == *id).map(|l| l.amount).sum();
                row.push(yeji_incentives::money(sum).to_string());
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

async fn plans(action: PlanAction) -> anyhow::Result<ExitCode> {
    match action {
        PlanAction::Save { workspace, file, from } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            Plan::parse(&text, &file.display().to_string())?;
            let from = Period::parse_fiscal(&from, workspace.settings().fiscal_year_first_month)?;
            let version = yeji_incentives::save(workspace.catalog(), &text, &from, &crate::actor()).await?;
            say!("saved plan version {version}, in effect from {from}");
        }
        PlanAction::List { workspace } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let rows: Vec<Vec<String>> = workspace
                .catalog()
                .incentive_plans()
                .await?
                .into_iter()
                .map(|v| {
                    vec![
                        v.version.to_string(),
                        v.plan_id,
                        v.effective_from,
                        v.at.format("%Y-%m-%d %H:%M").to_string(),
                        v.actor,
                    ]
                })
                .collect();
            say!("{}", table(&["version", "plan", "from", "saved", "by"], &rows));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn whatif(workspace: &WorkspaceArg, period: &str, plan: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let new = Schedule::single(read_plan(plan)?);
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let current = Schedule::saved(workspace.catalog()).await?;
    let facts = workspace.facts().await?;
    let (current, new) =
        (yeji_incentives::run(&facts, &current, &period).await?, yeji_incentives::run(&facts, &new, &period).await?);
    let compared = yeji_incentives::compare(&current, &new);
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&compared)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "{}: {} under {} → {} under {} ({:+})",
        compared.period,
        compared.current_total,
        compared.current_plan,
        compared.new_total,
        compared.new_plan,
        compared.change
    );
    let spread = |s: &Option<yeji_incentives::Spread>| {
        s.as_ref().map_or("–".into(), |s| format!("{} / {} / {} / {} / {}", s.min, s.p25, s.median, s.p75, s.max))
    };
    say!(
        "payouts min / p25 / median / p75 / max: {} → {}",
        spread(&compared.current_spread),
        spread(&compared.new_spread)
    );
    let rows: Vec<Vec<String>> = compared
        .reps
        .iter()
        .map(|r| {
            vec![r.rep_id.clone(), r.name.clone(), r.current.to_string(), r.new.to_string(), format!("{:+}", r.change)]
        })
        .collect();
    say!("{}", table(&["rep", "name", "current", "new", "change"], &rows));
    Ok(ExitCode::SUCCESS)
}
