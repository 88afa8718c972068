//! `yeji plan` (SPEC §15.5): improvement plans from a plan file or a feedback
//! item, their agreement and end, check-ins, and the measured effect at the
//! evaluation date. The command line acts for whoever the step needs (e.g.
//! recording the rep's agreement given on paper) and is audited as the
//! machine's user.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_plans::{PlanKind, PlanStep, Side};

use crate::WorkspaceArg;
use crate::output::{Format, ShowFormat, table};

#[derive(clap::Subcommand)]
pub enum PlanAction {
    /// Create a plan for a rep from a plan file (TOML) or from a feedback item's
    /// points to improve; its id is printed alone on the last line.
    Create {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: String,
        #[arg(long, conflicts_with = "from_feedback", required_unless_present = "from_feedback")]
        file: Option<PathBuf>,
        #[arg(long)]
        from_feedback: Option<i64>,
        /// For --from-feedback: idp or pip.
        #[arg(long, default_value = "idp")]
        kind: String,
    },
    /// Replace a draft plan's file (withdraws the agreements given before).
    Edit {
        #[command(flatten)]
        workspace: WorkspaceArg,
        plan: i64,
        #[arg(long)]
        file: PathBuf,
    },
    /// Record the rep's or the manager's agreement; the plan runs once both agreed.
    Agree {
        #[command(flatten)]
        workspace: WorkspaceArg,
        plan: i64,
        /// On whose behalf: rep or manager.
        #[arg(long = "as")]
        side: String,
    },
    /// End a running IDP.
    Complete(EndArgs),
    /// End a running PIP as passed, with the note.
    Pass(EndArgs),
    /// End a running PIP as failed, with the note.
    Fail(EndArgs),
    /// Call a plan off, with the reason.
    Cancel(EndArgs),
    /// The plans, of one rep or all.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One plan: its items, agreements, steps and check-ins (also as an html,
    /// pdf or xlsx report, with its effect).
    Show {
        #[command(flatten)]
        workspace: WorkspaceArg,
        plan: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
        /// zh or en, for a report.
        #[arg(long, default_value = "zh")]
        lang: String,
        /// Write the report here instead of to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
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

#[derive(clap::Args)]
pub struct EndArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    plan: i64,
    #[arg(long)]
    note: Option<String>,
}

fn read(file: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    Ok((text, file.display().to_string()))
}

pub async fn run(action: PlanAction) -> anyhow::Result<ExitCode> {
    let (step, side, args, edited) = match action {
        PlanAction::Create { workspace, rep, file, from_feedback, kind } => {
            return create(&workspace, &rep, file.as_deref(), from_feedback, &kind).await;
        }
        PlanAction::List { workspace, rep, format } => return list(&workspace, rep.as_deref(), format).await,
        PlanAction::Show { workspace, plan, format, lang, out } => {
            return show(&workspace, plan, format, (lang.parse()?, out.as_deref())).await;
        }
        PlanAction::Checkin { workspace, plan, item, level, note } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            yeji_plans::checkin(workspace.catalog(), plan, (item, level), &note, &crate::actor()).await?;
            say!("plan {plan} item {item}: level {level}");
            return Ok(ExitCode::SUCCESS);
        }
        PlanAction::Effect { workspace, plan, grain, format } => return effect(&workspace, plan, &grain, format).await,
        PlanAction::Edit { workspace, plan, file } => {
            let edited = read(&file)?;
            (PlanStep::Edit, Side::Manager, EndArgs { workspace, plan, note: None }, Some(edited.0))
        }
        PlanAction::Agree { workspace, plan, side } => {
            let side = match side.as_str() {
                "rep" => Side::Rep,
                "manager" => Side::Manager,
                other => anyhow::bail!("--as {other}: rep or manager"),
            };
            (PlanStep::Agree, side, EndArgs { workspace, plan, note: None }, None)
        }
        PlanAction::Complete(args) => (PlanStep::Complete, Side::Manager, args, None),
        PlanAction::Pass(args) => (PlanStep::Pass, Side::Manager, args, None),
        PlanAction::Fail(args) => (PlanStep::Fail, Side::Manager, args, None),
        PlanAction::Cancel(args) => (PlanStep::Cancel, Side::Manager, args, None),
    };
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let facts = workspace.facts().await?;
    let plan = yeji_plans::take(
        workspace.catalog(),
        facts.org(),
        args.plan,
        (step, side),
        (args.note.as_deref(), edited.as_deref()),
        &crate::actor(),
    )
    .await?;
    let agreed = |yes: bool| if yes { "yes" } else { "not yet" };
    say!(
        "plan {} is {} (rep agreed: {}, manager agreed: {})",
        plan.id,
        plan.state.as_str(),
        agreed(plan.agreed.rep),
        agreed(plan.agreed.manager)
    );
    Ok(ExitCode::SUCCESS)
}

