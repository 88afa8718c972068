//! `yeji customers` (SPEC §8, seed 003 §2, §6): each customer of a rep or
//! unit with its lifecycle stage and credit score; `yeji drivers`: what the
//! entity's monthly revenue moves with (discount, price, activities).

use std::process::ExitCode;

use yeji_core::Period;
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Args)]
pub struct CustomersArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    entity: String,
    #[arg(long)]
    period: String,
    /// The change in percent, against the period before, that is growth or decline.
    #[arg(long, default_value_t = 10.0)]
    band: f64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(clap::Args)]
pub struct DriversArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    entity: String,
    /// The months correlated end with this period's last.
    #[arg(long)]
    period: String,
    #[arg(long, default_value_t = 12)]
    months: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

async fn open(workspace: &WorkspaceArg, period: &str) -> anyhow::Result<(yeji_eval::Facts, Period)> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    Ok((workspace.facts().await?, period))
}

pub async fn customers(args: CustomersArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=100.0).contains(&args.band) {
        anyhow::bail!("--band {}: a percentage from 0 to 100", args.band);
    }
    let (facts, period) = open(&args.workspace, &args.period).await?;
    let view = yeji_customers::customers(&facts, &period, args.entity.trim(), args.band / 100.0).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(ExitCode::SUCCESS);
    }
    let counts: Vec<String> = view.stages.iter().map(|(stage, n)| format!("{} {n}", stage.name())).collect();
    say!(
        "{} {} against {} (credit as of {}): {}",
        view.entity_id,
        view.period,
        view.against,
        view.as_of,
        counts.join(", ")
    );
    let number = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.1}"));
    let rows: Vec<Vec<String>> = view
        .customers
        .iter()
        .map(|c| {
            vec![
                c.customer_id.clone(),
                c.name.clone(),
                c.stage.map_or("–", |s| s.name()).to_owned(),
                format!("{:.2}", c.revenue_against),
                format!("{:.2}", c.revenue),
                number(c.credit.score),
                c.credit.grade.name().to_owned(),
                format!("{:.2}{}", c.credit.open_receivables, if c.credit.over_limit { " (over limit)" } else { "" }),
                c.credit.grade.advice().1.to_owned(),
            ]
        })
        .collect();
    let head = ["customer", "name", "stage", "before", "revenue", "credit", "grade", "open", "advice"];
    say!("{}", table(&head, &rows));
    Ok(ExitCode::SUCCESS)
}

pub async fn drivers(args: DriversArgs) -> anyhow::Result<ExitCode> {
    let (facts, period) = open(&args.workspace, &args.period).await?;
    let drivers = yeji_variance::drivers(&facts, &period, args.entity.trim(), args.months).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&drivers)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = drivers
        .correlations
        .iter()
        .map(|c| {
            let r = c.r.map_or("–".into(), |r| format!("{r:.2}"));
            vec![c.driver.name().to_owned(), c.points.to_string(), r, c.strength.name().to_owned(), c.text.clone()]
        })
        .collect();
    say!("{}", table(&["driver", "months", "r", "strength", "reading"], &rows));
    Ok(ExitCode::SUCCESS)
}
