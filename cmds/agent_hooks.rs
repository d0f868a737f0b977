//! `agent-hooks [-i] [-b command] [-f settings-file] [cli]` (alias
//! `ahooks`): print the hooks snippet that makes an agent CLI's own hooks
//! report to agent-tmux (`agent-report -I EVENT` for each event), for
//! Claude Code's `~/.claude/settings.json` (the default) or Gemini CLI's
//! `~/.gemini/settings.json`. Only with `-i` (the user's consent) is it
//! merged into that file (or `-f`): nothing else in it changes, an event
//! that already has our hook is left alone, the old file is kept beside it
//! as `*.agent-tmux.bak`, the mode is kept (0600 for a new file). The file
//! is read and written on a thread, never on the server's event loop.

use std::path::{Path, PathBuf};

use agent_tmux::agent::hooks::{snippet_text, HookCli};

use super::util::text;
use crate::server::{background, hooks_install};
use crate::tmux::held::{self, Resume};
use crate::tmux::{CmdError, CmdResult, CommandSpec, Flow, Item, READONLY, WAITS};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-hooks",
    alias: Some(c"ahooks"),
    args: c"b:f:i",
    upper: 1,
    usage: c"[-i] [-b command] [-f settings-file] [cli]",
    flags: READONLY | WAITS,
    exec,
    ..CommandSpec::BASE
};

/// The command hooks run: this server's own binary (a path that the
/// hook's `PATH` need not know).
fn own_binary() -> String {
    let p = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "tmux".to_string());
    p.strip_suffix(" (deleted)").unwrap_or(&p).to_string()
}

fn exec(item: &mut Item) -> CmdResult {
    let cli = match text(item.arg_bytes(0))? {
        None => HookCli::Claude,
        Some(name) => HookCli::parse(name).ok_or_else(|| CmdError::BadValue {
            what: "agent cli",
            value: name.to_string(),
            allowed: "claude or gemini".to_string(),
        })?,
    };
    let tmux = match text(item.value_bytes('b'))? {
        Some("") => return Err(CmdError::Usage("-b needs a command")),
        Some(b) => b.to_string(),
        None => own_binary(),
    };
    let file = text(item.value_bytes('f'))?;
    if !item.has('i') {
        if file.is_some() {
            return Err(CmdError::Usage("-f needs -i"));
        }
        item.print(snippet_text(cli, &tmux).trim_end());
        return Ok(Flow::Done);
    }
    if item.client_is_readonly() {
        return Err(CmdError::ReadOnly);
    }
    if !item.can_wait() {
        return Err(CmdError::Failed(
            "agent-hooks -i must be run as a tmux command (it waits for the file)".to_string(),
        ));
    }
    let path: PathBuf = match file {
        Some("") => return Err(CmdError::Usage("-f needs a file")),
        Some(f) if Path::new(f).is_absolute() => PathBuf::from(f),
        Some(f) => Path::new(&item.client_cwd()).join(f),
        None => match item.client_env("HOME").filter(|h| h.starts_with('/')) {
            Some(h) => Path::new(&h).join(cli.settings_path()),
            None => {
                return Err(CmdError::Failed(
                    "no HOME in the client's environment: use -f".to_string(),
                ))
            }
        },
    };
    let held = held::hold(item);
    background::run(
        move || hooks_install::install(&path, cli, &tmux),
        move |result| {
            let text = match result.and_then(|r| r) {
                Ok(done) => {
                    let shown = done.path.display();
                    let m = &done.merged;
                    if m.added.is_empty() {
                        format!(
                            "hooks already installed in {shown}: {}",
                            m.present.join(" ")
                        )
                    } else {
                        let mut s = format!("added hooks to {shown}: {}", m.added.join(" "));
                        if !m.present.is_empty() {
                            s.push_str(&format!("\nalready there: {}", m.present.join(" ")));
                        }
                        if let Some(b) = &done.backup {
                            s.push_str(&format!("\nbackup: {}", b.display()));
                        }
                        s
                    }
                }
                Err(e) => {
                    held::resume(held, Resume::Error(&e));
                    return;
                }
            };
            held::resume(held, Resume::Print(&text));
        },
    );
    Ok(Flow::Wait)
}
