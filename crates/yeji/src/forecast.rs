//! `yeji forecast` (SPEC §15.3): an entity's monthly revenue ahead with its
//! 80 % interval, and the backtest of the model against seasonal-naive.

use std::process::ExitCode;

use yeji_core::Period;
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ForecastArgs {
    #[command(subcommand)]
    backtest: Option<ForecastAction>,
    #[command(flatten)]
    workspace: Option<WorkspaceArg>,
    #[arg(long, required = true)]
    entity: Option<String>,
    #[arg(long, default_value = "revenue")]
    metric: String,
    /// The first month forecast (a month, or a longer period: its first month);
    /// the model learns from the complete months before it.
    #[arg(long, required = true)]
    from: Option<String>,
    /// Months forecast.
    #[arg(long, default_value_t = 12)]
    horizon: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(clap::Subcommand)]
pub enum ForecastAction {
    /// Hold out the last months, forecast them, and compare the model's MAPE with seasonal-naive's.
    Backtest {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long, default_value = "revenue")]
        metric: String,
        #[arg(long, default_value_t = 6)]
        holdout: usize,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub async fn run(args: ForecastArgs) -> anyhow::Result<ExitCode> {
    if let Some(ForecastAction::Backtest { workspace, metric, holdout, format }) = args.backtest {
        return backtest(&workspace, &metric, holdout, format).await;
    }
    let (Some(workspace), Some(entity), Some(from)) = (args.workspace, args.entity, args.from) else {
        anyhow::bail!("yeji forecast needs -w, --entity and --from");
    };
    let workspace = Workspace::open(&workspace.workspace).await?;
    let from = Period::parse_fiscal(&from, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts().await?;
    let forecast = yeji_forecast::forecast(&facts, entity.trim(), &args.metric, &from, args.horizon).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&forecast)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!("{} {} (learnt from the months to {})", forecast.entity_id, forecast.metric, forecast.learnt_to);
    let rows: Vec<Vec<String>> = forecast
        .points
        .iter()
        .map(|p| vec![p.period.clone(), money(p.value), money(p.lower), money(p.upper)])
        .collect();
    say!("{}", table(&["month", "forecast", "80% from", "80% to"], &rows));
    Ok(ExitCode::SUCCESS)
}

async fn backtest(workspace: &WorkspaceArg, metric: &str, holdout: usize, format: Format) -> anyhow::Result<ExitCode> {
    if metric != yeji_forecast::METRIC {
        return Err(yeji_forecast::ForecastError::Metric(metric.to_owned()).into());
    }
    let workspace = Workspace::open(&workspace.workspace).await?;
    let facts = workspace.facts().await?;
    let result = yeji_forecast::backtest_facts(&facts, holdout).await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!("{} held out {} to {} ({} months)", result.metric, result.from, result.to, result.holdout);
    let rows: Vec<Vec<String>> = result
        .accuracy
        .iter()
        .map(|a| {
            vec![
                a.level.clone(),
                a.entities.to_string(),
                a.points.to_string(),
                format!("{:.1}%", a.model_mape),
                format!("{:.1}%", a.seasonal_naive_mape),
                format!("{:.0}%", a.coverage_80),
            ]
        })
        .collect();
    say!("{}", table(&["level", "entities", "points", "model MAPE", "seasonal-naive MAPE", "in 80% interval"], &rows));
    Ok(ExitCode::SUCCESS)
}

fn money(value: f64) -> String {
    format!("{value:.2}")
}
