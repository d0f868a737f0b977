//! What a persisted store keeps of the agent state, as plain values keyed by
//! names (ids do not survive a server restart), and the two pure halves of
//! persistence: [`save`] turns the live state into these values (names and
//! start directories come from a lookup the caller supplies) and
//! [`Registry::restore`] puts saved agents and groups back under the ids the
//! new server gave their sessions. No I/O: the server's store writes and
//! reads these values elsewhere.

use std::collections::HashMap;

use super::group::Group;
use super::layout::{Layouts, PaneState, Stage, Templates, Worktree};
use super::registry::{Agent, Registry};
use super::state::Profiles;
use super::SessionId;
use crate::ids::PaneId;

/// One unread message of a saved inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMessage {
    pub seq: u64,
    /// The sender's session name when saved (if it was sent from one that
    /// still existed), else `None`.
    pub from: Option<String>,
    /// The sender's id number when it was sent (used when `from` is gone).
    pub from_id: Option<u32>,
    pub from_name: String,
    pub time: i64,
    pub text: String,
}

/// One agent session, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAgent {
    pub name: String,
    /// Its id in the server that saved it: restore goes in this order.
    pub old_id: u32,
    pub agent_type: String,
    pub goal: String,
    pub created: i64,
    pub group: Option<String>,
    pub last_seq: u64,
    pub consumed: u64,
    pub dropped: u64,
    pub unread: Vec<SavedMessage>,
    /// The session's start directory.
    pub start_dir: Option<String>,
    /// What its agent pane was started with (`None`: the default shell).
    pub command: Option<String>,
    /// The conversation its agent pane was running, when known.
    pub conversation_id: Option<String>,
}

/// One context entry; the author by name (and its old id, if it is gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedEntry {
    pub key: String,
    /// Text, or compact JSON when `json`.
    pub value: String,
    pub json: bool,
    pub author: Option<String>,
    pub author_id: u32,
    pub time: i64,
    pub version: u64,
}

/// One group: members (session names) in join order, the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedGroup {
    pub name: String,
    pub created: i64,
    pub last_change: i64,
    pub version: u64,
    pub members: Vec<String>,
    pub context: Vec<SavedEntry>,
}

/// A user template: its layout and role specs as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedTemplate {
    pub name: String,
    pub layout: Option<String>,
    pub specs: Vec<String>,
}

/// One managed pane of a saved layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPane {
    /// Its managed id number in the saving server (`M<n>`).
    pub old_id: u32,
    pub label: String,
    pub role: String,
    pub command: Option<String>,
    pub state: PaneState,
    pub exit_status: Option<i32>,
    pub predecessor: Option<u32>,
    pub depth: u32,
    pub created: i64,
    pub start_dir: Option<String>,
    /// The agent conversation the pane was running, when known.
    pub conversation_id: Option<String>,
    pub stage: Option<Stage>,
    pub error: Option<String>,
    pub recreate_key: Option<String>,
    pub released: bool,
    /// Its git worktree and branch (shared along its chain).
    pub worktree: Option<Worktree>,
}

/// One live managed layout, by its session's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedLayout {
    pub session: String,
    pub old_id: u32,
    pub template: String,
    pub tmux_layout: Option<String>,
    pub group: String,
    pub key: Option<String>,
    pub created: i64,
    /// Every pane it had, in creation order (chains included).
    pub panes: Vec<SavedPane>,
}

impl SavedLayout {
    /// The panes to relaunch: each chain's newest pane that is not removed.
    pub fn current(&self) -> impl Iterator<Item = &SavedPane> + '_ {
        self.panes.iter().filter(|p| {
            p.state != PaneState::Removed
                && !self.panes.iter().any(|q| q.predecessor == Some(p.old_id))
        })
    }
}

/// A user agent profile, as `define-agent-profile` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedProfile {
    pub name: String,
    pub commands: Vec<String>,
    /// Its rules as specs (`[title:]STATE[:REASON]=PATTERN`).
    pub rules: Vec<String>,
    pub debounce_ms: u64,
    pub lines: u32,
    pub needs_paste: bool,
}

/// Everything a store keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Saved {
    pub agents: Vec<SavedAgent>,
    pub groups: Vec<SavedGroup>,
    pub templates: Vec<SavedTemplate>,
    pub layouts: Vec<SavedLayout>,
    pub profiles: Vec<SavedProfile>,
}

