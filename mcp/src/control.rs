//! The one long-lived control-mode connection to the tmux server.
//!
//! `tmux -S SOCKET -C attach-session -t SESSION -f ignore-size,no-output`
//! runs as a child process: it never changes window sizes and gets no pane
//! output, only command replies and notifications. Commands are written one
//! per line; their replies come back in the same order, each between
//! `%begin T N 1` and `%end T N 1` or `%error T N 1` (flags 1: sent by this
//! client). Lines outside a block are notifications; the `%agent-*` ones are
//! parsed into [`Event`]s and broadcast, the others ignored.
//!
//! Commands that wait (`agent-wait`, `agent-prompt` without `-b`) would hold
//! this client's queue and with it every other tool call, so they never go
//! through here: [`run_client`] runs them as a `tmux` command client of their
//! own.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{broadcast, mpsc, oneshot};

/// What the server announced (see CONTROL MODE in agent-tmux(1)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `%agent-context-changed GROUP KEY VERSION AUTHOR`
    ContextChanged { group: String, key: String },
    /// `%agent-message TO FROM SEQ`
    Message { to: String },
    /// `%agent-group-changed SESSION GROUP EVENT`
    GroupChanged { session: String },
    /// `%agent-pane-status SESSION WINDOW PANE STATUS` (and, once issue 13
    /// lands, `%agent-state PANE SESSION STATE REASON`)
    PeerState { session: String },
}

/// The reply to one command: its output, or its error text.
pub type Reply = Result<String, String>;

/// One line of control-mode output, classified.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    /// `%begin`, `%end` or `%error` with time, number and flags.
    Guard {
        kind: &'a str,
        id: (&'a str, &'a str),
        flags: &'a str,
    },
    Notification(&'a str),
    Text(&'a str),
}

fn classify(line: &str) -> Line<'_> {
    if let Some(rest) = line.strip_prefix('%') {
        let mut f = rest.split(' ');
        let kind = f.next().unwrap_or("");
        if matches!(kind, "begin" | "end" | "error") {
            if let (Some(t), Some(n), Some(flags), None) = (f.next(), f.next(), f.next(), f.next())
            {
                return Line::Guard {
                    kind,
                    id: (t, n),
                    flags,
                };
            }
        }
        return Line::Notification(line);
    }
    Line::Text(line)
}

/// The text of an output line: agent commands write a line that begins
/// (after backslashes) with `%begin`, `%end` or `%error` with one more
/// backslash in front; take it off.
fn unescape(line: &str) -> &str {
    let rest = line.trim_start_matches('\\');
    if rest.len() < line.len()
        && (rest.starts_with("%begin") || rest.starts_with("%end") || rest.starts_with("%error"))
    {
        &line[1..]
    } else {
        line
    }
}

/// The agent event a notification line announces, if it is one we use.
pub fn parse_event(line: &str) -> Option<Event> {
    let mut f = line.split(' ');
    let name = f.next()?;
    let a: Vec<&str> = f.collect();
    match (name, a.as_slice()) {
        ("%agent-context-changed", [group, key, _version, _author, ..]) => {
            Some(Event::ContextChanged {
                group: group.to_string(),
                key: key.to_string(),
            })
        }
        ("%agent-message", [to, _from, _seq, ..]) => Some(Event::Message { to: to.to_string() }),
        ("%agent-group-changed", [session, _group, _event, ..]) => Some(Event::GroupChanged {
            session: session.to_string(),
        }),
        ("%agent-pane-status", [session, _window, _pane, _status, ..]) => Some(Event::PeerState {
            session: session.to_string(),
        }),
        ("%agent-state", [_pane, session, ..]) => Some(Event::PeerState {
            session: session.to_string(),
        }),
        _ => None,
    }
}

/// Reassembles replies from control-mode lines.
#[derive(Default)]
struct Parser {
    block: Option<(String, String, bool, Vec<String>)>,
}

enum Parsed {
    Reply(Reply),
    Event(Event),
    Exit,
    Nothing,
}

impl Parser {
    fn feed(&mut self, line: &str) -> Parsed {
        if let Some((t, n, mine, body)) = &mut self.block {
            if let Line::Guard { kind, id, .. } = classify(line) {
                if kind != "begin" && id.0 == t.as_str() && id.1 == n.as_str() {
                    let text = body.join("\n");
                    let mine = *mine;
                    self.block = None;
                    if !mine {
                        return Parsed::Nothing;
                    }
                    return Parsed::Reply(if kind == "end" { Ok(text) } else { Err(text) });
                }
            }
            body.push(unescape(line).to_string());
            return Parsed::Nothing;
        }
        match classify(line) {
            Line::Guard {
                kind: "begin",
                id,
                flags,
            } => {
                self.block = Some((id.0.to_string(), id.1.to_string(), flags == "1", Vec::new()));
                Parsed::Nothing
            }
            Line::Notification(n) if n == "%exit" || n.starts_with("%exit ") => Parsed::Exit,
            Line::Notification(n) => parse_event(n).map_or(Parsed::Nothing, Parsed::Event),
            _ => Parsed::Nothing,
        }
    }
}

struct Shared {
    pending: VecDeque<oneshot::Sender<Reply>>,
    writer: Option<mpsc::UnboundedSender<String>>,
}

/// A running control-mode connection.
#[derive(Clone)]
pub struct Control {
    shared: Arc<Mutex<Shared>>,
    events: broadcast::Sender<Event>,
    _child: Arc<Mutex<Child>>,
}

