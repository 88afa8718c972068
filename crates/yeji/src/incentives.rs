//! `yeji incentive` (SPEC §15.6): plan versions saved in the workspace
//! (each from a month), what the plans pay every rep for a period, line by
//! line, in exact decimals, and a new plan beside them (what-if).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rust_decimal::Decimal;
use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_incentives::{Plan, RunStep, Schedule};

use crate::WorkspaceArg;
use crate::output::{Format, ShowFormat, table};

#[derive(clap::Subcommand)]
pub enum IncentiveAction {
    /// Every rep's statement under a plan for a period: each line, each total.
    Run {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        period: String,
        /// A plan file (TOML, SPEC §15.6) or a saved version's number, for every month;
        /// default: the saved versions, each in its months.
        #[arg(long)]
        plan: Option<PathBuf>,
        /// Save it as a payout run (calculated; then approve, lock), settling the locked periods before.
        #[arg(long)]
        save: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The payout runs: period, plan, total, state, who calculated, approved and locked.
    Runs {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// A payout run as saved (a locked one never changes); --verify computes it again from its pins.
    Show {
        #[command(flatten)]
        workspace: WorkspaceArg,
        run: i64,
        #[arg(long)]
        verify: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A rep's statement for a period (its locked run, else its latest saved, else now).
    Statement {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: String,
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
        /// The file a PDF or workbook goes to (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// The rows behind a line of a rep's statement (its number as the statement lists it).
    Trace {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: String,
        #[arg(long)]
        period: String,
        #[arg(long)]
        line: usize,
    },
    /// A payout run for payroll: a row per rep (each component's sum, total) as CSV or XLSX.
    Export {
        #[command(flatten)]
        workspace: WorkspaceArg,
        run: i64,
        /// csv (UTF-8 with BOM, for Excel) or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Approve a calculated payout run.
    Approve {
        #[command(flatten)]
        workspace: WorkspaceArg,
        run: i64,
    },
    /// Lock an approved payout run: its snapshot for payroll, never changed.
    Lock {
        #[command(flatten)]
        workspace: WorkspaceArg,
        run: i64,
    },
    /// A rep's question about their pay for a period, with the reason (audited).
    Inquire {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: String,
        #[arg(long)]
        period: String,
        #[arg(long)]
        reason: String,
    },
    /// The pay inquiries: who asked what, and how each was resolved.
    Inquiries {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Only the open ones.
        #[arg(long)]
        open: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Answer an open inquiry with a resolution note (audited).
    Resolve {
        #[command(flatten)]
        workspace: WorkspaceArg,
        inquiry: i64,
        #[arg(long)]
        note: String,
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
        /// The new plan (TOML), for every month of the period; the saved plans without it.
        #[arg(long)]
        plan: Option<PathBuf>,
        /// Every revenue target multiplied by this (1.1 = 10% higher).
        #[arg(long)]
        targets_scale: Option<String>,
        /// A rep's monthly revenue target instead, REP=VALUE (repeatable).
        #[arg(long = "target", value_name = "REP=VALUE")]
        targets: Vec<String>,
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

fn read_plan(file: &Path) -> anyhow::Result<Schedule> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(Schedule::file(&text, &file.display().to_string())?)
}

pub async fn run(action: IncentiveAction) -> anyhow::Result<ExitCode> {
    let (workspace, period, plan, save, format) = match action {
        IncentiveAction::Run { workspace, period, plan, save, format } => (workspace, period, plan, save, format),
        IncentiveAction::Runs { workspace } => return runs(&workspace).await,
        IncentiveAction::Show { workspace, run, verify, format } => return show(&workspace, run, verify, format).await,
        IncentiveAction::Statement { workspace, rep, period, format, out, lang } => {
            return statement(&workspace, (&rep, &period), (format, out.as_deref()), &lang).await;
        }
        IncentiveAction::Trace { workspace, rep, period, line } => {
            return trace(&workspace, (&rep, &period), line).await;
        }
        IncentiveAction::Export { workspace, run, format, out } => return export(&workspace, run, &format, &out).await,
        IncentiveAction::Approve { workspace, run } => return step(&workspace, run, RunStep::Approve).await,
        IncentiveAction::Lock { workspace, run } => return step(&workspace, run, RunStep::Lock).await,
        IncentiveAction::Plan { action } => return plans(action).await,
        IncentiveAction::Inquire { workspace, rep, period, reason } => {
            return inquire(&workspace, (&rep, &period), &reason).await;
        }
        IncentiveAction::Inquiries { workspace, open, format } => return inquiries(&workspace, open, format).await,
        IncentiveAction::Resolve { workspace, inquiry, note } => return resolve(&workspace, inquiry, &note).await,
        IncentiveAction::Whatif { workspace, period, plan, targets_scale, targets, format } => {
            let change = (targets_scale.as_deref(), targets.join("\n"));
            return whatif((&workspace, &period), plan.as_deref(), (change.0, &change.1), format).await;
        }
    };
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(&period, workspace.settings().fiscal_year_first_month)?;
    let schedule = match &plan {
        Some(plan) => match plan.to_str().and_then(|p| p.parse::<i64>().ok()).filter(|_| !plan.exists()) {
            Some(version) => Schedule::version(workspace.catalog(), version).await?,
            None => read_plan(plan)?,
        },
        None => Schedule::saved(workspace.catalog()).await?,
    };
    let run = if save {
        let (id, run) = yeji_incentives::calculate(&workspace, &schedule, &period, &crate::actor()).await?;
        eprintln!("saved as payout run {id} (calculated: yeji incentive approve -w W {id}, then lock)");
        run
    } else {
        yeji_incentives::run(&workspace.facts().await?, &schedule, &period).await?
    };
    print_run(&run, format)
}

fn print_run(run: &yeji_incentives::Run, format: Format) -> anyhow::Result<ExitCode> {
    let missing = run.without_targets();
    if !missing.is_empty() {
        eprintln!("no bonus without a revenue target for {} rep(s): {}", missing.len(), missing.join(", "));
    }
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(ExitCode::SUCCESS);
    }
    let (header, rows) = yeji_incentives::payout_rows(run);
    let head: Vec<&str> = header.iter().map(String::as_str).collect();
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

/// `plan` (the saved plans when `None`) against the targets as `scale` and
/// `targets` (REP=VALUE lines) change them, beside the plans and targets in effect.
async fn whatif(
    (workspace, period): (&WorkspaceArg, &str),
    plan: Option<&Path>,
    (scale, targets): (Option<&str>, &str),
    format: Format,
) -> anyhow::Result<ExitCode> {
    let new = plan.map(read_plan).transpose()?;
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let change = yeji_incentives::TargetChange::new(scale, targets, facts.org())?;
    let compared = yeji_incentives::price((workspace.catalog(), &facts), (new.as_ref(), &change), &period).await?;
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
    if !change.is_none() {
        let reps = change.reps.iter().map(|(rep, value)| format!(", {rep} {value}")).collect::<String>();
        say!("new targets: the targets in effect × {}{reps}", change.scale);
    }
    let spread = |s: &Option<yeji_incentives::Spread>, show: fn(Decimal) -> String| {
        s.as_ref().map_or("–".into(), |s| s.text(show))
    };
    say!(
        "payouts min / p25 / median / p75 / max: {} → {}",
        spread(&compared.current_spread, |v| v.to_string()),
        spread(&compared.new_spread, |v| v.to_string())
    );
    say!(
        "attainment min / p25 / median / p75 / max: {} → {}",
        spread(&compared.current_attainment, yeji_incentives::percent),
        spread(&compared.new_attainment, yeji_incentives::percent)
    );
    let percent = |a: Option<Decimal>| a.map_or("–".into(), yeji_incentives::percent);
    let rows: Vec<Vec<String>> = compared
        .reps
        .iter()
        .map(|r| {
            vec![
                r.rep_id.clone(),
                r.name.clone(),
                percent(r.current_attainment),
                percent(r.new_attainment),
                r.current.to_string(),
                r.new.to_string(),
                format!("{:+}", r.change),
            ]
        })
        .collect();
    say!("{}", table(&["rep", "name", "attainment", "new attainment", "current", "new", "change"], &rows));
    Ok(ExitCode::SUCCESS)
}

async fn runs(workspace: &WorkspaceArg) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let stamp = |by: &Option<String>, at: &Option<chrono::DateTime<chrono::Utc>>| match (by, at) {
        (Some(by), Some(at)) => format!("{by} {}", at.format("%Y-%m-%d %H:%M")),
        _ => "–".into(),
    };
    let rows: Vec<Vec<String>> = workspace
        .catalog()
        .payout_runs()
        .await?
        .into_iter()
        .map(|r| {
            let calculated = format!("{} {}", r.created_by, r.created_at.format("%Y-%m-%d %H:%M"));
            let (approved, locked) = (stamp(&r.approved_by, &r.approved_at), stamp(&r.locked_by, &r.locked_at));
            vec![r.id.to_string(), r.period, r.plan, r.total, r.state, calculated, approved, locked]
        })
        .collect();
    say!("{}", table(&["run", "period", "plan", "total", "state", "calculated", "approved", "locked"], &rows));
    Ok(ExitCode::SUCCESS)
}

async fn show(workspace: &WorkspaceArg, id: i64, verify: bool, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    if verify {
        let differences = yeji_incentives::verify(&workspace, id).await?;
        for difference in &differences {
            say!("{difference}");
        }
        if !differences.is_empty() {
            anyhow::bail!("payout run {id} does not reproduce from its pinned data and plans");
        }
        say!("payout run {id} reproduces from its pinned data and plans");
        return Ok(ExitCode::SUCCESS);
    }
    let row = workspace.catalog().payout_run(id).await?;
    let run = yeji_incentives::result_of(&row)?;
    if format == Format::Table {
        say!("payout run {id}: {}", row.state);
    }
    print_run(&run, format)
}

async fn step(workspace: &WorkspaceArg, id: i64, step: RunStep) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let row = yeji_incentives::step(&workspace, id, step, &crate::actor()).await?;
    say!("payout run {id} ({} {}, total {}) is {}", row.period, row.plan, row.total, row.state);
    Ok(ExitCode::SUCCESS)
}

async fn statement(
    workspace: &WorkspaceArg,
    (rep, period): (&str, &str),
    (format, out): (ShowFormat, Option<&Path>),
    lang: &str,
) -> anyhow::Result<ExitCode> {
    let lang: yeji_feedback::Lang = lang.parse()?;
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let rep = workspace.settings().id(rep);
    let facts = workspace.facts().await?;
    let found = yeji_incentives::statement_for(workspace.catalog(), &facts, &period, &rep).await?;
    if let Some(format) = format.export() {
        let doc = yeji_incentives::statement_doc(&found.statement, (&found.period, &found.plan), lang);
        crate::output::document(&doc, format, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if format == ShowFormat::Json {
        say!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(ExitCode::SUCCESS);
    }
    let source = found.source();
    say!("{} ({}) {} · {} ({source}): {}", found.statement.name, rep, found.period, found.plan, found.statement.total);
    say!("{}", table(&yeji_incentives::columns(lang), &yeji_incentives::rows(&found.statement, lang)));
    for note in &found.statement.notes {
        say!("{note}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(workspace: &WorkspaceArg, id: i64, format: &str, out: &Path) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let row = workspace.catalog().payout_run(id).await?;
    if row.state != yeji_incentives::RunState::Locked.name() {
        eprintln!("payout run {id} is {}, not locked: lock it before paying it", row.state);
    }
    let (header, rows) = yeji_incentives::payout_rows(&yeji_incentives::result_of(&row)?);
    let bytes = match format {
        "csv" => yeji_eval::report::rows_csv(&header, &rows, true)?,
        "xlsx" => yeji_eval::report::rows_xlsx(&header, &rows)?,
        other => anyhow::bail!("--format {other}: csv or xlsx"),
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    say!("{} written ({} reps, total {})", out.display(), rows.len(), row.total);
    Ok(ExitCode::SUCCESS)
}

async fn inquire(workspace: &WorkspaceArg, (rep, period): (&str, &str), reason: &str) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let rep = workspace.settings().id(rep);
    let facts = workspace.facts().await?;
    let id =
        yeji_incentives::inquire((workspace.catalog(), facts.org()), (&rep, &period), reason, &crate::actor()).await?;
    say!("pay inquiry {id} raised for {rep} {period} (yeji incentive resolve -w W {id} --note …)");
    Ok(ExitCode::SUCCESS)
}

async fn inquiries(workspace: &WorkspaceArg, open: bool, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let all = workspace.catalog().pay_inquiries().await?;
    let shown: Vec<_> = all.into_iter().filter(|i| !open || i.state == "open").collect();
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = shown
        .into_iter()
        .map(|i| {
            let resolved = match (&i.resolved_by, i.resolution) {
                (Some(by), Some(note)) => format!("{by}: {note}"),
                _ => "–".into(),
            };
            vec![i.id.to_string(), i.rep_id, i.period, i.state, format!("{}: {}", i.raised_by, i.reason), resolved]
        })
        .collect();
    say!("{}", table(&["inquiry", "rep", "period", "state", "asked", "resolution"], &rows));
    Ok(ExitCode::SUCCESS)
}

async fn resolve(workspace: &WorkspaceArg, id: i64, note: &str) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let row = yeji_incentives::resolve(workspace.catalog(), id, note, &crate::actor()).await?;
    say!("pay inquiry {id} ({} {}) is {}", row.rep_id, row.period, row.state);
    Ok(ExitCode::SUCCESS)
}

async fn trace(workspace: &WorkspaceArg, (rep, period): (&str, &str), line: usize) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let rep = workspace.settings().id(rep);
    let facts = workspace.facts().await?;
    let traced = yeji_incentives::trace((workspace.catalog(), &facts), (&rep, &period), line).await?;
    let l = &traced.line;
    say!(
        "line {line}: {} {} · base {} · measure {} · rate {} · amount {} · {} row(s)",
        yeji_incentives::label(l, yeji_feedback::Lang::En),
        l.period,
        l.base,
        l.measure,
        l.rate,
        l.amount,
        traced.rows.len()
    );
    let head: Vec<&str> = traced.columns.iter().map(String::as_str).collect();
    say!("{}", table(&head, &traced.rows));
    Ok(ExitCode::SUCCESS)
}
