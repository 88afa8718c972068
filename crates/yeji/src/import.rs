//! `yeji import`, `yeji batches`, `yeji revert`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use yeji_facts::{FactsError, ImportOptions, ImportReport, Progress, Workspace};
use yeji_ingest::{Encoding, Mapping};

use crate::WorkspaceArg;
use crate::output::{Format, table};

/// Rejects printed before the count of the rest.
const SHOWN_REJECTS: usize = 50;
/// Exit code of an import that landed with rows left out.
pub const EXIT_PARTIAL: u8 = 3;

#[derive(clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// Folders (their canonical files are found by name) or files.
    #[arg(required = true, value_name = "DIR|FILE")]
    paths: Vec<PathBuf>,
    /// Import the good rows even if some are rejected.
    #[arg(long)]
    allow_rejects: bool,
    /// The files' encoding (detected by default): utf-8 or gbk.
    #[arg(long, value_parser = |s: &str| s.parse::<Encoding>())]
    encoding: Option<Encoding>,
    /// A TOML file mapping custom headers and date formats to canonical columns.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Where to write the full reject report (CSV).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        Bar(ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr()))
    }

    pub fn report(&self, event: Progress) {
        let bar = &self.0;
        match event {
            Progress::Reading { bytes } => {
                bar.reset();
                bar.set_length(bytes);
                bar.set_style(
                    ProgressStyle::with_template("reading {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
            }
            Progress::Read(bytes) => bar.inc(bytes),
            Progress::Step(step) => {
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_message(step.to_owned());
                bar.tick();
            }
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mut workspace = Workspace::open(&args.workspace.workspace).await?;
    let mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let options = ImportOptions {
        allow_rejects: args.allow_rejects,
        encoding: args.encoding,
        mapping,
        report_path: args.report.clone(),
        actor: crate::actor(),
    };
    let bar = Bar::new();
    let result = workspace.import(&args.paths, &options, &|event| bar.report(event)).await;
    drop(bar);
    match result {
        Ok(report) => {
            print_report(&report, args.format)?;
            if report.batch.is_some() {
                crate::alerts::after_import(&workspace, args.format != Format::Json).await;
            }
            Ok(if report.rejected_rows > 0 { ExitCode::from(EXIT_PARTIAL) } else { ExitCode::SUCCESS })
        }
        Err(FactsError::Rejected { rejected, report }) => {
            print_rejects_file(Path::new(&report))?;
            anyhow::bail!(FactsError::Rejected { rejected, report })
        }
        Err(error) => Err(error.into()),
    }
}

/// Prints the first rejects of a refused import from its report file.
fn print_rejects_file(path: &Path) -> anyhow::Result<()> {
    let (rejects, total) = yeji_facts::read_reject_report(path, SHOWN_REJECTS)?;
    eprintln!("rejected rows:");
    for reject in &rejects {
        eprintln!("  {reject}");
    }
    if total > rejects.len() {
        eprintln!("  … and {} more", total - rejects.len());
    }
    Ok(())
}

fn print_report(report: &ImportReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = report
        .tables
        .iter()
        .map(|t| {
            let note = match t.same_as_batch {
                Some(batch) => format!("same files as batch {batch}"),
                None if !t.ignored_headers.is_empty() => format!("ignored columns: {}", t.ignored_headers.join(", ")),
                None => String::new(),
            };
            vec![
                t.table.clone(),
                t.added.to_string(),
                t.changed.to_string(),
                t.unchanged.to_string(),
                t.rejected.to_string(),
                t.duplicates.to_string(),
                note,
            ]
        })
        .collect();
    say!("{}", table(&["table", "added", "changed", "unchanged", "rejected", "duplicates", "note"], &rows));
    for duplicate in report.duplicates.iter().take(SHOWN_REJECTS) {
        say!("duplicate {duplicate}");
    }
    if report.rejected_rows > 0 {
        for reject in report.rejects.iter().take(SHOWN_REJECTS) {
            eprintln!("  {reject}");
        }
        if report.rejects.len() > SHOWN_REJECTS {
            eprintln!("  … and {} more", report.rejects.len() - SHOWN_REJECTS);
        }
        let file = report.report_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        eprintln!("{} row(s) left out (report: {file})", report.rejected_rows);
    }
    match report.batch {
        Some(batch) => say!("batch {batch} landed"),
        None => say!("nothing changed: every row is already in the workspace"),
    }
    Ok(())
}

pub async fn batches(root: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(root).await?;
    let batches = workspace.batches().await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&batches)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = batches
        .iter()
        .map(|b| {
            vec![
                b.id.to_string(),
                b.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string(),
                b.status.clone(),
                b.files.len().to_string(),
                b.total(|t| t.added).to_string(),
                b.total(|t| t.changed).to_string(),
                b.total(|t| t.rejected).to_string(),
            ]
        })
        .collect();
    say!("{}", table(&["batch", "time", "status", "files", "added", "changed", "rejected"], &rows));
    Ok(ExitCode::SUCCESS)
}

pub async fn revert(root: &Path, batch: i64) -> anyhow::Result<ExitCode> {
    let mut workspace = Workspace::open(root).await?;
    let actor = crate::actor();
    let reverted = workspace.revert(batch, &actor).await?;
    say!(
        "batch {} reverted: {} added row(s) removed, {} changed row(s) restored",
        reverted.id,
        reverted.total(|t| t.added),
        reverted.total(|t| t.changed)
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn changes(root: &Path, batch: i64, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(root).await?;
    let changes = workspace.batch_changes(batch).await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&changes)?);
        return Ok(ExitCode::SUCCESS);
    }
    if changes.is_empty() {
        say!("batch {batch} changed no stored value (it only added rows, or nothing)");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| vec![c.table.clone(), c.key.clone(), c.column.clone(), c.old.clone(), c.new.clone()])
        .collect();
    say!("{}", table(&["table", "key", "column", "old", "new"], &rows));
    Ok(ExitCode::SUCCESS)
}
