//! `yeji funnel`: each rep's stage conversions against their peers' medians
//! and the stage that loses most (seed 003 §5's funnel analysis).

use std::process::ExitCode;

use yeji_core::Period;
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Args)]
pub struct FunnelArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    period: String,
    /// One rep (default: every rep).
    #[arg(long)]
    rep: Option<String>,
    /// Stages entered by fewer opportunities say nothing.
    #[arg(long, default_value_t = 5)]
    min_base: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub async fn run(args: FunnelArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let period = Period::parse_fiscal(&args.period, workspace.settings().fiscal_year_first_month)?;
    let (facts, scheme) = (workspace.facts().await?, workspace.current_scheme().await?.scheme);
    let rep = args.rep.as_deref().map(|r| workspace.settings().id(r));
    let funnels = yeji_funnel::funnels(&facts, &scheme, &period, rep.as_deref(), args.min_base).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&funnels)?);
        return Ok(ExitCode::SUCCESS);
    }
    let percent = |v: Option<f64>| v.map_or("–".into(), |v| format!("{:.0}%", v * 100.0));
    let mut header = vec!["rep".to_owned(), "name".to_owned()];
    header.extend(yeji_funnel::STAGES.iter().map(|(stage, _)| format!("→ {stage} (peers)")));
    header.push("bottleneck".into());
    let rows: Vec<Vec<String>> = funnels
        .iter()
        .map(|f| {
            let mut row = vec![f.rep_id.clone(), f.name.clone()];
            row.extend(f.stages.iter().map(|s| format!("{} ({})", percent(s.rate), percent(s.peer_median))));
            row.push(f.bottleneck.unwrap_or("–").to_owned());
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    say!("{}", table(&header, &rows));
    Ok(ExitCode::SUCCESS)
}
