//! `yeji runs`, `yeji show RUN` and `yeji diff RUN_A RUN_B`: saved evaluations
//! (`yeji evaluate --save`), recomputed and compared.

use std::process::ExitCode;

use yeji_eval::{Cause, EntityChange, KpiResult, RunDiff};
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::evaluate::OutputArgs;
use crate::output::{Format, table};

#[derive(clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// The run number (see `yeji runs`).
    run: i64,
    /// Compute the run again from the rows and the scheme it pinned, and check
    /// that every number is the same.
    #[arg(long)]
    verify: bool,
    #[command(flatten)]
    output: OutputArgs,
}

pub async fn list(workspace: &WorkspaceArg, format: Format) -> anyhow::Result<ExitCode> {
    let runs = Workspace::open(&workspace.workspace).await?.catalog().runs().await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(ExitCode::SUCCESS);
    }
    if runs.is_empty() {
        say!("no saved runs: save one with `yeji evaluate --period P --save`");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            let batches: std::collections::BTreeSet<i64> = run.data.iter().map(|v| v.batch_id).collect();
            vec![
                run.id.to_string(),
                run.period.clone(),
                run.scheme_name.clone(),
                run.scheme_version.map_or("–".into(), |v| format!("v{v}")),
                batches.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
                run.at.format("%Y-%m-%d %H:%M").to_string(),
                run.actor.clone(),
            ]
        })
        .collect();
    say!("{}", table(&["run", "period", "scheme", "version", "batches", "saved", "by"], &rows));
    Ok(ExitCode::SUCCESS)
}

pub async fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let run = yeji_eval::run(&workspace, args.run).await?;
    if args.verify {
        let again = yeji_eval::recompute_run(&workspace, args.run).await?;
        let changes = yeji_eval::compare((&run.evaluation, &run.scheme), (&again, &run.scheme));
        if !changes.is_empty() {
            eprintln!("run {} does NOT reproduce: {} result(s) differ", args.run, changes.len());
            say!("{}", entity_lines(&changes).join("\n"));
            return Ok(ExitCode::FAILURE);
        }
        let how = if again == run.evaluation { "exactly" } else { "to the last bits of floating-point sums" };
        eprintln!("run {} reproduces {how}: {} results recomputed from its pinned data", args.run, again.results.len());
    }
    crate::evaluate::print(vec![run.evaluation], &run.scheme, &args.output)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn diff(workspace: &WorkspaceArg, a: i64, b: i64, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let diff = yeji_eval::diff_runs(&workspace, a, b).await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&diff)?);
    } else {
        say!("{}", diff_text(&diff));
    }
    Ok(ExitCode::SUCCESS)
}

/// The inputs that changed, then one paragraph per entity whose result moved.
fn diff_text(diff: &RunDiff) -> String {
    let [a, b] = diff.runs;
    let mut lines = vec![format!("run {a} → run {b}")];
    if diff.periods[0] != diff.periods[1] {
        lines.push(format!("period: {} → {}", diff.periods[0], diff.periods[1]));
    }
    if diff.scheme_changed {
        let version = |v: Option<i64>| v.map_or("file/default".to_owned(), |v| format!("v{v}"));
        lines.push(format!(
            "scheme: {} ({}) → {} ({})",
            diff.schemes[0],
            version(diff.scheme_versions[0]),
            diff.schemes[1],
            version(diff.scheme_versions[1])
        ));
    }
    for change in &diff.data {
        let side = |batch: Option<i64>, rows: Option<i64>| match (batch, rows) {
            (Some(batch), Some(rows)) => format!("batch {batch}, {rows} rows"),
            _ => "none".to_owned(),
        };
        lines.push(format!(
            "data: {} {} → {}",
            change.table,
            side(change.batch[0], change.rows[0]),
            side(change.batch[1], change.rows[1])
        ));
    }
    if diff.entities.is_empty() {
        lines.push("no result changed".into());
    } else {
        lines.push(format!("{} result(s) changed:", diff.entities.len()));
        lines.extend(entity_lines(&diff.entities));
    }
    lines.join("\n")
}

/// One number of a KPI result.
type Field = fn(&KpiResult) -> Option<f64>;

fn entity_lines(changes: &[EntityChange]) -> Vec<String> {
    let score = |s: Option<f64>| s.map_or("–".to_owned(), |s| format!("{s:.2}"));
    let text = |s: &Option<String>| s.clone().unwrap_or_else(|| "–".into());
    let rank = |r: Option<usize>| r.map_or("–".to_owned(), |r| r.to_string());
    let mut lines = Vec::new();
    for e in changes {
        lines.push(format!(
            "{} {} ({}, {}): score {} → {}, grade {} → {}, rank {} → {}",
            e.id,
            e.name,
            e.level,
            e.status,
            score(e.score[0]),
            score(e.score[1]),
            text(&e.grade[0]),
            text(&e.grade[1]),
            rank(e.rank[0]),
            rank(e.rank[1]),
        ));
        for k in &e.kpis {
            // Only the fields that changed: "value 1,600 → 1,900, score 100 → 110".
            let fields: [(&str, Field); 4] =
                [("value", |r| r.value), ("target", |r| r.target), ("score", |r| r.score), ("weight", |r| r.weight)];
            let changed: Vec<String> = fields
                .iter()
                .filter_map(|(name, f)| {
                    let (before, after) = (k.before.as_ref().and_then(f), k.after.as_ref().and_then(f));
                    let side = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{}", (v * 1e4).round() / 1e4));
                    (!yeji_eval::same(before, after)).then(|| format!("{name} {} → {}", side(before), side(after)))
                })
                .collect();
            let causes: Vec<&str> = k
                .causes
                .iter()
                .map(|c| match c {
                    Cause::Data => "data changed",
                    Cause::Target => "target changed",
                    Cause::Scheme => "scheme changed",
                    Cause::Peers => "peers moved",
                })
                .collect();
            lines.push(format!("  {}: {} ({})", k.kpi, changed.join(", "), causes.join(", ")));
        }
    }
    lines
}
