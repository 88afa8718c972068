//! `yeji feedback` (SPEC §15.5): drafts for a rep or a whole unit, saved as
//! items whose conversation the subcommands move on. The command line acts
//! for whoever the step needs (the manager, or the rep acknowledging or
//! disputing, e.g. recording an answer given on paper) and is audited as the
//! machine's user.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_feedback::{Draft, Lang, Side, Step};

use crate::WorkspaceArg;
use crate::output::{Format, ShowFormat, table};

#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum DraftFormat {
    Json,
    Md,
    Html,
    Pdf,
    Xlsx,
}

#[derive(clap::Subcommand)]
pub enum FeedbackAction {
    /// Draft feedback for a rep, or for every rep of a unit, from their evaluation.
    Draft {
        #[command(flatten)]
        whose: Whose,
        /// Save each draft as a feedback item; its id is printed alone on the last line.
        #[arg(long)]
        save: bool,
    },
    /// Review a quarter, half or year: the months side by side and what they say.
    Review(Whose),
    /// Send a draft to the rep (it becomes read-only but for comments).
    Send(StepArgs),
    /// The rep acknowledges a sent item.
    Ack(StepArgs),
    /// The rep disputes a sent item, with the reason (--text).
    Dispute(StepArgs),
    /// Comment on an item.
    Comment(StepArgs),
    /// Record a meeting (date, attendees, notes, agreed actions in --text).
    Meeting(StepArgs),
    /// Close an acknowledged or disputed item.
    Close(StepArgs),
    /// List the items, of one rep or all.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long)]
        rep: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One item: its draft and its conversation (also as an html, pdf or xlsx report).
    Show {
        #[command(flatten)]
        workspace: WorkspaceArg,
        id: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
        /// Write an html, pdf or xlsx report here instead of to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Whose drafts or reviews, of which period, in which language and format.
#[derive(clap::Args)]
pub struct Whose {
    #[command(flatten)]
    workspace: WorkspaceArg,
    #[arg(long)]
    period: String,
    #[arg(long, conflicts_with = "unit", required_unless_present = "unit")]
    rep: Option<String>,
    /// Every rep in this org unit's subtree.
    #[arg(long)]
    unit: Option<String>,
    #[arg(long, default_value = "zh")]
    lang: String,
    #[arg(long, value_enum, default_value_t = DraftFormat::Md)]
    format: DraftFormat,
    /// Write an html, pdf or xlsx document here instead of to stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct StepArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    id: i64,
    #[arg(long)]
    text: Option<String>,
}

pub async fn run(action: FeedbackAction) -> anyhow::Result<ExitCode> {
    let (step, args) = match action {
        FeedbackAction::Draft { whose, save } => return draft(&whose, save).await,
        FeedbackAction::Review(whose) => return review(&whose).await,
        FeedbackAction::List { workspace, rep, format } => return list(&workspace, rep.as_deref(), format).await,
        FeedbackAction::Show { workspace, id, format, out } => {
            return show(&workspace, id, format, out.as_deref()).await;
        }
        FeedbackAction::Send(args) => (Step::Send, args),
        FeedbackAction::Ack(args) => (Step::Ack, args),
        FeedbackAction::Dispute(args) => (Step::Dispute, args),
        FeedbackAction::Comment(args) => (Step::Comment, args),
        FeedbackAction::Meeting(args) => (Step::Meeting, args),
        FeedbackAction::Close(args) => (Step::Close, args),
    };
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let side = if matches!(step, Step::Ack | Step::Dispute) { Side::Rep } else { Side::Manager };
    let item =
        yeji_feedback::take(workspace.catalog(), args.id, (step, side), args.text.as_deref(), None, &crate::actor())
            .await?;
    say!("feedback {} is {}", item.id, item.state.as_str());
    Ok(ExitCode::SUCCESS)
}

/// What a draft or a review reads: the workspace, the period, the facts, the current scheme.
struct Reading {
    workspace: Workspace,
    period: Period,
    facts: yeji_eval::Facts,
    scheme: yeji_core::scheme::Scheme,
    lang: Lang,
}

impl Whose {
    async fn read(&self) -> anyhow::Result<Reading> {
        let workspace = Workspace::open(&self.workspace.workspace).await?;
        let period = Period::parse_fiscal(&self.period, workspace.settings().fiscal_year_first_month)?;
        let (facts, scheme) = (workspace.facts().await?, workspace.current_scheme().await?.scheme);
        Ok(Reading { workspace, period, facts, scheme, lang: self.lang.parse()? })
    }
}

async fn draft(whose: &Whose, save: bool) -> anyhow::Result<ExitCode> {
    let Whose { unit, format, out, .. } = whose;
    let (format, out) = (*format, out.as_deref());
    let Reading { workspace, period, facts, scheme, lang } = whose.read().await?;
    let library = yeji_feedback::library_of(workspace.root())?;
    let standings = yeji_feedback::gather(&facts, &period, &scheme, reps_of(whose)).await?;
    let drafts: Vec<(Draft, String)> =
        standings.iter().map(|s| (yeji_feedback::draft(s, &library, lang), s.name.clone())).collect();
    match format {
        // One rep's draft prints as one document, a unit's as a list.
        DraftFormat::Json if unit.is_none() => say!("{}", serde_json::to_string_pretty(&drafts[0].0)?),
        DraftFormat::Json => {
            say!("{}", serde_json::to_string_pretty(&drafts.iter().map(|d| &d.0).collect::<Vec<_>>())?)
        }
        DraftFormat::Md => {
            say!("{}", drafts.iter().map(|(d, name)| yeji_feedback::markdown(d, name)).collect::<Vec<_>>().join("\n"))
        }
        DraftFormat::Html | DraftFormat::Pdf | DraftFormat::Xlsx => {
            let docs = drafts.iter().map(|(d, name)| yeji_feedback::report(d, name, None, &[])).collect();
            export(docs, unit.as_deref(), &period, (format, out))?;
        }
    }
    if save {
        for (draft, _) in &drafts {
            let id = yeji_feedback::save(workspace.catalog(), draft, &crate::actor()).await?;
            say!("{id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn reps_of(whose: &Whose) -> yeji_feedback::Reps<'_> {
    match (&whose.rep, &whose.unit) {
        (Some(rep), _) => yeji_feedback::Reps::One(rep),
        (None, Some(unit)) => yeji_feedback::Reps::Under(unit),
        (None, None) => unreachable!("clap requires --rep or --unit"),
    }
}

/// One rep's document, or a unit's merged into one.
fn export(
    docs: Vec<yeji_export::Doc>,
    unit: Option<&str>,
    period: &Period,
    (format, out): (DraftFormat, Option<&Path>),
) -> anyhow::Result<()> {
    let export = match format {
        DraftFormat::Html => yeji_export::Format::Html,
        DraftFormat::Pdf => yeji_export::Format::Pdf,
        DraftFormat::Xlsx => yeji_export::Format::Xlsx,
        DraftFormat::Json | DraftFormat::Md => unreachable!("printed, not exported"),
    };
    let doc = match (unit, docs.len()) {
        (Some(unit), n) if n != 1 => yeji_export::Doc::merged(unit, &period.to_string(), docs),
        _ => docs.into_iter().next().ok_or_else(|| anyhow::anyhow!("no rep with a result in {period}"))?,
    };
    crate::output::document(&doc, export, out)
}

async fn review(whose: &Whose) -> anyhow::Result<ExitCode> {
    let Whose { unit, format, out, .. } = whose;
    let (format, out) = (*format, out.as_deref());
    let Reading { period, facts, scheme, lang, .. } = whose.read().await?;
    let reviews = yeji_feedback::review(&facts, &period, &scheme, reps_of(whose), lang).await?;
    match format {
        DraftFormat::Json if unit.is_none() => say!("{}", serde_json::to_string_pretty(&reviews[0])?),
        DraftFormat::Json => say!("{}", serde_json::to_string_pretty(&reviews)?),
        DraftFormat::Md => {
            for review in &reviews {
                let (header, rows) = yeji_feedback::review_table(review);
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                say!("# {} ({}) · {}\n\n{}\n", review.name, review.rep_id, review.period, table(&header, &rows));
                for point in &review.points {
                    say!("- {}", point.text);
                }
            }
        }
        _ => {
            export(reviews.iter().map(yeji_feedback::review_report).collect(), unit.as_deref(), &period, (format, out))?
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(args: &WorkspaceArg, rep: Option<&str>, format: Format) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace).await?;
    let items = yeji_feedback::list(workspace.catalog(), rep).await?;
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.rep_id.clone(),
                i.period.clone(),
                i.draft.lang.to_string(),
                i.state.as_str().into(),
                i.author.clone(),
            ]
        })
        .collect();
    say!("{}", table(&["id", "rep", "period", "lang", "state", "author"], &rows));
    Ok(ExitCode::SUCCESS)
}

async fn show(args: &WorkspaceArg, id: i64, format: ShowFormat, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace).await?;
    let item = yeji_feedback::load(workspace.catalog(), id).await?;
    if format == ShowFormat::Json {
        say!("{}", serde_json::to_string_pretty(&item)?);
        return Ok(ExitCode::SUCCESS);
    }
    let facts = workspace.facts().await?;
    let name = facts.org().rep_on(&item.rep_id, None).map_or(item.rep_id.as_str(), |r| r.name.as_str()).to_owned();
    if let Some(export) = format.export() {
        let doc = yeji_feedback::report(&item.draft, &name, Some(item.state), &item.events);
        crate::output::document(&doc, export, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{}", yeji_feedback::markdown(&item.draft, &name));
    say!("state: {}", item.state.as_str());
    for event in &item.events {
        let text = event.text.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
        say!("{}  {}  {}{text}", event.at.format("%Y-%m-%d %H:%M"), event.actor, event.step);
    }
    Ok(ExitCode::SUCCESS)
}
