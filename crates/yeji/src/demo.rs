//! `yeji init`, `yeji generate`, `yeji demo` and `yeji summary`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use yeji_core::Level;
use yeji_core::Period;
use yeji_demo::DemoOptions;
use yeji_eval::{Dimension, EntityResult};
use yeji_facts::{ImportOptions, Settings, Workspace};
use yeji_people::Role;

use crate::WorkspaceArg;
use crate::import::Bar;
use crate::output::{Format, table, thousands};

#[derive(clap::Args)]
pub struct InitArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// The company's name.
    #[arg(long, default_value = "yeji")]
    name: String,
    /// The one currency of all amounts (ISO code).
    #[arg(long, default_value = "CNY")]
    currency: String,
    /// The fiscal year's first month (1 = calendar year).
    #[arg(long, default_value_t = 1)]
    fiscal_year_first_month: u32,
    /// zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    locale: String,
    /// A PostgreSQL database for the catalog (postgres://user:password@host/db),
    /// kept in workspace.toml; a team's servers share it (see README). Without
    /// it the catalog is `catalog.sqlite` in the workspace, unless
    /// YEJI_CATALOG_URL names a database.
    #[arg(long, value_name = "URL")]
    catalog: Option<String>,
}

pub async fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings {
        name: args.name,
        currency: args.currency,
        fiscal_year_first_month: args.fiscal_year_first_month,
        locale: args.locale,
        catalog: args.catalog,
        ..Settings::default()
    };
    let workspace = Workspace::init(&args.workspace.workspace, settings).await?;
    let catalog = if workspace.catalog().is_shared() { "a PostgreSQL catalog" } else { "its own catalog" };
    say!("created workspace {} with {catalog}", workspace.root().display());
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Clone)]
pub struct CompanyArgs {
    /// Number of reps.
    #[arg(long, default_value_t = 48)]
    reps: usize,
    /// Months of history (at least 13, for year-over-year).
    #[arg(long, default_value_t = 24)]
    months: u32,
    /// Random seed: the same seed gives the same company.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The last month of history.
    #[arg(long, default_value = "2026-10")]
    until: String,
}

impl CompanyArgs {
    fn options(&self) -> anyhow::Result<DemoOptions> {
        let last_month = NaiveDate::parse_from_str(&format!("{}-01", self.until), "%Y-%m-%d")
            .with_context(|| format!("--until must be a month like 2026-10, not '{}'", self.until))?;
        Ok(DemoOptions { reps: self.reps, months: self.months, seed: self.seed, last_month })
    }
}

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// The folder to write the CSV files into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    company: CompanyArgs,
}

