//! `yeji evaluate`: scorecards for a period, as a table, JSON (SPEC §14) or CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use yeji_core::kpi::Unit;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Period};
use yeji_eval::report::{evaluations_csv, evaluations_xlsx, slice_label};
use yeji_eval::{EntityResult, Evaluation};
use yeji_facts::Workspace;

use crate::WorkspaceArg;
use crate::output::{table, thousands};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EvaluationFormat {
    Table,
    Json,
    Csv,
    /// An Excel workbook; needs --out.
    Xlsx,
}

#[derive(clap::Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// e.g. 2026-Q3, 2026-10, 2026-H1, 2026, 2026-W42, 2026-01..2026-06, FY2026-Q1.
    #[arg(long)]
    period: String,
    /// A scheme TOML file (default: the workspace's current scheme, see `yeji scheme list`).
    #[arg(long, value_name = "FILE")]
    scheme: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
    /// Save the evaluation as a run, pinned to the data and the scheme, to show,
    /// recompute or compare later (`yeji runs`, `yeji show`, `yeji diff`).
    #[arg(long, conflicts_with = "by")]
    save: bool,
    /// One evaluation per product line, channel, customer segment or customer
    /// region, from its rows only (product_line | channel | segment | region).
    #[arg(long, value_name = "DIMENSION")]
    by: Option<yeji_eval::Dimension>,
}

/// How an evaluation is printed (`evaluate`, `show`).
#[derive(clap::Args)]
pub struct OutputArgs {
    /// Only this level: rep, unit or company (all levels by default).
    #[arg(long)]
    level: Option<Level>,
    #[arg(long, value_enum, default_value_t = EvaluationFormat::Table)]
    format: EvaluationFormat,
    /// The file to write (xlsx).
    #[arg(long, value_name = "FILE", required_if_eq("format", "xlsx"))]
    out: Option<PathBuf>,
}

pub fn read_scheme(path: &std::path::Path) -> anyhow::Result<Scheme> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Scheme::parse(&text).with_context(|| path.display().to_string())
}

/// The scheme in `path`, or else the workspace's current one, with its saved
/// version (`None` for a file or the built-in default).
async fn load_scheme(workspace: &Workspace, path: Option<&PathBuf>) -> anyhow::Result<(Scheme, Option<i64>)> {
    match path {
        Some(path) => Ok((read_scheme(path)?, None)),
        None => {
            let current = workspace.current_scheme().await?;
            Ok((current.scheme, current.version))
        }
    }
}

pub async fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let period = Period::parse_fiscal(&args.period, workspace.settings().fiscal_year_first_month)?;
    let (scheme, version) = load_scheme(&workspace, args.scheme.as_ref()).await?;
    let evaluations = if let Some(by) = args.by {
        yeji_eval::evaluate_by(&workspace.facts().await?, &period, &scheme, by).await?
    } else if args.save {
        let (id, evaluation) = yeji_eval::save_run(&workspace, &period, &scheme, version, &crate::actor()).await?;
        eprintln!("saved as run {id} (yeji show {id}; yeji diff {id} LATER_RUN)");
        vec![evaluation]
    } else {
        vec![yeji_eval::evaluate_cached(&workspace.facts().await?, &period, &scheme).await?]
    };
    print(evaluations, &scheme, &args.output)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints (or, for xlsx, writes) evaluations in `format`, only `level`'s
/// results if given. One evaluation prints as SPEC §14's document; the slices
/// of `--by` as an array of them, tables one after the other, CSV with a
/// `slice` column and a workbook with a sheet each.
pub fn print(mut evaluations: Vec<Evaluation>, scheme: &Scheme, output: &OutputArgs) -> anyhow::Result<()> {
    if let Some(level) = output.level {
        evaluations.iter_mut().for_each(|e| e.results.retain(|r| r.level == level));
    }
    match output.format {
        EvaluationFormat::Json => match evaluations.as_slice() {
            [one] if one.slice.is_none() => say!("{}", serde_json::to_string_pretty(one)?),
            all => say!("{}", serde_json::to_string_pretty(all)?),
        },
        EvaluationFormat::Csv => say!("{}", evaluations_csv(&evaluations)?),
        EvaluationFormat::Table => {
            let tables: Vec<String> = evaluations.iter().map(|e| scorecard(e, scheme)).collect();
            say!("{}", tables.join("\n\n"));
        }
        EvaluationFormat::Xlsx => {
            let out = output.out.as_deref().context("--format xlsx needs --out FILE")?;
            std::fs::write(out, evaluations_xlsx(&evaluations)?)
                .with_context(|| format!("writing {}", out.display()))?;
            let results: usize = evaluations.iter().map(|e| e.results.len()).sum();
            say!("wrote {results} results to {}", out.display());
        }
    }
    Ok(())
}

