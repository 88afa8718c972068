//! `yeji plan` (SPEC §15.5): improvement plans from a plan file, check-ins,
//! and the measured effect at the evaluation date.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Subcommand)]
pub enum PlanAction {
    /// Create a plan for a rep from a plan file (TOML); its id is printed alone on the last line.
    Create {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Record progress on an item (1-based) at a level (1–5).
    Checkin {
        #[command(flatten)]
        workspace: WorkspaceArg,
        plan: i64,
        #[arg(long)]
        item: usize,
        #[arg(long)]
        level: i64,
        #[arg(long)]
        note: String,
    },
    /// Each linked KPI before and after, against reps of the same level without a plan.
    Effect {
        #[command(flatten)]
        workspace: WorkspaceArg,
        plan: i64,
        /// quarter (default) or month.
        #[arg(long, default_value = "quarter")]
        grain: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub async fn run(action: PlanAction) -> anyhow::Result<ExitCode> {
    match action {
        PlanAction::Create { workspace, rep, file } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file.display().to_string();
            let plan = yeji_plans::Plan::parse(&text, &name)?;
            anyhow::ensure!(plan.rep_id == rep, "{name}: the plan is for rep_id '{}', not --rep {rep}", plan.rep_id);
            let facts = workspace.facts().await?;
            let id = yeji_plans::create(workspace.catalog(), facts.org(), &text, &name, &crate::actor()).await?;
            say!("plan for {rep} with {} items saved", plan.items.len());
            say!("{id}");
        }
        PlanAction::Checkin { workspace, plan, item, level, note } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            yeji_plans::checkin(workspace.catalog(), plan, item, level, &note, &crate::actor()).await?;
            say!("plan {plan} item {item}: level {level}");
        }
        PlanAction::Effect { workspace, plan, grain, format } => {
            let months = match grain.as_str() {
                "quarter" => false,
                "month" => true,
                other => anyhow::bail!("--grain {other}: quarter or month"),
            };
            let workspace = Workspace::open(&workspace.workspace).await?;
            let stored = yeji_plans::load(workspace.catalog(), plan).await?;
            let planned = workspace.catalog().planned_reps().await?;
            let facts = workspace.facts().await?;
            let scheme = workspace.current_scheme().await?.scheme;
            let effect = yeji_plans::measure(&facts, &scheme, (plan, &stored.plan), &planned, months).await?;
            if format == Format::Json {
                say!("{}", serde_json::to_string_pretty(&effect)?);
                return Ok(ExitCode::SUCCESS);
            }
            let number = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.4}"));
            let rows: Vec<Vec<String>> = effect
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.kpi.clone(),
                        format!("{} {}", i.before.period, number(i.before.value)),
                        format!("{} {}", i.after.period, number(i.after.value)),
                        format!("{} → {}", number(i.comparison.before), number(i.comparison.after)),
                        i.comparison.rep_ids.len().to_string(),
                        number(i.effect),
                    ]
                })
                .collect();
            say!("{}", table(&["kpi", "before", "after", "comparison", "group", "effect"], &rows));
            for item in &effect.items {
                if let Some(note) = &item.note {
                    say!("{}: {note}", item.kpi);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
