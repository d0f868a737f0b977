//! Agent state: what the agent in a pane is doing, for a human supervising
//! it. `starting` (launched, not ready), `working` (generating or running
//! tools), `waiting` (needs a human: a permission prompt, a question, a
//! confirmation, a login or trust dialog), `idle` (turn finished, ready for a
//! prompt), `exited` (gone, with its exit status), each with a reason.
//!
//! Several sources observe a pane, most exact first ([`Source`]): reports
//! from the agent CLI's own hooks, the CLI's OSC 7501 state reports, screen
//! rules of the pane's [`Profile`], its title, desktop notifications and
//! bells, and output activity as the fallback. Each source keeps its latest
//! observation and when that observation last changed; the pane's state is
//! the one that changed most recently (exact sources first on a tie), with
//! one safety rule: while the screen (or OSC 7501) shows the agent waiting,
//! no other source can make it read `idle` (see [`PaneAgent::resolve`]).
//!
//! Pure: no I/O, no clock. Times are milliseconds from any fixed origin,
//! passed in.

pub mod profile;
pub mod scan;

use std::fmt;
use std::str::FromStr;

pub use profile::{Profile, ProfileError, Profiles, ScreenView};

/// What the agent in a pane is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentState {
    Starting,
    Working,
    Waiting,
    Idle,
    Exited,
}

impl AgentState {
    /// Every state, in the order they are documented.
    pub const ALL: [AgentState; 5] = [
        AgentState::Starting,
        AgentState::Working,
        AgentState::Waiting,
        AgentState::Idle,
        AgentState::Exited,
    ];

    /// The state's name.
    pub fn name(self) -> &'static str {
        match self {
            AgentState::Starting => "starting",
            AgentState::Working => "working",
            AgentState::Waiting => "waiting",
            AgentState::Idle => "idle",
            AgentState::Exited => "exited",
        }
    }

    /// How much a state counts in a session's aggregate: waiting beats
    /// working beats starting beats idle beats exited.
    fn weight(self) -> u8 {
        match self {
            AgentState::Waiting => 4,
            AgentState::Working => 3,
            AgentState::Starting => 2,
            AgentState::Idle => 1,
            AgentState::Exited => 0,
        }
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AgentState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        AgentState::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or(())
    }
}

/// The aggregate of a session's agent panes: the weightiest of their states
/// (waiting > working > starting > idle > exited); `None` for no panes.
pub fn aggregate(states: impl IntoIterator<Item = AgentState>) -> Option<AgentState> {
    states.into_iter().max_by_key(|s| s.weight())
}

/// Where an observation came from, most exact first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A report from the agent CLI's hooks (`agent-report`).
    Hook,
    /// The CLI's own OSC 7501 state report.
    Osc,
    /// A screen rule of the pane's profile.
    Screen,
    /// A title rule of the pane's profile.
    Title,
    /// An OSC 9 or OSC 777 desktop notification, or a bell.
    Notification,
    /// Output activity (the fallback).
    Activity,
    /// The pane's program exited.
    Exit,
    /// Nothing observed yet since the program started.
    Start,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Hook => "hook",
            Source::Osc => "osc",
            Source::Screen => "screen",
            Source::Title => "title",
            Source::Notification => "notification",
            Source::Activity => "activity",
            Source::Exit => "exit",
            Source::Start => "start",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The observing sources that keep an observation, in rank order.
const OBSERVERS: [Source; 5] = [
    Source::Hook,
    Source::Osc,
    Source::Screen,
    Source::Title,
    Source::Notification,
];

fn slot(source: Source) -> Option<usize> {
    OBSERVERS.iter().position(|s| *s == source)
}

/// The tool with which Claude Code asks the human a question with choices
/// (its hooks see it as a tool use, and as a permission request).
pub const QUESTION_TOOL: &str = "AskUserQuestion";

