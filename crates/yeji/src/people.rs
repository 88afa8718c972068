//! `yeji user`, `yeji token` and `yeji audit` (SPEC §15.1): the people who
//! sign in, their API tokens, and the log of every change. The CLI acts as
//! the machine's user (whoever may write the workspace folder).

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use yeji_facts::Workspace;
use yeji_people::{Person, Role, UserChange};
use yeji_store::AuditFilter;

use crate::WorkspaceArg;
use crate::output::{Format, table};

#[derive(clap::Subcommand)]
pub enum UserAction {
    /// Add a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        workspace: WorkspaceArg,
        login: String,
        /// admin, director, manager (scoped to --entity, an org unit), rep (--entity: their rep_id) or hr.
        #[arg(long)]
        role: String,
        #[arg(long)]
        entity: Option<String>,
        /// The name shown (default: the login).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the users.
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Stop a user from signing in (their sessions and tokens stop working).
    Disable {
        #[command(flatten)]
        workspace: WorkspaceArg,
        login: String,
    },
    /// Let a disabled user sign in again.
    Enable {
        #[command(flatten)]
        workspace: WorkspaceArg,
        login: String,
    },
    /// Change a user's role, entity or name.
    Set {
        #[command(flatten)]
        workspace: WorkspaceArg,
        login: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        entity: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a user's password, read from standard input.
    Passwd {
        #[command(flatten)]
        workspace: WorkspaceArg,
        login: String,
    },
}

#[derive(clap::Subcommand)]
pub enum TokenAction {
    /// Create an API token for a user (`Authorization: Bearer TOKEN`); printed once, alone on the last line.
    Create {
        #[command(flatten)]
        workspace: WorkspaceArg,
        login: String,
    },
    /// Revoke a token (its id, or the whole token).
    Revoke {
        #[command(flatten)]
        workspace: WorkspaceArg,
        token: String,
    },
    /// List the tokens (ids only).
    List {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
}

#[derive(clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// Changes from this day on (YYYY-MM-DD, UTC).
    #[arg(long)]
    since: Option<chrono::NaiveDate>,
    /// Changes by this login (or OS user, for the CLI).
    #[arg(long)]
    actor: Option<String>,
    /// Only this action (import, revert, scheme, user.add, signin_failed, …).
    #[arg(long)]
    action: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// A password from standard input (its first line).
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn user(action: UserAction) -> anyhow::Result<ExitCode> {
    let actor = crate::actor();
    match action {
        UserAction::Add { workspace, login, role, entity, name } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let role: Role = role.parse()?;
            let password = read_password()?;
            let facts = workspace.facts().await?;
            let entity = entity.map(|e| facts.settings().id(&e));
            let person =
                Person { login: &login, role, entity: entity.as_deref(), name: name.as_deref(), password: &password };
            let user = yeji_people::add_user(workspace.catalog(), facts.org(), person, &actor).await?;
            say!("added {} ({}{})", user.login, user.role, user.entity.map(|e| format!(" of {e}")).unwrap_or_default());
        }
        UserAction::List { workspace, format } => {
            let users = Workspace::open(&workspace.workspace).await?.catalog().users().await?;
            if format == Format::Json {
                say!("{}", serde_json::to_string_pretty(&users)?);
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    let state = if u.active { "active" } else { "disabled" };
                    vec![
                        u.login.clone(),
                        u.name.clone(),
                        u.role.clone(),
                        u.entity.clone().unwrap_or_default(),
                        state.into(),
                    ]
                })
                .collect();
            say!("{}", table(&["login", "name", "role", "entity", "state"], &rows));
        }
        UserAction::Disable { workspace, login } => {
            change(&workspace, &login, UserChange { active: Some(false), ..Default::default() }, &actor).await?
        }
        UserAction::Enable { workspace, login } => {
            change(&workspace, &login, UserChange { active: Some(true), ..Default::default() }, &actor).await?
        }
        UserAction::Set { workspace, login, role, entity, name } => {
            let role = role.map(|r| r.parse::<Role>()).transpose()?;
            let change_to = UserChange { role, entity: entity.map(Some), name, ..Default::default() };
            change(&workspace, &login, change_to, &actor).await?;
        }
        UserAction::Passwd { workspace, login } => {
            let password = read_password()?;
            change(&workspace, &login, UserChange { password: Some(password), ..Default::default() }, &actor).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn change(workspace: &WorkspaceArg, login: &str, change: UserChange, actor: &str) -> anyhow::Result<()> {
    let workspace = Workspace::open(&workspace.workspace).await?;
    let facts = workspace.facts().await?;
    let mut change = change;
    if let Some(Some(entity)) = &change.entity {
        change.entity = Some(Some(facts.settings().id(entity)));
    }
    let user = yeji_people::change_user(workspace.catalog(), facts.org(), login, change, actor).await?;
    let state = if user.active { "active" } else { "disabled" };
    say!("{}: {} {}{}", user.login, state, user.role, user.entity.map(|e| format!(" of {e}")).unwrap_or_default());
    Ok(())
}

pub async fn token(action: TokenAction) -> anyhow::Result<ExitCode> {
    let actor = crate::actor();
    match action {
        TokenAction::Create { workspace, login } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let token = yeji_people::create_token(workspace.catalog(), &login, &actor).await?;
            eprintln!("an API token for {login}; it is shown once: keep it, or revoke it with `yeji token revoke`");
            say!("{token}");
        }
        TokenAction::Revoke { workspace, token } => {
            let workspace = Workspace::open(&workspace.workspace).await?;
            let id = token.strip_prefix("yeji_").and_then(|t| t.split('_').next()).unwrap_or(&token);
            if !workspace.catalog().revoke_token(id, &actor).await? {
                anyhow::bail!("no live token '{id}' (see `yeji token list`)");
            }
            say!("revoked token {id}");
        }
        TokenAction::List { workspace } => {
            let tokens = Workspace::open(&workspace.workspace).await?.catalog().tokens().await?;
            let rows: Vec<Vec<String>> = tokens
                .iter()
                .map(|t| {
                    let state =
                        t.revoked_at.map_or("live".to_owned(), |at| format!("revoked {}", at.format("%Y-%m-%d %H:%M")));
                    vec![t.id.clone(), t.login.clone(), t.created_at.format("%Y-%m-%d %H:%M").to_string(), state]
                })
                .collect();
            say!("{}", table(&["id", "login", "created", "state"], &rows));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn audit(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::open(&args.workspace.workspace).await?;
    let filter = AuditFilter { since: args.since, actor: args.actor, action: args.action };
    let rows = workspace.catalog().audit_log(&filter).await?;
    if args.format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let text = |v: &Option<serde_json::Value>| v.as_ref().map_or(String::new(), |v| v.to_string());
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let change = match (&r.before, &r.after) {
                (None, None) => String::new(),
                (before, after) => format!("{} → {}", text(before), text(after)),
            };
            let change: String = change.chars().take(120).collect();
            vec![
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.actor.clone(),
                r.action.clone(),
                r.object.clone(),
                change,
            ]
        })
        .collect();
    say!("{}", table(&["at (UTC)", "actor", "action", "object", "before → after"], &lines));
    Ok(ExitCode::SUCCESS)
}