fn percent(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A readable scorecard: the weighted KPIs' values, the score and the grade.
pub fn scorecard(evaluation: &Evaluation, scheme: &Scheme) -> String {
    let mut header: Vec<String> = ["level", "id", "name", "rank", "score", "grade"].map(String::from).to_vec();
    header.extend(scheme.kpis.iter().map(|k| format!("{} ({}%)", k.kpi, k.weight)));
    let rows: Vec<Vec<String>> = evaluation
        .results
        .iter()
        .map(|r: &EntityResult| {
            let mut row = vec![
                r.level.to_string(),
                r.id.clone(),
                r.name.clone(),
                r.rank.map_or("–".into(), |rank| format!("{rank}/{}", r.rank_of)),
                r.score.map_or("–".into(), |s| format!("{s:.1}")),
                r.grade.clone().unwrap_or_else(|| "–".into()),
            ];
            row.extend(scheme.kpis.iter().map(|k| {
                let value = r.kpis.get(&k.kpi).and_then(|v| v.value);
                match (scheme.unit_of(&k.kpi), value) {
                    (_, None) => "–".into(),
                    (Some(Unit::Money | Unit::Count), Some(v)) => thousands(v),
                    (Some(Unit::Points | Unit::Days), Some(v)) => format!("{v:.1}"),
                    _ => percent(value),
                }
            }));
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let slice = slice_label(evaluation).map_or(String::new(), |s| format!(" · {s}"));
    format!("{} · {}{slice}\n{}", evaluation.period, evaluation.scheme, table(&header, &rows))
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    period: String,
    /// The rep or unit to explain.
    #[arg(long)]
    entity: String,
    /// Only this KPI.
    #[arg(long)]
    kpi: Option<String>,
    #[arg(long, value_name = "FILE")]
    scheme: Option<PathBuf>,
    /// Also write the fact rows behind the value of --kpi (default revenue) as CSV.
    #[arg(long, value_name = "FILE")]
    rows: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = crate::output::Format::Table)]
    format: crate::output::Format,
}

/// Writes result batches as CSV, values as Arrow displays them.
fn write_rows(path: &std::path::Path, batches: &[arrow::array::RecordBatch]) -> anyhow::Result<usize> {
    let (header, rows) = yeji_eval::rows_as_text(batches)?;
    let bytes = yeji_eval::report::rows_csv(&header, &rows, false)?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(rows.len())
}

pub async fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let period = Period::parse_fiscal(&args.period, workspace.settings().fiscal_year_first_month)?;
    let (scheme, _) = load_scheme(&workspace, args.scheme.as_ref()).await?;
    let facts = workspace.facts().await?;
    let entity = facts.settings().id(&args.entity);
    let explanation = yeji_eval::evaluate(&facts, &period, &scheme).await?.explain(&entity, args.kpi.as_deref())?;
    if args.format == crate::output::Format::Json {
        say!("{}", serde_json::to_string_pretty(&explanation)?);
        write_rows_behind(&facts, &period, &scheme, &entity, &args).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let e = &explanation.entity;
    let number = |v: Option<f64>| match v {
        None => "–".to_owned(),
        Some(v) if v.fract() == 0.0 || v.abs() >= 1000.0 => thousands(v),
        Some(v) => format!("{v:.4}"),
    };
    say!(
        "{} {} ({}) · {} · scheme {} · score {} {} · rank {}",
        e.id,
        e.name,
        e.level,
        explanation.period,
        explanation.scheme,
        e.score.map_or("–".into(), |s| format!("{s:.2}")),
        e.grade.clone().unwrap_or_default(),
        e.rank.map_or("–".into(), |r| format!("{r} of {}", e.rank_of)),
    );
    let rows: Vec<Vec<String>> = explanation
        .kpis
        .iter()
        .map(|k| {
            let measures: Vec<String> = k.measures.iter().map(|(m, v)| format!("{m}={}", number(Some(*v)))).collect();
            vec![
                k.kpi.clone(),
                k.name_zh.clone(),
                number(k.value),
                number(k.target),
                k.target_source.clone().unwrap_or_default(),
                k.score.map_or("–".into(), |s| format!("{s:.2}")),
                k.weight.map_or(String::new(), |w| format!("{:.0}%", w * 100.0)),
                k.effective_weight.map_or(String::new(), |w| format!("{:.1}%", w * 100.0)),
                k.contribution.map_or(String::new(), |c| format!("{c:.2}")),
                measures.join(" "),
            ]
        })
        .collect();
    let header =
        ["kpi", "名称", "value", "target", "source", "score", "weight", "effective", "contribution", "measures"];
    say!("{}", table(&header, &rows));
    if !e.redistributed.is_empty() {
        say!("no score for {}: their weight is spread over the others in proportion", e.redistributed.join(", "));
    }
    write_rows_behind(&facts, &period, &scheme, &entity, &args).await?;
    Ok(ExitCode::SUCCESS)
}

async fn write_rows_behind(
    facts: &yeji_eval::Facts,
    period: &Period,
    scheme: &Scheme,
    entity: &str,
    args: &ExplainArgs,
) -> anyhow::Result<()> {
    if let Some(path) = &args.rows {
        let kpi = args.kpi.as_deref().unwrap_or("revenue");
        let behind = yeji_eval::rows_behind(facts, period, entity, scheme.rows_kpi(kpi), None).await?;
        let rows = write_rows(path, &behind.batches)?;
        eprintln!("{rows} {} row(s) behind {kpi} written to {}", behind.table, path.display());
    }
    Ok(())
}

#[derive(clap::Subcommand)]
pub enum SchemeAction {
    /// Print the workspace's current scheme (or, without a workspace, the
    /// default: the seed's 30/20/20/15/15) as TOML, to start from.
    Show {
        #[arg(long, short = 'w', env = "YEJI_WORKSPACE")]
        workspace: Option<PathBuf>,
    },
    /// Check a scheme file: KPIs, weights summing to 100, rules, grade bands.
    Validate { file: PathBuf },
    /// Save a scheme file as the workspace's next scheme version (then current).
    Import {
        #[command(flatten)]
        workspace: WorkspaceArg,
        file: PathBuf,
    },
    /// List the workspace's scheme versions.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
}

fn weights(scheme: &Scheme) -> String {
    scheme.kpis.iter().map(|k| format!("{} {}%", k.kpi, k.weight)).collect::<Vec<_>>().join(", ")
}

pub async fn scheme(action: SchemeAction) -> anyhow::Result<ExitCode> {
    match action {
        SchemeAction::Show { workspace: None } => say!("{}", Scheme::default_scheme().to_toml()),
        SchemeAction::Show { workspace: Some(root) } => {
            say!("{}", Workspace::open(&root).await?.current_scheme().await?.scheme.to_toml())
        }
        SchemeAction::Validate { file } => {
            let scheme = read_scheme(&file)?;
            say!("{}: valid scheme '{}': {}", file.display(), scheme.name, weights(&scheme));
        }
        SchemeAction::Import { workspace, file } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let scheme = read_scheme(&file)?;
            let version = workspace.save_scheme(&scheme, &crate::actor()).await?;
            say!("saved scheme '{}' as version {version} (now current): {}", scheme.name, weights(&scheme));
        }
        SchemeAction::List { workspace } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let versions = workspace.scheme_versions().await?;
            if versions.is_empty() {
                say!("no saved schemes: evaluations use the default scheme (yeji scheme show)");
            }
            let rows: Vec<Vec<String>> = versions
                .iter()
                .rev()
                .enumerate()
                .map(|(i, v)| {
                    let weights = Scheme::parse(&v.toml).map(|s| weights(&s)).unwrap_or_else(|e| e.to_string());
                    let current = if i == 0 { "current" } else { "" };
                    vec![
                        v.version.to_string(),
                        v.name.clone(),
                        v.at.format("%Y-%m-%d %H:%M").to_string(),
                        v.actor.clone(),
                        current.into(),
                        weights,
                    ]
                })
                .collect();
            say!("{}", table(&["version", "name", "saved", "by", "", "weights"], &rows));
        }
    }
    Ok(ExitCode::SUCCESS)
}
