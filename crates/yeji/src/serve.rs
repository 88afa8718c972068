//! `yeji serve`: the web app over a workspace.

use std::net::SocketAddr;
use std::process::ExitCode;

use yeji_facts::Workspace;

use crate::WorkspaceArg;

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    serve(Workspace::open(&args.workspace.workspace).await?, args.addr, None).await
}

/// Serves until Ctrl-C, printing the URL once listening (and a one-time
/// sign-in link, for the demo).
pub async fn serve(workspace: Workspace, addr: SocketAddr, link: Option<String>) -> anyhow::Result<ExitCode> {
    yeji_web::serve(workspace, addr, |bound| {
        say!("\ndashboard: http://{bound}/   (Ctrl-C to stop)");
        if let Some(link) = link {
            say!("sign in as the director, once, with: http://{bound}{link}");
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("cannot serve on {addr}: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
