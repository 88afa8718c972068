//! `yeji`: the command line. Each subcommand lives in its own module; this file
//! parses arguments, runs the command and turns errors into a message and an
//! exit code (1: failed, nothing changed; 3: imported, but rows were left out).

#[macro_use]
mod output;
mod alerts;
mod bench;
mod customers;
mod demo;
mod evaluate;
mod feedback;
mod forecast;
mod funnel;
mod import;
mod incentives;
mod people;
mod plans;
mod runs;
mod serve;
mod target_versions;
mod targets;
mod variance;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc returns freed query memory to the system promptly (ARCHITECTURE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "yeji", version, about = "yeji (业绩): sales performance evaluation and feedback")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The workspace folder, from `--workspace` or `YEJI_WORKSPACE`.
#[derive(clap::Args, Clone)]
pub struct WorkspaceArg {
    #[arg(long, short = 'w', env = "YEJI_WORKSPACE", value_name = "DIR")]
    pub workspace: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty workspace (embedded storage, nothing to install).
    Init(demo::InitArgs),
    /// Import canonical files (CSV, GBK CSV, XLSX) from folders or named files.
    Import(import::ImportArgs),
    /// List imported batches.
    Batches {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long, value_enum, default_value_t = output::Format::Table)]
        format: output::Format,
    },
    /// Show the values a batch changed, old and new.
    Changes {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The batch number (see `yeji batches`).
        batch: i64,
        #[arg(long, value_enum, default_value_t = output::Format::Table)]
        format: output::Format,
    },
    /// Roll a batch back exactly.
    Revert {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The batch number (see `yeji batches`).
        batch: i64,
    },
    /// Evaluate every rep, unit and the company for a period: KPIs, scores, grades, ranks.
    Evaluate(evaluate::EvaluateArgs),
    /// Explain an entity's score: values, targets, rules, weights, contributions.
    Explain(evaluate::ExplainArgs),
    /// List saved evaluation runs (`yeji evaluate --save`).
    Runs {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long, value_enum, default_value_t = output::Format::Table)]
        format: output::Format,
    },
    /// Show a saved run; with --verify, compute it again from its pinned data and scheme.
    Show(runs::ShowArgs),
    /// What changed between two saved runs, per entity and KPI, and why
    /// (data, target, scheme or peers).
    Diff {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The earlier run.
        a: i64,
        /// The later run.
        b: i64,
        #[arg(long, value_enum, default_value_t = output::Format::Table)]
        format: output::Format,
    },
    /// Revenue, gross margin and orders by region for a period.
    Summary {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// e.g. 2026-Q3, 2026-10, 2026, FY2026-Q1.
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value_t = output::Format::Table)]
        format: output::Format,
    },
    /// Scoring schemes: show, validate, import a new version, list versions.
    Scheme {
        #[command(subcommand)]
        action: evaluate::SchemeAction,
    },
    /// List the KPI catalogue: id, names, formula, unit, direction.
    Kpis {
        #[arg(long, value_enum, default_value_t = output::Format::Table)]
        format: output::Format,
        /// Also list this scheme's formula KPIs.
        #[arg(long, value_name = "FILE")]
        scheme: Option<std::path::PathBuf>,
    },
    /// Write a realistic demo company as canonical CSV files.
    Generate(demo::GenerateArgs),
    /// Build the demo workspace (generate, import) and show its summary.
    Demo(demo::DemoArgs),
    /// Serve the dashboard and the JSON API for a workspace.
    Serve(serve::ServeArgs),
    /// Time importing a data folder (e.g. from shared/bench/make_big.py).
    Bench(bench::BenchArgs),
    /// The people who sign in: add, list, disable, enable, set, passwd.
    User {
        #[command(subcommand)]
        action: people::UserAction,
    },
    /// API tokens: create (printed once), revoke, list.
    Token {
        #[command(subcommand)]
        action: people::TokenAction,
    },
    /// The log of every change: who, what, before and after.
    Audit(people::AuditArgs),
    /// Feedback: grounded drafts per rep and period, and their conversation.
    Feedback {
        #[command(subcommand)]
        action: feedback::FeedbackAction,
    },
    /// Improvement plans (IDP/PIP): create from a plan file, check in, measure the effect.
    Plan {
        #[command(subcommand)]
        action: plans::PlanAction,
    },
    /// Targets: set, approve, decompose over the months and down the org tree, check.
    Target {
        #[command(subcommand)]
        action: targets::TargetAction,
    },
    /// Every unit's target (top-down) against the sum of its children's (bottom-up).
    Targets(targets::RollupArgs),
    /// Why revenue changed between two periods: volume, price, mix, new and lost products.
    Variance(variance::VarianceArgs),
    /// Monthly revenue ahead by trend and seasonality, with an 80% interval; `backtest` measures the model.
    Forecast(forecast::ForecastArgs),
    /// Each rep's funnel against their peers' medians, and the stage that loses most.
    Funnel(funnel::FunnelArgs),
    /// Each customer's lifecycle stage against the period before, and its credit score from payments.
    Customers(customers::CustomersArgs),
    /// What monthly revenue moves with: discount, price index, activities (with the number of months).
    Drivers(customers::DriversArgs),
    /// Incentives: what a plan (bonus bands, commission tiers) pays every rep for a period.
    Incentive {
        #[command(subcommand)]
        action: incentives::IncentiveAction,
    },
    /// Early warnings of a period so far: pace, projection, funnel, receivables, satisfaction.
    Alerts(alerts::AlertsArgs),
    /// Acknowledge or resolve an alert, with a note.
    Alert {
        #[command(subcommand)]
        action: alerts::AlertAction,
    },
}

/// Who the audit log names for this command's changes.
fn actor() -> String {
    std::env::var("USER").unwrap_or_else(|_| "cli".into())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("YEJI_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init(args) => demo::init(args).await,
        Command::Import(args) => import::run(args).await,
        Command::Batches { workspace, format } => import::batches(&workspace.workspace, format).await,
        Command::Changes { workspace, batch, format } => import::changes(&workspace.workspace, batch, format).await,
        Command::Revert { workspace, batch } => import::revert(&workspace.workspace, batch).await,
        Command::Evaluate(args) => evaluate::run(args).await,
        Command::Explain(args) => evaluate::explain(args).await,
        Command::Runs { workspace, format } => runs::list(&workspace, format).await,
        Command::Show(args) => runs::show(args).await,
        Command::Diff { workspace, a, b, format } => runs::diff(&workspace, a, b, format).await,
        Command::Summary { workspace, period, format } => demo::summary(&workspace.workspace, &period, format).await,
        Command::Kpis { format, scheme } => output::kpis(format, scheme.as_deref()),
        Command::Scheme { action } => evaluate::scheme(action).await,
        Command::Generate(args) => demo::generate(args),
        Command::Demo(args) => demo::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::User { action } => people::user(action).await,
        Command::Token { action } => people::token(action).await,
        Command::Audit(args) => people::audit(args).await,
        Command::Feedback { action } => feedback::run(action).await,
        Command::Plan { action } => plans::run(action).await,
        Command::Target { action } => targets::run(action).await,
        Command::Targets(args) => targets::rollup(args).await,
        Command::Variance(args) => variance::run(args).await,
        Command::Forecast(args) => forecast::run(args).await,
        Command::Funnel(args) => funnel::run(args).await,
        Command::Customers(args) => customers::customers(args).await,
        Command::Drivers(args) => customers::drivers(args).await,
        Command::Incentive { action } => incentives::run(action).await,
        Command::Alerts(args) => alerts::list(args).await,
        Command::Alert { action } => alerts::step(action).await,
    }
}