/// What the live state does not know itself, looked up by the caller when
/// it captured the state: session names and directories, pane start
/// directories and conversation ids, and each agent session's launch
/// command and conversation (of its agent pane).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub sessions: HashMap<SessionId, String>,
    pub session_dirs: HashMap<SessionId, String>,
    pub pane_dirs: HashMap<PaneId, String>,
    pub conversations: HashMap<PaneId, String>,
    pub session_commands: HashMap<SessionId, String>,
    pub session_conversations: HashMap<SessionId, String>,
}

/// The user profiles of `profiles` (built-in ones are not saved), by name.
pub fn save_profiles(profiles: &Profiles) -> Vec<SavedProfile> {
    profiles
        .all()
        .filter(|p| !p.builtin)
        .map(|p| SavedProfile {
            name: p.name.clone(),
            commands: p.commands.clone(),
            rules: p.rules.iter().map(|r| r.spec()).collect(),
            debounce_ms: p.debounce_ms,
            lines: p.lines,
            needs_paste: p.needs_paste,
        })
        .collect()
}

/// A command line that runs `argv` as a pane's start command: one word as
/// it is (the shell reads it, as tmux does a one-word command), more each
/// quoted for the shell when it needs to be.
pub fn shell_join(argv: &[String]) -> String {
    if let [one] = argv {
        return one.clone();
    }
    argv.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The saved form of the live state. Agents whose session has no name (it
/// is gone) are left out; so are layouts whose panes are all removed.
pub fn save(r: &Registry, layouts: &Layouts, templates: &Templates, names: &Names) -> Saved {
    save_parts(r.agents(), r.groups(), layouts, templates, names)
}

/// The saved form of agent `$id` with only its unread messages numbered
/// above `above` (0: all of them); `None` if its session has no name.
pub fn save_agent(id: SessionId, a: &Agent, above: u64, names: &Names) -> Option<SavedAgent> {
    let name = |id: SessionId| names.sessions.get(&id).cloned();
    Some(SavedAgent {
        name: name(id)?,
        old_id: id.0,
        agent_type: a.agent_type.clone(),
        goal: a.goal.clone(),
        created: a.created,
        group: a.group.clone(),
        last_seq: a.inbox.delivered(),
        consumed: a.inbox.consumed(),
        dropped: a.inbox.dropped(),
        unread: a
            .inbox
            .unread_after(above)
            .map(|m| SavedMessage {
                seq: m.seq,
                from: m.from.and_then(name),
                from_id: m.from.map(|f| f.0),
                from_name: m.from_name.clone(),
                time: m.time,
                text: m.text.clone(),
            })
            .collect(),
        start_dir: names.session_dirs.get(&id).cloned(),
        command: names.session_commands.get(&id).cloned(),
        conversation_id: names.session_conversations.get(&id).cloned(),
    })
}

/// [`save`] of agents and groups given one by one (a copy the caller keeps
/// up to date with what changed).
pub fn save_parts<'a>(
    agents: impl Iterator<Item = (SessionId, &'a Agent)>,
    groups: impl Iterator<Item = &'a Group>,
    layouts: &Layouts,
    templates: &Templates,
    names: &Names,
) -> Saved {
    let name = |id: SessionId| names.sessions.get(&id).cloned();
    let mut saved = Saved::default();
    saved
        .agents
        .extend(agents.filter_map(|(id, a)| save_agent(id, a, 0, names)));
    for g in groups {
        let members: Vec<String> = g.members().filter_map(name).collect();
        if members.is_empty() {
            continue;
        }
        saved.groups.push(SavedGroup {
            name: g.name().to_owned(),
            created: g.created(),
            last_change: g.last_change(),
            version: g.version(),
            members,
            context: g
                .context()
                .map(|(k, e)| SavedEntry {
                    key: k.to_owned(),
                    value: e.value.as_display(),
                    json: e.value.is_json(),
                    author: name(e.author),
                    author_id: e.author.0,
                    time: e.time,
                    version: e.version,
                })
                .collect(),
        });
    }
    for t in templates.iter().filter(|t| !t.builtin) {
        saved.templates.push(SavedTemplate {
            name: t.name.clone(),
            layout: t.layout.clone(),
            specs: t.roles.iter().map(|s| s.to_string()).collect(),
        });
    }
    for l in layouts.layouts() {
        if !layouts.is_live(l.id) {
            continue;
        }
        let Some(session) = name(l.session) else {
            continue;
        };
        saved.layouts.push(SavedLayout {
            session,
            old_id: l.id.0,
            template: l.template.clone(),
            tmux_layout: l.tmux_layout.clone(),
            group: l.group.clone(),
            key: l.key.clone(),
            created: l.created,
            panes: layouts
                .panes(l.id)
                .map(|p| SavedPane {
                    old_id: p.id.0,
                    label: p.label.clone(),
                    role: p.role.clone(),
                    command: p.command.clone(),
                    state: p.state,
                    exit_status: p.exit_status,
                    predecessor: p.predecessor.map(|m| m.0),
                    depth: p.depth,
                    created: p.created,
                    start_dir: p.pane.and_then(|x| names.pane_dirs.get(&x).cloned()),
                    conversation_id: p.pane.and_then(|x| names.conversations.get(&x).cloned()),
                    stage: p.stage,
                    error: p.error.clone(),
                    recreate_key: p.recreate_key.clone(),
                    released: p.released,
                    worktree: p.worktree.clone(),
                })
                .collect(),
        });
    }
    saved
}

/// The command that resumes conversation `id` of the agent CLI that
/// `launch` starts, for the CLIs that can: Claude Code (its command plus
/// `--resume ID`) and Codex CLI (`codex resume ID`). `None`: start it as
/// launched (also when the id is not a plain word, which is never put in a
/// command line).
pub fn resume_command(launch: &str, id: &str) -> Option<String> {
    let safe = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !safe {
        return None;
    }
    let program = launch.split_whitespace().next()?;
    let base = program.rsplit('/').next().unwrap_or(program);
    match base {
        // Its options are kept: `claude --model x` resumes as
        // `claude --model x --resume ID`.
        "claude" => Some(format!("{} --resume {id}", launch.trim())),
        "codex" => Some(format!("{program} resume {id}")),
        _ => None,
    }
}

pub use super::registry::Restored;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::inbox::InboxLimits;
    use crate::agent::{SendTo, Value};

    const T: i64 = 1000;

    fn names(pairs: &[(u32, &str)]) -> Names {
        let mut n = Names::default();
        for &(id, name) in pairs {
            n.sessions.insert(SessionId(id), name.to_owned());
        }
        n
    }

    fn team() -> Registry {
        let mut r = Registry::new();
        r.set_agent(SessionId(1), Some("claude"), Some("lead"), T)
            .unwrap();
        let _ = r.join(SessionId(1), "team", T).unwrap();
        let _ = r.join(SessionId(2), "team", T + 1).unwrap();
        let _ = r
            .share(SessionId(1), "plan", Value::text("a").unwrap(), T + 2)
            .unwrap();
        let _ = r
            .share(
                SessionId(2),
                "data",
                Value::parse_json("{\"n\":1}").unwrap(),
                T + 3,
            )
            .unwrap();
        let _ = r
            .share(SessionId(1), "plan", Value::text("b").unwrap(), T + 4)
            .unwrap();
        for text in ["one", "two", "three"] {
            let _ = r
                .send(
                    Some(SessionId(1)),
                    "lead",
                    SendTo::Session(SessionId(2)),
                    text,
                    T + 5,
                    |_| InboxLimits::default(),
                )
                .unwrap();
        }
        r.consume(SessionId(2), Some(1)).unwrap();
        r
    }

    #[test]
    fn save_then_restore_under_new_ids_keeps_everything() {
        let r = team();
        let saved = save(
            &r,
            &Layouts::new(),
            &Templates::new(),
            &names(&[(1, "lead"), (2, "coder")]),
        );
        assert_eq!(saved.agents.len(), 2);
        let g = &saved.groups[0];
        assert_eq!(
            (g.version, g.members.clone()),
            (3, vec!["lead".to_string(), "coder".to_string()])
        );
        // The new server gave the sessions other ids.
        let ids = |n: &str| match n {
            "lead" => Some(SessionId(7)),
            "coder" => Some(SessionId(5)),
            _ => None,
        };
        let mut new = Registry::new();
        let agents: Vec<_> = saved
            .agents
            .iter()
            .map(|a| (ids(&a.name).unwrap(), a))
            .collect();
        let groups: Vec<_> = saved.groups.iter().collect();
        let out = new.restore(&agents, &groups, ids);
        assert_eq!(out.groups, vec!["team".to_string()]);
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        let g = new.group("team").unwrap();
        assert_eq!(
            g.members().collect::<Vec<_>>(),
            vec![SessionId(7), SessionId(5)]
        );
        assert_eq!(g.coordinator(), SessionId(7));
        assert_eq!(g.version(), 3);
        assert_eq!(g.entry("plan").unwrap().author, SessionId(7));
        assert_eq!(g.entry("plan").unwrap().version, 3);
        assert_eq!(g.entry("data").unwrap().value.as_display(), "{\"n\":1}");
        assert_eq!(g.context_bytes(), r.group("team").unwrap().context_bytes());
        let inbox = &new.agent(SessionId(5)).unwrap().inbox;
        let seqs: Vec<u64> = inbox.unread().map(|m| m.seq).collect();
        assert_eq!(seqs, vec![2, 3]);
        assert_eq!(
            (inbox.delivered(), inbox.consumed(), inbox.dropped()),
            (3, 1, 0)
        );
        assert_eq!(inbox.oldest().unwrap().from, Some(SessionId(7)));
        assert_eq!(new.inbox_bytes(), 8);
        // Saved again under the new ids, it is the same.
        let again = save(
            &new,
            &Layouts::new(),
            &Templates::new(),
            &names(&[(7, "lead"), (5, "coder")]),
        );
        let strip = |s: &Saved| {
            let mut s = s.clone();
            for a in &mut s.agents {
                a.old_id = 0;
                for m in &mut a.unread {
                    m.from_id = None;
                }
            }
            s.agents.sort_by(|a, b| a.name.cmp(&b.name));
            for g in &mut s.groups {
                for e in &mut g.context {
                    e.author_id = 0;
                }
            }
            s
        };
        assert_eq!(strip(&again), strip(&saved));
        // New writes go on from the restored numbers.
        let out = new
            .share(SessionId(5), "x", Value::text("y").unwrap(), T + 9)
            .unwrap();
        assert!(matches!(
            out.events[0],
            crate::agent::Event::ContextChanged { version: 4, .. }
        ));
    }

    #[test]
    fn restore_leaves_live_agents_and_taken_groups_alone() {
        let r = team();
        let saved = save(
            &r,
            &Layouts::new(),
            &Templates::new(),
            &names(&[(1, "lead"), (2, "coder")]),
        );
        let mut new = Registry::new();
        new.set_agent(SessionId(2), Some("other"), None, T).unwrap();
        let ids = |n: &str| match n {
            "lead" => Some(SessionId(1)),
            "coder" => Some(SessionId(2)),
            _ => None,
        };
        let agents: Vec<_> = saved
            .agents
            .iter()
            .map(|a| (ids(&a.name).unwrap(), a))
            .collect();
        let groups: Vec<_> = saved.groups.iter().collect();
        let out = new.restore(&agents, &groups, ids);
        assert_eq!(
            out.skipped,
            vec!["session coder is already an agent".to_string()]
        );
        assert_eq!(new.agent(SessionId(2)).unwrap().agent_type, "other");
        assert_eq!(new.agent(SessionId(2)).unwrap().group, None);
        assert_eq!(
            new.group("team").unwrap().members().collect::<Vec<_>>(),
            vec![SessionId(1)]
        );
        // A group whose name is taken is left out.
        let mut taken = Registry::new();
        let _ = taken.join(SessionId(9), "team", T).unwrap();
        let out = taken.restore(&agents, &groups, ids);
        assert_eq!(out.skipped, vec!["group team exists".to_string()]);
        assert!(!taken.group("team").unwrap().is_member(SessionId(1)));
    }

    #[test]
    fn shell_join_quotes_only_what_needs_it() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(shell_join(&v(&["cat -u"])), "cat -u");
        assert_eq!(
            shell_join(&v(&["claude", "--model", "x y", "it's", ""])),
            "claude --model 'x y' 'it'\\''s' ''"
        );
    }

    #[test]
    fn resume_commands() {
        assert_eq!(
            resume_command("claude", "ab-1").as_deref(),
            Some("claude --resume ab-1")
        );
        assert_eq!(
            resume_command("/usr/bin/claude --model x", "ab").as_deref(),
            Some("/usr/bin/claude --model x --resume ab")
        );
        assert_eq!(
            resume_command("codex", "c1").as_deref(),
            Some("codex resume c1")
        );
        assert_eq!(resume_command("cat", "c1"), None);
        // An id that is not a plain word is never put in a command line.
        assert_eq!(resume_command("claude", "a;rm -rf /"), None);
        assert_eq!(resume_command("claude", ""), None);
    }
}
