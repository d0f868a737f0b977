//! agent-tmux-mcp: an MCP server over stdio for an agent CLI running in a
//! pane of an agent-tmux server.
//!
//! The agent CLI starts it as its child, so it inherits `$TMUX` (the server's
//! socket) and `$TMUX_PANE` (the caller's pane); the session of that pane is
//! who the caller is, and every tool acts as that session only. It talks to
//! the tmux server only through tmux's own protocol: one control-mode client
//! attached to the caller's session (`control.rs`), plus a `tmux` command
//! client per wait. Nothing needs setting up on the server.
//!
//! The `tmux` it runs is `$AGENT_TMUX_BIN`, else the `tmux` beside this
//! executable, else `tmux` from `PATH`.

#![deny(unsafe_code)]

mod control;
mod quote;
mod server;
mod tools;

use std::process::ExitCode;

use rmcp::ServiceExt;

use control::{run_client, Control};
use server::{Identity, Server};

fn tmux_binary() -> String {
    if let Some(b) = std::env::var_os("AGENT_TMUX_BIN").filter(|b| !b.is_empty()) {
        return b.to_string_lossy().into_owned();
    }
    if let Ok(exe) = std::env::current_exe() {
        let sibling = exe.with_file_name("tmux");
        if sibling.is_file() {
            return sibling.to_string_lossy().into_owned();
        }
    }
    "tmux".to_string()
}

/// Who the caller is, from the environment and the server; the error says
/// why not in one line.
async fn identify() -> Result<Identity, String> {
    let tmux_env = std::env::var("TMUX").unwrap_or_default();
    let socket = tmux_env.split(',').next().unwrap_or("").to_string();
    if socket.is_empty() {
        return Err("not running inside tmux ($TMUX is not set); start it from an agent CLI in a pane of an agent-tmux server".into());
    }
    let pane = std::env::var("TMUX_PANE").unwrap_or_default();
    if !pane.starts_with('%') {
        return Err("not running in a tmux pane ($TMUX_PANE is not set)".into());
    }
    let tmux = tmux_binary();
    let args = [
        "display-message".to_string(),
        "-p".into(),
        "-t".into(),
        pane.clone(),
        "#{session_id} #{agent_tmux_version}".into(),
    ];
    let line = run_client(&tmux, &socket, &args).await?;
    let mut f = line.split(' ');
    let session = f.next().unwrap_or("").to_string();
    if !session.starts_with('$') {
        return Err(format!("can't find pane: {pane}"));
    }
    if f.next().unwrap_or("").is_empty() {
        return Err(format!("the tmux server at {socket} is not agent-tmux"));
    }
    Ok(Identity {
        tmux,
        socket,
        session,
        pane,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let id = match identify().await {
        Ok(id) => id,
        Err(e) => {
            eprintln!("agent-tmux-mcp: {e}");
            return ExitCode::FAILURE;
        }
    };
    let control = match Control::start(&id.tmux, &id.socket, &id.session, || {
        eprintln!("agent-tmux-mcp: lost connection to the tmux server");
        std::process::exit(1);
    }) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("agent-tmux-mcp: can't run {}: {e}", id.tmux);
            return ExitCode::FAILURE;
        }
    };
    // The first reply proves the connection is up.
    if let Err(e) = control.run("display-message -p ok".to_string()).await {
        eprintln!("agent-tmux-mcp: {e}");
        return ExitCode::FAILURE;
    }
    let server = Server::new(id, control).await;
    let service = match server.serve(rmcp::transport::stdio_pipes()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agent-tmux-mcp: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = service.waiting().await;
    ExitCode::SUCCESS
}
