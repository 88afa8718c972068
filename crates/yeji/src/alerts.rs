//! `yeji alerts` and `yeji alert ack|resolve` (SPEC §15.4): the rules run on
//! demand over a period so far, the alerts recorded under their stable ids,
//! and the steps that acknowledge and resolve them with a note (audited as
//! the machine's user). Imports run the rules too (`import.rs`).

use std::process::ExitCode;

use chrono::NaiveDate;
use yeji_alerts::{AlertStep, Alerts, Rules, Watch};
use yeji_core::Period;
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Args)]
pub struct AlertsArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long, required_unless_present = "rules")]
    period: Option<String>,
    /// The day to look from (default: the data's last order, at most the period's last day).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    #[arg(long, default_value = "zh")]
    lang: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print the rules in effect (the workspace's alerts.toml, or the built-in ones) and stop.
    #[arg(long)]
    rules: bool,
}

#[derive(clap::Subcommand)]
pub enum AlertAction {
    /// Acknowledge an open alert: someone is on it.
    Ack(StepArgs),
    /// Resolve an alert with what was done.
    Resolve(StepArgs),
}

#[derive(clap::Args)]
pub struct StepArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    id: String,
    #[arg(long)]
    note: String,
}

pub async fn list(args: AlertsArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let library = yeji_feedback::library_of(workspace.root())?;
    if args.rules {
        let own = workspace.root().join("alerts.toml");
        Rules::of_workspace(workspace.root(), &library)?;
        let text = if own.exists() { std::fs::read_to_string(own)? } else { yeji_alerts::DEFAULT_RULES.to_owned() };
        say!("{}", text.trim_end());
        return Ok(ExitCode::SUCCESS);
    }
    let period = args.period.as_deref().expect("clap requires --period");
    let period = Period::parse_fiscal(period, workspace.settings().fiscal_year_first_month)?;
    let rules = Rules::of_workspace(workspace.root(), &library)?;
    let (facts, scheme) = (workspace.facts().await?, workspace.current_scheme().await?.scheme);
    let lang = args.lang.parse()?;
    let watch = Watch { facts: &facts, scheme: &scheme, rules: &rules, library: &library, lang, cached: true };
    let mut alerts = watch.raise(&period, args.as_of).await?;
    yeji_alerts::record(workspace.catalog(), &mut alerts).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&alerts)?);
    } else {
        print(&alerts);
    }
    Ok(ExitCode::SUCCESS)
}

fn print(alerts: &Alerts) {
    say!("{} as of {}: {} alert(s)", alerts.period, alerts.as_of, alerts.alerts.len());
    if alerts.alerts.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = alerts
        .alerts
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.severity.name().into(),
                a.rule.clone(),
                a.entity_id.clone(),
                a.state.name().into(),
                a.message.clone(),
            ]
        })
        .collect();
    say!("{}", table(&["id", "severity", "rule", "entity", "state", "message"], &rows));
}

pub async fn step(action: AlertAction) -> anyhow::Result<ExitCode> {
    let (step, args) = match action {
        AlertAction::Ack(args) => (AlertStep::Ack, args),
        AlertAction::Resolve(args) => (AlertStep::Resolve, args),
    };
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let state = yeji_alerts::take(workspace.catalog(), &args.id, step, &args.note, &crate::actor()).await?;
    say!("alert {} is {}", args.id.trim(), state.name());
    Ok(ExitCode::SUCCESS)
}

/// After a batch landed: the rules over the month and quarter of the data's
/// last order, and what they raised, said when `say` (a failure is always
/// said; the import stands).
pub async fn after_import(workspace: &Workspace, say: bool) {
    let raised = async {
        let (facts, scheme) = (workspace.facts().await?, workspace.current_scheme().await?.scheme);
        anyhow::Ok(yeji_alerts::after_import(&facts, &scheme, workspace.root(), workspace.catalog()).await?)
    };
    match raised.await {
        Ok(raised) => {
            let counts: Vec<String> = raised
                .iter()
                .map(|a| {
                    let open = a.alerts.iter().filter(|a| a.state == yeji_alerts::AlertState::Open).count();
                    format!("{} {} ({open} open)", a.period, a.alerts.len())
                })
                .collect();
            if say && !counts.is_empty() {
                say!("alerts as of {}: {} (yeji alerts --period P)", raised[0].as_of, counts.join(", "));
            }
        }
        Err(error) => eprintln!("warning: the alert rules did not run: {error:#}"),
    }
}