/// An event reported by an agent CLI's hook from inside its pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The human submitted a prompt: a turn starts.
    PromptSubmitted,
    /// The agent is about to use a tool.
    ToolUse { tool: String },
    /// The agent used a tool (it goes on working).
    ToolDone { tool: String },
    /// The agent asks permission to use a tool.
    PermissionRequest { tool: String },
    /// The CLI notified the human (Claude: "needs your permission",
    /// "waiting for your input").
    Notification { message: String },
    /// The turn finished.
    Stop,
    /// A conversation started (or resumed), with its id and directory.
    SessionStart {
        conversation_id: String,
        cwd: String,
    },
    /// The conversation ended (the CLI is exiting).
    SessionEnd,
    /// Codex's `notify` program: `agent-turn-complete`, with the thread
    /// (conversation) id. Codex 0.171.0 also runs it for its side request
    /// (the thread title) about a second into a turn that goes on, so it is
    /// a weak report: while an OSC 7501 report is in effect it counts for
    /// nothing but the conversation id.
    TurnComplete {
        conversation_id: Option<String>,
        cwd: String,
    },
}

impl Report {
    /// The state and reason this report observes.
    pub fn observation(&self) -> (AgentState, String) {
        match self {
            Report::PromptSubmitted => (AgentState::Working, "prompt".into()),
            // Claude's question dialog is a tool use that waits for the
            // human (and it asks "permission" for it too).
            Report::ToolUse { tool } | Report::PermissionRequest { tool }
                if tool == QUESTION_TOOL =>
            {
                (AgentState::Waiting, "question".into())
            }
            Report::ToolUse { .. } | Report::ToolDone { .. } => {
                (AgentState::Working, "tool".into())
            }
            Report::PermissionRequest { .. } => (AgentState::Waiting, "permission".into()),
            Report::Notification { message } => {
                let m = message.to_ascii_lowercase();
                if m.contains("permission") {
                    (AgentState::Waiting, "permission".into())
                } else if m.contains("waiting for your input") {
                    (AgentState::Idle, "notification".into())
                } else {
                    (AgentState::Waiting, "notification".into())
                }
            }
            Report::Stop => (AgentState::Idle, "stop".into()),
            Report::SessionStart { .. } => (AgentState::Idle, "session-start".into()),
            Report::SessionEnd => (AgentState::Exited, "session-end".into()),
            Report::TurnComplete { .. } => (AgentState::Idle, "turn-complete".into()),
        }
    }

    /// Whether the report gives way to an OSC 7501 report in effect.
    pub fn is_weak(&self) -> bool {
        matches!(self, Report::TurnComplete { .. })
    }
}

/// What an OSC 7501 string says: `Some(Some(..))` a state, `Some(None)`
/// the report is withdrawn (`state=clear`), `None` not a state report (a
/// query such as `?`, or garbage).
///
/// Codex sends `state=idle|working|blocked|done`, fields separated by `:`
/// (`state=blocked:app=codex:kind=permission`); `;` is accepted too.
pub fn parse_osc7501(payload: &str) -> Option<Option<(AgentState, String)>> {
    let mut state = None;
    let mut kind = None;
    for field in payload.split([':', ';']) {
        if let Some(v) = field.strip_prefix("state=") {
            state = Some(v.trim());
        } else if let Some(v) = field.strip_prefix("kind=") {
            kind = Some(v.trim());
        }
    }
    let reason = |default: &str| -> String {
        let k = kind.filter(|k| valid_reason(k)).unwrap_or(default);
        k.to_string()
    };
    Some(Some(match state? {
        "idle" => (AgentState::Idle, reason("ready")),
        "done" => (AgentState::Idle, reason("done")),
        "working" => (AgentState::Working, reason("working")),
        "blocked" => (AgentState::Waiting, reason("blocked")),
        "clear" => return Some(None),
        _ => return None,
    }))
}

/// A reason from outside is shown in formats and notifications: short,
/// lowercase letters, digits and `-` only.
fn valid_reason(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 32
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// One source's latest observation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observation {
    state: AgentState,
    reason: String,
    /// When the source last changed to this.
    at: u64,
    /// A weak hook report ([`Report::is_weak`]).
    weak: bool,
}

/// The state a pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub state: AgentState,
    pub reason: String,
    /// Which source decided it.
    pub source: Source,
    /// When the pane entered this state (ms).
    pub since: u64,
}

/// A change of state, for the one place that delivers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub from: AgentState,
    pub to: AgentState,
    pub reason: String,
    pub source: Source,
}

