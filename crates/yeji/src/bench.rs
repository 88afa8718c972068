//! `yeji bench`: times a full import of a data folder, then the same import
//! again (nothing changed), and reports peak memory and the store's size.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::Datelike;

use yeji_facts::{ImportOptions, Settings, Workspace};

use crate::import::Bar;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// A folder of canonical CSV files (e.g. made by shared/bench/make_big.py).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Where to build the workspace (replaced if it exists).
    #[arg(long, value_name = "DIR", default_value = "yeji-bench")]
    workspace: PathBuf,
    /// The period to evaluate after importing (best of three runs).
    #[arg(long, default_value = "2026-Q3")]
    period: String,
}

fn directory_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { directory_size(&path) } else { e.metadata().map(|m| m.len()).unwrap_or(0) }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Links every file of `data` into `out`, except `orders.csv`, whose first
/// line gets the other channel: a re-export with one correction.
fn copy_with_one_change(data: &Path, out: &Path) -> anyhow::Result<()> {
    use std::io::{BufRead, BufWriter, Write};
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    for entry in std::fs::read_dir(data)? {
        let path = entry?.path();
        let target = out.join(path.file_name().unwrap_or_default());
        if path.file_name().is_some_and(|n| n == "orders.csv") {
            let mut lines = std::io::BufReader::new(std::fs::File::open(&path)?).lines();
            let mut writer = BufWriter::new(std::fs::File::create(&target)?);
            let header = lines.next().transpose()?.unwrap_or_default();
            writeln!(writer, "{header}")?;
            if let Some(first) = lines.next().transpose()? {
                let swapped = if first.contains(",online,") {
                    first.replace(",online,", ",offline,")
                } else {
                    first.replace(",offline,", ",online,")
                };
                writeln!(writer, "{swapped}")?;
            }
            for line in lines {
                writeln!(writer, "{}", line?)?;
            }
            writer.flush()?;
        } else if path.is_file() {
            std::fs::hard_link(&path, &target).or_else(|_| std::fs::copy(&path, &target).map(|_| ()))?;
        }
    }
    Ok(())
}

/// The process's peak resident memory (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.workspace.join("workspace.toml").exists() {
        std::fs::remove_dir_all(&args.workspace)?;
    }
    let mut workspace = Workspace::init(&args.workspace, Settings::default()).await?;
    let options = ImportOptions { actor: "bench".into(), ..ImportOptions::default() };
    let paths = [args.data.clone()];
    let bar = Bar::new();
    let start = Instant::now();
    let first = workspace.import(&paths, &options, &|event| bar.report(event)).await?;
    let import_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let again = workspace.import(&paths, &options, &|event| bar.report(event)).await?;
    let reimport_s = start.elapsed().as_secs_f64();
    let changed = args.workspace.with_extension("changed-data");
    copy_with_one_change(&args.data, &changed)?;
    let start = Instant::now();
    let one_change = workspace.import(std::slice::from_ref(&changed), &options, &|event| bar.report(event)).await?;
    let one_change_s = start.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&changed)?;
    drop(bar);
    let rows: usize = first.tables.iter().map(|t| t.added).sum();
    say!("rows={rows}");
    say!("import_s={import_s:.2}");
    say!("reimport_s={reimport_s:.2} (landed: {})", again.batch.is_some());
    let changed_rows: usize = one_change.tables.iter().map(|t| t.changed).sum();
    say!("reimport_one_change_s={one_change_s:.2} (changed rows: {changed_rows})");
    say!("facts_mib={:.1}", directory_size(&args.workspace.join("facts")) as f64 / 1048576.0);
    say!("workspace_mib={:.1}", directory_size(&args.workspace) as f64 / 1048576.0);
    let period: yeji_core::Period = args.period.parse()?;
    let scheme = yeji_core::scheme::Scheme::default_scheme();
    // Computed every time (the cache would serve them after the first), best of three.
    let best_of_three = async |period: &yeji_core::Period| -> anyhow::Result<(f64, usize)> {
        let (mut best, mut entities) = (f64::MAX, 0);
        for _ in 0..3 {
            let start = Instant::now();
            entities = yeji_eval::evaluate(&workspace.facts().await?, period, &scheme).await?.evaluation.results.len();
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok((best, entities))
    };
    let (best, entities) = best_of_three(&period).await?;
    say!("entities={entities}");
    say!("evaluate_s={best:.3}");
    // The whole year before the period's: 12 months against the year before.
    let year: yeji_core::Period = (period.start().year() - 1).to_string().parse()?;
    let (year_s, _) = best_of_three(&year).await?;
    say!("evaluate_year_s={year_s:.3} ({year}: {:.2}× the period)", year_s / best);
    // A repeated evaluation of unchanged data: the first call fills the cache.
    yeji_eval::evaluate_cached(&workspace.facts().await?, &period, &scheme).await?;
    let start = Instant::now();
    yeji_eval::evaluate_cached(&workspace.facts().await?, &period, &scheme).await?;
    say!("evaluate_repeated_s={:.3}", start.elapsed().as_secs_f64());
    if let Some(peak) = peak_rss_mib() {
        say!("peak_rss_mib={peak}");
    }
    Ok(ExitCode::SUCCESS)
}