async fn create(
    args: &WorkspaceArg,
    rep: &str,
    file: Option<&Path>,
    from_feedback: Option<i64>,
    kind: &str,
) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace).await?;
    let (text, name) = match (file, from_feedback) {
        (Some(file), _) => read(file)?,
        (None, Some(id)) => {
            let kind = match kind {
                "idp" => PlanKind::Idp,
                "pip" => PlanKind::Pip,
                other => anyhow::bail!("--kind {other}: idp or pip"),
            };
            let item = yeji_feedback::load(workspace.catalog(), id).await?;
            let period = Period::parse_fiscal(&item.period, workspace.settings().fiscal_year_first_month)?;
            (yeji_plans::plan_from(&item.draft, &period, kind)?, format!("feedback {id}"))
        }
        (None, None) => unreachable!("clap requires --file or --from-feedback"),
    };
    let plan = yeji_plans::Plan::parse(&text, &name)?;
    anyhow::ensure!(plan.rep_id == rep, "{name}: the plan is for rep_id '{}', not --rep {rep}", plan.rep_id);
    let facts = workspace.facts().await?;
    let id =
        yeji_plans::create(workspace.catalog(), facts.org(), (&text, &name), from_feedback, &crate::actor()).await?;
    say!("plan for {rep} with {} items saved", plan.items.len());
    say!("{id}");
    Ok(ExitCode::SUCCESS)
}

async fn list(args: &WorkspaceArg, rep: Option<&str>, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace).await?;
    let plans = yeji_plans::list(workspace.catalog(), rep).await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&plans)?);
        return Ok(ExitCode::SUCCESS);
    }
    let today = chrono::Local::now().date_naive();
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            let last = p.plan.items.iter().map(|i| i.evaluation_date).max().expect("a plan has items");
            let overdue = p.overdue(today).iter().map(usize::to_string).collect::<Vec<_>>().join(",");
            vec![
                p.id.to_string(),
                p.plan.rep_id.clone(),
                p.plan.kind.as_str().into(),
                p.state.as_str().into(),
                p.plan.start.to_string(),
                last.to_string(),
                overdue,
            ]
        })
        .collect();
    say!("{}", table(&["id", "rep", "kind", "state", "start", "evaluation", "overdue items"], &rows));
    Ok(ExitCode::SUCCESS)
}

async fn show(
    args: &WorkspaceArg,
    id: i64,
    format: ShowFormat,
    (lang, out): (yeji_feedback::Lang, Option<&Path>),
) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace).await?;
    let plan = yeji_plans::load(workspace.catalog(), id).await?;
    if format == ShowFormat::Json {
        say!("{}", serde_json::to_string_pretty(&plan)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(export) = format.export() {
        let facts = workspace.facts().await?;
        let name = facts.org().rep_on(&plan.plan.rep_id, None).map_or(plan.plan.rep_id.clone(), |r| r.name.clone());
        let planned = workspace.catalog().planned_reps().await?;
        let scheme = workspace.current_scheme().await?.scheme;
        let effect = yeji_plans::measure(&facts, &scheme, (id, &plan.plan), &planned, false).await?;
        crate::output::document(&yeji_plans::report(&plan, &name, Some(&effect), lang), export, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "plan {id} · {} · {} · {} from {}",
        plan.plan.rep_id,
        plan.plan.kind.as_str(),
        plan.state.as_str(),
        plan.plan.start
    );
    let columns = yeji_plans::item_columns(lang);
    say!("{}", table(&columns, &yeji_plans::item_rows(&plan, lang)));
    for event in &plan.events {
        let text = event.text.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
        say!("{}  {} ({})  {}{text}", event.at.format("%Y-%m-%d %H:%M"), event.actor, event.side, event.step);
    }
    for c in &plan.checkins {
        say!(
            "{}  {}  check-in item {} at level {}: {}",
            c.at.format("%Y-%m-%d %H:%M"),
            c.actor,
            c.item,
            c.level,
            c.note
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn effect(args: &WorkspaceArg, plan: i64, grain: &str, format: Format) -> anyhow::Result<ExitCode> {
    let months = match grain {
        "quarter" => false,
        "month" => true,
        other => anyhow::bail!("--grain {other}: quarter or month"),
    };
    let workspace = Workspace::open(&args.workspace).await?;
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
    Ok(ExitCode::SUCCESS)
}