const LOST: &str = "lost connection to the tmux server";

impl Control {
    /// Attach a control client to `session` on the server at `socket`.
    /// `on_close` runs once when the connection ends.
    pub fn start(
        tmux: &str,
        socket: &str,
        session: &str,
        on_close: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<Control> {
        let mut child = Command::new(tmux)
            .args(["-S", socket, "-C", "attach-session", "-t", session])
            .args(["-f", "ignore-size,no-output"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let shared = Arc::new(Mutex::new(Shared {
            pending: VecDeque::new(),
            writer: Some(tx),
        }));
        let (events, _) = broadcast::channel(1024);

        tokio::spawn(async move {
            while let Some(mut line) = rx.recv().await {
                line.push('\n');
                if stdin.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
        });

        let reader_shared = shared.clone();
        let reader_events = events.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut parser = Parser::default();
            while let Ok(Some(line)) = lines.next_line().await {
                match parser.feed(&line) {
                    Parsed::Reply(reply) => {
                        let waiter = reader_shared.lock().unwrap().pending.pop_front();
                        if let Some(w) = waiter {
                            let _ = w.send(reply);
                        }
                    }
                    Parsed::Event(e) => {
                        let _ = reader_events.send(e);
                    }
                    Parsed::Exit => break,
                    Parsed::Nothing => {}
                }
            }
            let mut s = reader_shared.lock().unwrap();
            s.writer = None;
            for w in s.pending.drain(..) {
                let _ = w.send(Err(LOST.to_string()));
            }
            drop(s);
            on_close();
        });

        Ok(Control {
            shared,
            events,
            _child: Arc::new(Mutex::new(child)),
        })
    }

    /// Run one command line; its output or its error.
    pub async fn run(&self, line: String) -> Reply {
        let (tx, rx) = oneshot::channel();
        {
            let mut s = self.shared.lock().unwrap();
            let Some(writer) = &s.writer else {
                return Err(LOST.to_string());
            };
            if writer.send(line).is_err() {
                return Err(LOST.to_string());
            }
            s.pending.push_back(tx);
        }
        rx.await.unwrap_or_else(|_| Err(LOST.to_string()))
    }

    /// Every agent event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

/// Run `tmux -S SOCKET ARGS...` as a command client of its own (for commands
/// that wait); its standard output, or its error message.
pub async fn run_client(tmux: &str, socket: &str, args: &[String]) -> Reply {
    let out = Command::new(tmux)
        .arg("-S")
        .arg(socket)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("can't run {tmux}: {e}"))?;
    let text = |b: &[u8]| {
        let s = String::from_utf8_lossy(b);
        s.strip_suffix('\n').unwrap_or(&s).to_string()
    };
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        let err = text(&out.stderr);
        Err(if err.is_empty() {
            format!("{} failed", args.first().map_or("tmux", |s| s.as_str()))
        } else {
            err
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(p: &mut Parser, lines: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for l in lines {
            match p.feed(l) {
                Parsed::Reply(Ok(t)) => out.push(format!("ok:{t}")),
                Parsed::Reply(Err(t)) => out.push(format!("err:{t}")),
                Parsed::Event(e) => out.push(format!("{e:?}")),
                Parsed::Exit => out.push("exit".into()),
                Parsed::Nothing => {}
            }
        }
        out
    }

    #[test]
    fn replies_and_events_are_separated() {
        let mut p = Parser::default();
        let out = feed_all(
            &mut p,
            &[
                "%begin 1 10 0",
                "%end 1 10 0",
                "%session-changed $1 a",
                "%begin 1 11 1",
                "line one",
                "\\%end 1 11 1",
                "%end 1 11 1",
                "%agent-context-changed g k 3 $2",
                "%begin 1 12 1",
                "can't find key: x",
                "%error 1 12 1",
                "%agent-message $1 - 4",
                "%exit",
            ],
        );
        assert_eq!(
            out,
            vec![
                "ok:line one\n%end 1 11 1".to_string(),
                "ContextChanged { group: \"g\", key: \"k\" }".to_string(),
                "err:can't find key: x".to_string(),
                "Message { to: \"$1\" }".to_string(),
                "exit".to_string(),
            ]
        );
    }

    #[test]
    fn a_block_ends_only_at_its_own_guard() {
        let mut p = Parser::default();
        let out = feed_all(
            &mut p,
            &["%begin 5 1 1", "%end 5 2 1", "%agent-x y", "%end 5 1 1"],
        );
        assert_eq!(out, vec!["ok:%end 5 2 1\n%agent-x y".to_string()]);
    }

    #[test]
    fn unescape_takes_one_backslash_off_guards_only() {
        assert_eq!(unescape("\\\\%begin x"), "\\%begin x");
        assert_eq!(unescape("\\x"), "\\x");
        assert_eq!(unescape("%begin"), "%begin");
    }

    #[test]
    fn events() {
        assert_eq!(
            parse_event("%agent-group-changed $3 team joined"),
            Some(Event::GroupChanged {
                session: "$3".into()
            })
        );
        assert_eq!(
            parse_event("%agent-pane-status $3 @1 %2 idle"),
            Some(Event::PeerState {
                session: "$3".into()
            })
        );
        assert_eq!(parse_event("%window-add @1"), None);
        assert_eq!(parse_event("%agent-message $1"), None);
    }
}