pub fn generate(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let summary = yeji_demo::generate(&args.out, &args.company.options()?)?;
    let rows: Vec<Vec<String>> = summary.iter().map(|(table, n)| vec![(*table).to_owned(), n.to_string()]).collect();
    say!("{}", table(&["table", "rows"], &rows));
    say!("written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// The demo workspace (created on the first run, reused after).
    #[arg(long, short = 'w', env = "YEJI_WORKSPACE", default_value = "yeji-demo")]
    workspace: PathBuf,
    #[command(flatten)]
    company: CompanyArgs,
    /// Where to serve the dashboard.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Build the workspace and print the summary, without serving.
    #[arg(long)]
    no_serve: bool,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let options = args.company.options()?;
    let root = &args.workspace;
    let data = root.join("demo-data");
    let mut workspace = if root.join("workspace.toml").exists() {
        Workspace::open(root).await?
    } else {
        let settings = Settings { name: "华夏智能集团 (demo)".into(), ..Settings::default() };
        Workspace::init(root, settings).await?
    };
    if !data.join("orders.csv").exists() {
        say!("generating the demo company into {}", data.display());
        yeji_demo::generate(&data, &options)?;
    }
    let plan = root.join("incentive-plan.toml");
    if !plan.exists() {
        std::fs::write(&plan, yeji_incentives::SEED_PLAN).with_context(|| format!("writing {}", plan.display()))?;
    }
    let bar = Bar::new();
    let import_options = ImportOptions { actor: "demo".into(), ..ImportOptions::default() };
    let report = workspace.import(std::slice::from_ref(&data), &import_options, &|event| bar.report(event)).await?;
    drop(bar);
    let rows: usize = report.tables.iter().map(|t| t.added + t.changed + t.unchanged).sum();
    match report.batch {
        Some(batch) => {
            say!("imported {rows} rows as batch {batch}");
            crate::alerts::after_import(&workspace, true).await;
        }
        None => say!("the workspace already holds the demo data"),
    }
    let last_quarter = Period::last_quarter_through(options.last_month);
    print_summary(&workspace, &last_quarter, Format::Table).await?;
    print_leaderboard(&workspace, &last_quarter).await?;
    say!("\nworkspace: {}   try: yeji evaluate -w {} --period {}", root.display(), root.display(), last_quarter);
    let accounts = demo_accounts(&workspace, &last_quarter).await?;
    say!("\nsign in as (login / password):");
    for (login, password, role) in &accounts {
        say!("  {login:<9} {password:<15} {role}");
    }
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let link = yeji_people::create_signin_link(workspace.catalog(), "director", 60).await?;
    crate::serve::serve(workspace, args.addr, Some(format!("/login/link/{link}"))).await
}

/// The demo's accounts, created on its first run: a director, the manager of
/// the team of the quarter's weakest rep, and that rep, with known passwords
/// (the demo is served on this machine only).
async fn demo_accounts(workspace: &Workspace, period: &Period) -> anyhow::Result<Vec<(String, String, String)>> {
    let facts = workspace.facts().await?;
    let scheme = workspace.current_scheme().await?.scheme;
    let evaluation = yeji_eval::evaluate_cached(&facts, period, &scheme).await?;
    let reps = yeji_eval::report::by_rank(&evaluation, |r| r.level == Level::Rep && r.score.is_some());
    let weakest = reps.last().context("the demo company has scored reps")?;
    let team = weakest.unit_id.clone().context("a rep has a team")?;
    let accounts = [
        ("director", "demo-director", Role::Director, None, "王总监".to_owned()),
        ("manager", "demo-manager", Role::Manager, Some(team.clone()), "李主管".to_owned()),
        ("rep", "demo-rep", Role::Rep, Some(weakest.id.clone()), weakest.name.clone()),
    ];
    let catalog = workspace.catalog();
    let mut out = Vec::new();
    for (login, password, role, entity, name) in accounts {
        if catalog.user(login).await?.is_none() {
            let person = yeji_people::Person { login, role, entity: entity.as_deref(), name: Some(&name), password };
            yeji_people::add_user(catalog, facts.org(), person, "demo").await?;
        }
        let scope = entity.map(|e| format!(" of {e}")).unwrap_or_default();
        out.push((login.to_owned(), password.to_owned(), format!("{role}{scope} ({name})")));
    }
    Ok(out)
}

pub async fn summary(root: &Path, period: &str, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(root).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    print_summary(&workspace, &period, format).await?;
    Ok(ExitCode::SUCCESS)
}

async fn print_summary(workspace: &Workspace, period: &Period, format: Format) -> anyhow::Result<()> {
    let facts = workspace.facts().await?;
    let regions = match facts.org().root() {
        Some(company) => yeji_eval::breakdown(&facts, period, company, Dimension::Region).await?,
        None => Vec::new(),
    };
    if format == Format::Json {
        say!("{}", serde_json::json!({ "period": period.to_string(), "regions": regions }));
        return Ok(());
    }
    let total: f64 = regions.iter().map(|r| r.revenue).sum();
    let rows: Vec<Vec<String>> = regions
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                thousands(r.revenue),
                format!("{:.1}%", if total > 0.0 { r.revenue / total * 100.0 } else { 0.0 }),
                r.gross_margin.map_or("–".into(), |m| format!("{:.1}%", m * 100.0)),
                r.orders.to_string(),
            ]
        })
        .collect();
    say!("\n{} · revenue by region ({})", workspace.settings().name, period);
    say!("{}", table(&["region", "revenue", "share", "gross margin", "orders"], &rows));
    Ok(())
}

/// The company and its regions, the five best and three weakest reps, and how
/// the reps' grades spread.
async fn print_leaderboard(workspace: &Workspace, period: &Period) -> anyhow::Result<()> {
    let scheme = workspace.current_scheme().await?.scheme;
    let mut evaluation = yeji_eval::evaluate_cached(&workspace.facts().await?, period, &scheme).await?;
    let grades = yeji_eval::report::grade_counts(&evaluation.results, &scheme);
    let mut reps = yeji_eval::report::by_rank(&evaluation, |r| r.level == Level::Rep);
    let weakest: Vec<EntityResult> = reps.iter().rev().take(3).rev().cloned().collect();
    reps.truncate(5);
    reps.extend(weakest.into_iter().filter(|w| !reps.iter().any(|r| r.id == w.id)).collect::<Vec<_>>());
    evaluation.results.retain(|r| r.level == Level::Company || r.kind.as_deref() == Some("region"));
    evaluation.results.extend(reps);
    say!("\n{}", crate::evaluate::scorecard(&evaluation, &scheme));
    let spread: Vec<String> = grades.iter().map(|g| format!("{} {}", g.grade, g.reps)).collect();
    say!("reps by grade: {}", spread.join(" · "));
    Ok(())
}