/// The agent state of one pane.
#[derive(Debug, Clone)]
pub struct PaneAgent {
    /// The profile the pane's screen and title are read with.
    pub profile: Option<String>,
    observations: [Option<Observation>; 5],
    /// Whether the program produced output, and whether it still does.
    seen_output: bool,
    busy: bool,
    /// Whether the agent was ever seen ready since it started: it showed
    /// a state other than `starting` (output activity of a pane without a
    /// profile counts once it went quiet). Until then output activity is
    /// the launch, not work.
    ready: bool,
    /// Whether the program has bracketed paste on (last seen).
    paste: bool,
    /// The profile wants bracketed paste on before the agent reads idle.
    needs_paste: bool,
    exited: Option<i32>,
    current: Current,
    /// The conversation id (SessionStart reports) and its directory.
    pub conversation_id: Option<String>,
    pub cwd: Option<String>,
}

impl PaneAgent {
    /// A pane whose program started at `now`, read with `profile`.
    pub fn new(now: u64, profile: Option<&Profile>) -> Self {
        PaneAgent {
            profile: profile.map(|p| p.name.clone()),
            observations: Default::default(),
            seen_output: false,
            busy: false,
            ready: false,
            paste: false,
            needs_paste: profile.is_some_and(|p| p.needs_paste),
            exited: None,
            current: Current {
                state: AgentState::Starting,
                reason: "launch".into(),
                source: Source::Start,
                since: now,
            },
            conversation_id: None,
            cwd: None,
        }
    }

    /// The state the pane shows.
    pub fn current(&self) -> &Current {
        &self.current
    }

    /// Source `source` now observes `what` (`None`: nothing it recognizes).
    /// An unchanged observation keeps the time it was first made.
    pub fn observe(
        &mut self,
        source: Source,
        what: Option<(AgentState, String)>,
        now: u64,
    ) -> Option<Change> {
        let i = slot(source)?;
        let slot = &mut self.observations[i];
        match (what, slot.as_ref()) {
            (None, _) => *slot = None,
            (Some((s, r)), Some(o)) if o.state == s && o.reason == r => {}
            (Some((state, reason)), _) => {
                *slot = Some(Observation {
                    state,
                    reason,
                    at: now,
                    weak: false,
                })
            }
        }
        self.recompute(now)
    }

    /// A hook report at `now`.
    pub fn report(&mut self, report: &Report, now: u64) -> Option<Change> {
        match report {
            Report::SessionStart {
                conversation_id,
                cwd,
            } => {
                self.conversation_id = Some(conversation_id.clone());
                self.cwd = Some(cwd.clone());
            }
            Report::TurnComplete {
                conversation_id: Some(id),
                cwd,
            } => {
                self.conversation_id = Some(id.clone());
                if !cwd.is_empty() {
                    self.cwd = Some(cwd.clone());
                }
            }
            _ => {}
        }
        let (state, reason) = report.observation();
        // A hook report is an event: the same report again is a new one.
        self.observations[0] = Some(Observation {
            state,
            reason,
            at: now,
            weak: report.is_weak(),
        });
        self.recompute(now)
    }

    /// Source `source` saw an event at `now` meaning `state` (a
    /// notification, a bell): new each time, even if the same as before.
    pub fn event(
        &mut self,
        source: Source,
        state: AgentState,
        reason: &str,
        now: u64,
    ) -> Option<Change> {
        let i = slot(source)?;
        self.observations[i] = Some(Observation {
            state,
            reason: reason.to_string(),
            at: now,
            weak: false,
        });
        self.recompute(now)
    }

    /// Output activity: the program is `busy` (output recently) or not.
    pub fn activity(&mut self, busy: bool, now: u64) -> Option<Change> {
        self.seen_output |= busy;
        self.busy = busy;
        self.recompute(now)
    }

    /// Whether output activity last said busy.
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// Whether the program has bracketed paste on.
    pub fn paste(&mut self, on: bool, now: u64) -> Option<Change> {
        self.paste = on;
        self.recompute(now)
    }

    /// The program exited with `status`.
    pub fn exited(&mut self, status: i32, now: u64) -> Option<Change> {
        self.exited = Some(status);
        self.recompute(now)
    }

    /// The program was replaced (respawned) at `now`: everything observed
    /// is forgotten and it starts again, possibly with another profile.
    pub fn restart(&mut self, now: u64, profile: Option<&Profile>) -> Option<Change> {
        let from = self.current.state;
        let conv = (self.conversation_id.take(), self.cwd.take());
        *self = PaneAgent::new(now, profile);
        // A restart keeps nothing of the old conversation.
        drop(conv);
        (from != AgentState::Starting).then(|| Change {
            from,
            to: AgentState::Starting,
            reason: "launch".into(),
            source: Source::Start,
        })
    }

    /// Use another profile from now on (the pane's command changed).
    pub fn set_profile(&mut self, profile: Option<&Profile>, now: u64) -> Option<Change> {
        self.profile = profile.map(|p| p.name.clone());
        self.needs_paste = profile.is_some_and(|p| p.needs_paste);
        // What the old profile's rules saw means nothing now, and the
        // program that has it just started: it is not ready yet.
        self.observations[2] = None;
        self.observations[3] = None;
        self.ready = false;
        self.recompute(now)
    }

    /// The state the sources say, and which decided it:
    ///
    /// 1. exited, once the program is gone;
    /// 2. else the observation that changed most recently (on a tie the
    ///    more exact source; while there is an OSC 7501 report, only it,
    ///    hook reports that are not weak and notifications count); but
    ///    `idle` gives way to `waiting` while the screen or OSC 7501 still
    ///    shows the agent waiting, and, when screen or title rules read it,
    ///    to `starting` while a profile that needs it has no bracketed paste
    ///    on and the agent was never ready;
    /// 3. else (nothing recognized now) output activity, once the agent was
    ///    ready: `working` while output comes, then `idle` for a program
    ///    without a profile, `waiting` with reason `unknown` with a profile
    ///    (never `idle` by guess: a dialog no rule knows must not read as
    ///    ready). Before it was ready it is `starting`: a launch's output is
    ///    not work; without a profile, the first quiet after output makes
    ///    it ready (`idle`).
    pub fn resolve(&self) -> (AgentState, String, Source) {
        if let Some(status) = self.exited {
            return (AgentState::Exited, status.to_string(), Source::Exit);
        }
        // A CLI that reports its own state (OSC 7501) reports every change:
        // while it has a report, only hooks and notifications (more recent)
        // override it, not rules reading a screen that may show an idle
        // footer mid-stream, nor a weak report (Codex's early notify).
        let osc = self.observations[1].is_some();
        let best = self
            .observations
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.as_ref().map(|o| (i, o)))
            .filter(|(i, o)| !osc || (*i != 2 && *i != 3 && !(*i == 0 && o.weak)))
            // Latest first; on a tie the lower (more exact) index.
            .max_by(|(i, a), (j, b)| a.at.cmp(&b.at).then(j.cmp(i)));
        if let Some((i, o)) = best {
            if o.state == AgentState::Idle {
                for k in [1, 2] {
                    if let Some(w) = &self.observations[k] {
                        if w.state == AgentState::Waiting {
                            return (w.state, w.reason.clone(), OBSERVERS[k]);
                        }
                    }
                }
                // Rules may read a composer the CLI draws before it takes
                // input; a hook or OSC 7501 saying idle is the CLI's word.
                if self.needs_paste && !self.paste && !self.ready && i >= 2 {
                    return (AgentState::Starting, "not-ready".into(), OBSERVERS[i]);
                }
            }
            return (o.state, o.reason.clone(), OBSERVERS[i]);
        }
        let starting = (AgentState::Starting, "launch".into(), Source::Start);
        if !self.seen_output {
            return starting;
        }
        if self.profile.is_some() {
            if !self.ready {
                return starting;
            }
            if self.busy {
                return (AgentState::Working, "output".into(), Source::Activity);
            }
            return (AgentState::Waiting, "unknown".into(), Source::Activity);
        }
        if self.busy {
            if !self.ready {
                return starting;
            }
            return (AgentState::Working, "output".into(), Source::Activity);
        }
        (AgentState::Idle, "quiet".into(), Source::Activity)
    }

    fn recompute(&mut self, now: u64) -> Option<Change> {
        let (state, reason, source) = self.resolve();
        self.ready |= state != AgentState::Starting;
        let c = &mut self.current;
        c.source = source;
        if c.state == state && c.reason == reason {
            return None;
        }
        let from = c.state;
        if c.state != state {
            c.since = now;
        }
        c.state = state;
        c.reason = reason.clone();
        Some(Change {
            from,
            to: state,
            reason,
            source,
        })
    }
}

#[cfg(test)]
mod tests;
