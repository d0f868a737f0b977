//! Prompt receipts: the life of each `agent-prompt` delivery, from the
//! moment it is asked for until it is known to be submitted (or known not to
//! be), as a state machine per pane.
//!
//! A delivery ([`Receipt`], named `P<n>`) is `queued`, then `pasted` (the
//! text went in as one paste; Enter follows after the delay), then
//! `submitted` (after Enter, the agent's state left idle for working or a
//! dialog, or its input box was seen empty again) or `failed` with a reason.
//! A pane whose program is not a known agent (no agent state) cannot show a
//! submission: its deliveries end `sent` once Enter is written.
//!
//! Per pane, deliveries go one at a time in the order they were asked for:
//! the next is pasted only when the previous one is finished, and only when
//! the agent is `idle` (deferral: never while it works, never into a
//! permission or question dialog, never while it starts); `force` overrides
//! every guard. When Enter did not start the agent within the submit time
//! and the text is still in its input box, a delivery is rescued once: the
//! server closes what is in the way (a picker or completion menu the text
//! opened) and presses Enter again; the text is never pasted twice.
//!
//! Pure: the server tells what it sees ([`Look`]) and the time (milliseconds
//! from any fixed origin); the machine answers with [`Action`]s for the
//! server to carry out: writes to the pane, timers to arm, and changes to
//! announce.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;

use crate::ids::PaneId;

/// The most deliveries queued (not finished) for one pane.
pub const MAX_QUEUED: usize = 100;
/// How many finished deliveries are remembered (oldest forgotten first).
pub const MAX_HISTORY: usize = 1000;
/// Between closing what was in the way and pressing Enter again.
pub const RESCUE_ENTER_MS: u64 = 200;

/// A delivery's id: `P1`, `P2`, ..., never reused in a server's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptId(pub u64);

impl fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.0)
    }
}

impl FromStr for ReceiptId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let digits = s.strip_prefix('P').ok_or(())?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        digits
            .parse()
            .ok()
            .filter(|&n| n != 0)
            .map(ReceiptId)
            .ok_or(())
    }
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Queued,
    Pasted,
    Submitted,
    /// Enter written to a program that shows no agent state.
    Sent,
    Failed,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Pasted => "pasted",
            Phase::Submitted => "submitted",
            Phase::Sent => "sent",
            Phase::Failed => "failed",
        }
    }

    /// Finished: it will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, Phase::Submitted | Phase::Sent | Phase::Failed)
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the agent in a pane is doing, as delivery needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The program is not a known agent: no state to wait for.
    Plain,
    Starting,
    Working,
    /// A dialog (permission, question, ...): the reason.
    Waiting(String),
    Idle,
    Exited,
}

impl Gate {
    /// Why a queued delivery waits for this state (`None`: it need not).
    fn defers(&self) -> Option<String> {
        match self {
            Gate::Plain | Gate::Idle | Gate::Exited => None,
            Gate::Starting => Some("the agent is starting".into()),
            Gate::Working => Some("the agent is working".into()),
            Gate::Waiting(r) if r.is_empty() => Some("the agent is waiting".into()),
            Gate::Waiting(r) => Some(format!("the agent is waiting ({r})")),
        }
    }
}

/// What the input box of the agent shows, if the profile can read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Unknown,
    Empty,
    Holds,
}

/// What the server sees of a pane when it calls in.
#[derive(Debug, Clone)]
pub struct Look {
    pub gate: Gate,
    pub input: Input,
    /// When a human last typed into the pane.
    pub human_ms: Option<u64>,
    /// The pane's program (pid), `None` if it has none (dead or gone).
    pub program: Option<i32>,
    /// Why the pane takes no input now (e.g. input disabled), if so.
    pub refuses: Option<String>,
}

/// How a delivery is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Override every guard: paste even while the agent works or shows a
    /// dialog, press Enter even after a human typed.
    pub force: bool,
    /// Refuse instead of waiting (`-n`).
    pub now_only: bool,
    /// From paste to Enter.
    pub delay_ms: u64,
    /// From Enter to the check that it was submitted.
    pub submit_ms: u64,
    /// Not pasted within this long after a human's key (the typing guard).
    pub guard_ms: u64,
    /// The profile can close a picker: rescue once.
    pub rescue: bool,
    /// Paste each line in pieces of at most this many characters, the
    /// lines joined by a typed line feed (C-j); 0: the text as one paste
    /// (see [`piece_chars`]).
    pub piece_chars: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            force: false,
            now_only: false,
            delay_ms: 1000,
            submit_ms: 3000,
            guard_ms: 3000,
            rescue: true,
            piece_chars: 0,
        }
    }
}

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Press Enter after the paste's delay.
    Enter,
    /// Check the Enter was taken.
    Check,
    /// Press Enter again after the rescue closed what was in the way.
    RescueEnter,
    /// The typing guard's time is over: try pasting again.
    Guard,
}

/// What the server must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write `text` into the pane as one paste (`piece_chars` 0), or each
    /// line as pastes of at most `piece_chars` characters joined by line
    /// feeds.
    Paste {
        id: ReceiptId,
        pane: PaneId,
        text: String,
        piece_chars: usize,
    },
    /// Press Enter in the pane.
    Enter { id: ReceiptId, pane: PaneId },
    /// Close what is in the way (the profile's keys), without Enter.
    Rescue { id: ReceiptId, pane: PaneId },
    /// Call [`Receipts::fire`] for `id` after `ms`.
    Arm {
        id: ReceiptId,
        timer: Timer,
        ms: u64,
    },
    /// Delivery `id` changed phase (or reason): announce it.
    Changed {
        id: ReceiptId,
        pane: PaneId,
        phase: Phase,
        reason: String,
    },
}

/// Where a pasted delivery is in its submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    WaitEnter,
    Entered,
    Rescuing,
    Rescued,
}

/// One delivery.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub id: ReceiptId,
    pub pane: PaneId,
    pub text: String,
    /// The group it was sent to (`-g`), if any.
    pub group: Option<String>,
    pub phase: Phase,
    /// Why it failed, or why it waits while queued; empty otherwise.
    pub reason: String,
    pub options: Options,
    pub created_ms: u64,
    pub pasted_ms: Option<u64>,
    pub entered_ms: Option<u64>,
    pub finished_ms: Option<u64>,
    /// It waited for the agent (deferred) before being pasted.
    pub deferred: bool,
    /// It was rescued (what was in the way closed, Enter pressed again).
    pub rescued: bool,
    step: Step,
    program: Option<i32>,
    /// The agent was already busy when Enter was pressed (forced).
    busy_at_enter: bool,
    guard_armed: bool,
}

/// Why a delivery was refused at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// `-n` and it would have to wait: why.
    Busy(String),
    /// Too many deliveries queued for the pane.
    Full,
    /// The agent has exited.
    Exited,
}

impl Refused {
    /// The message, tmux style, for pane `pane`.
    pub fn render(&self, pane: PaneId) -> String {
        match self {
            Refused::Busy(why) => format!("not prompting pane {pane}: {why} (-n)"),
            Refused::Full => {
                format!("too many prompts queued for pane {pane} (at most {MAX_QUEUED})")
            }
            Refused::Exited => format!("the agent in pane {pane} has exited"),
        }
    }
}

/// Every delivery of a server: the queues per pane and the finished ones.
#[derive(Debug, Default)]
pub struct Receipts {
    next: u64,
    all: BTreeMap<ReceiptId, Receipt>,
    queues: HashMap<PaneId, VecDeque<ReceiptId>>,
    finished: VecDeque<ReceiptId>,
}

fn changed(r: &Receipt) -> Action {
    Action::Changed {
        id: r.id,
        pane: r.pane,
        phase: r.phase,
        reason: r.reason.clone(),
    }
}

impl Receipts {
    /// Delivery `id`, if it is known (queued, pasted or remembered).
    pub fn get(&self, id: ReceiptId) -> Option<&Receipt> {
        self.all.get(&id)
    }

    /// Every known delivery, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Receipt> {
        self.all.values()
    }

    /// The unfinished deliveries of pane `pane`, in order.
    pub fn queued(&self, pane: PaneId) -> Vec<ReceiptId> {
        self.queues
            .get(&pane)
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Ask for `text` to be delivered to `pane`. On success the delivery is
    /// queued (and, if the pane is free, already pasted: see the actions).
    pub fn submit(
        &mut self,
        pane: PaneId,
        text: String,
        group: Option<String>,
        options: Options,
        look: &Look,
        now: u64,
    ) -> Result<(ReceiptId, Vec<Action>), Refused> {
        let ahead = self.queues.get(&pane).map_or(0, VecDeque::len);
        if ahead >= MAX_QUEUED {
            return Err(Refused::Full);
        }
        if look.gate == Gate::Exited && !options.force {
            return Err(Refused::Exited);
        }
        if options.now_only && !options.force {
            if let Some(why) = look.gate.defers() {
                return Err(Refused::Busy(why));
            }
            if ahead > 0 {
                return Err(Refused::Busy(format!(
                    "{ahead} prompt(s) ahead in its queue"
                )));
            }
        }
        self.next += 1;
        let id = ReceiptId(self.next);
        self.all.insert(
            id,
            Receipt {
                id,
                pane,
                text,
                group,
                phase: Phase::Queued,
                reason: String::new(),
                options,
                created_ms: now,
                pasted_ms: None,
                entered_ms: None,
                finished_ms: None,
                deferred: false,
                rescued: false,
                step: Step::WaitEnter,
                program: None,
                busy_at_enter: false,
                guard_armed: false,
            },
        );
        self.queues.entry(pane).or_default().push_back(id);
        let mut out = vec![Action::Changed {
            id,
            pane,
            phase: Phase::Queued,
            reason: String::new(),
        }];
        self.advance(pane, look, now, &mut out);
        Ok((id, out))
    }

    /// The agent in `pane` changed (its state or its input box): go on.
    pub fn observe(&mut self, pane: PaneId, look: &Look, now: u64) -> Vec<Action> {
        let mut out = Vec::new();
        self.advance(pane, look, now, &mut out);
        out
    }

    /// Timer `timer` of delivery `id` fired. Stale timers do nothing.
    pub fn fire(&mut self, id: ReceiptId, timer: Timer, look: &Look, now: u64) -> Vec<Action> {
        let mut out = Vec::new();
        let Some(r) = self.all.get_mut(&id) else {
            return out;
        };
        let pane = r.pane;
        if self.queues.get(&pane).and_then(|q| q.front()) != Some(&id) {
            return out;
        }
        match (timer, r.phase, r.step) {
            (Timer::Guard, Phase::Queued, _) => r.guard_armed = false,
            (Timer::Enter, Phase::Pasted, Step::WaitEnter) => {
                if let Some(why) = Self::enter_refused(r, look) {
                    self.finish(id, Phase::Failed, why, now, &mut out);
                } else {
                    out.push(Action::Enter { id, pane });
                    r.entered_ms = Some(now);
                    if look.gate == Gate::Plain {
                        self.finish(id, Phase::Sent, String::new(), now, &mut out);
                    } else {
                        r.step = Step::Entered;
                        r.busy_at_enter = matches!(look.gate, Gate::Working | Gate::Waiting(_));
                        out.push(Action::Arm {
                            id,
                            timer: Timer::Check,
                            ms: r.options.submit_ms,
                        });
                    }
                }
            }
            (Timer::Check, Phase::Pasted, Step::Entered | Step::Rescued) => {
                if Self::taken(r, look) {
                    self.finish(id, Phase::Submitted, String::new(), now, &mut out);
                } else if let Some(why) = Self::gone(r, look) {
                    self.finish(id, Phase::Failed, why, now, &mut out);
                } else if r.step == Step::Entered
                    && r.options.rescue
                    && look.gate == Gate::Idle
                    && look.input != Input::Empty
                {
                    r.step = Step::Rescuing;
                    r.rescued = true;
                    out.push(Action::Rescue { id, pane });
                    out.push(Action::Arm {
                        id,
                        timer: Timer::RescueEnter,
                        ms: RESCUE_ENTER_MS,
                    });
                } else {
                    let secs = r.options.submit_ms as f64 / 1000.0;
                    let why = if r.rescued {
                        format!(
                            "not submitted: the agent did not start within {secs} s, \
                             even after closing what was in the way; the text is left in its input"
                        )
                    } else {
                        format!(
                            "not submitted: the agent did not start within {secs} s; \
                             the text is left in its input"
                        )
                    };
                    self.finish(id, Phase::Failed, why, now, &mut out);
                }
            }
            (Timer::RescueEnter, Phase::Pasted, Step::Rescuing) => {
                if Self::taken(r, look) {
                    // Closing the picker was enough (it took the Enter).
                    self.finish(id, Phase::Submitted, String::new(), now, &mut out);
                } else if let Some(why) = Self::enter_refused(r, look) {
                    self.finish(id, Phase::Failed, why, now, &mut out);
                } else {
                    r.step = Step::Rescued;
                    out.push(Action::Enter { id, pane });
                    out.push(Action::Arm {
                        id,
                        timer: Timer::Check,
                        ms: r.options.submit_ms,
                    });
                }
            }
            _ => return out,
        }
        self.advance(pane, look, now, &mut out);
        out
    }

    /// Writing to the pane for delivery `id` failed: it fails with `why`.
    pub fn fail(&mut self, id: ReceiptId, why: String, look: &Look, now: u64) -> Vec<Action> {
        let mut out = Vec::new();
        let Some(r) = self.all.get(&id) else {
            return out;
        };
        if r.phase.is_final() {
            return out;
        }
        let pane = r.pane;
        self.finish(id, Phase::Failed, why, now, &mut out);
        self.advance(pane, look, now, &mut out);
        out
    }

    /// Withdraw delivery `id` if it is still queued (not pasted): it fails
    /// with `why`. False if it was pasted or is finished.
    pub fn cancel(
        &mut self,
        id: ReceiptId,
        why: String,
        look: &Look,
        now: u64,
    ) -> (bool, Vec<Action>) {
        let mut out = Vec::new();
        match self.all.get(&id) {
            Some(r) if r.phase == Phase::Queued => {
                let pane = r.pane;
                self.finish(id, Phase::Failed, why, now, &mut out);
                self.advance(pane, look, now, &mut out);
                (true, out)
            }
            _ => (false, out),
        }
    }

    /// Pane `pane` is gone (or its program exited): its deliveries fail.
    pub fn pane_gone(&mut self, pane: PaneId, why: &str, now: u64) -> Vec<Action> {
        let mut out = Vec::new();
        for id in self.queued(pane) {
            self.finish(id, Phase::Failed, why.to_string(), now, &mut out);
        }
        self.queues.remove(&pane);
        out
    }

    /// The paste went in: the agent took the Enter.
    fn taken(r: &Receipt, look: &Look) -> bool {
        if look.program != r.program {
            return false;
        }
        if look.input == Input::Empty {
            return true;
        }
        !r.busy_at_enter && matches!(look.gate, Gate::Working | Gate::Waiting(_))
    }

    /// The program that got the paste is gone.
    fn gone(r: &Receipt, look: &Look) -> Option<String> {
        if look.program != r.program || look.gate == Gate::Exited {
            let what = if r.entered_ms.is_some() {
                "before its prompt was seen submitted"
            } else {
                "before Enter was sent"
            };
            return Some(format!("pane {} exited {what}", r.pane));
        }
        None
    }

    /// Why Enter must not be pressed now.
    fn enter_refused(r: &Receipt, look: &Look) -> Option<String> {
        if let Some(why) = Self::gone(r, look) {
            return Some(why);
        }
        if let Some(why) = &look.refuses {
            return Some(why.clone());
        }
        let pasted = r.pasted_ms.unwrap_or(0);
        if !r.options.force && look.human_ms.is_some_and(|h| h >= pasted) {
            return Some(format!(
                "a human typed into pane {} after the paste: Enter not sent (-f sends it anyway)",
                r.pane
            ));
        }
        None
    }

    /// Finish delivery `id` (it must be in its pane's queue).
    fn finish(
        &mut self,
        id: ReceiptId,
        phase: Phase,
        why: String,
        now: u64,
        out: &mut Vec<Action>,
    ) {
        let Some(r) = self.all.get_mut(&id) else {
            return;
        };
        r.phase = phase;
        r.reason = why;
        r.finished_ms = Some(now);
        out.push(changed(r));
        let pane = r.pane;
        if let Some(q) = self.queues.get_mut(&pane) {
            q.retain(|x| *x != id);
            if q.is_empty() {
                self.queues.remove(&pane);
            }
        }
        self.finished.push_back(id);
        while self.finished.len() > MAX_HISTORY {
            if let Some(old) = self.finished.pop_front() {
                self.all.remove(&old);
            }
        }
    }

    /// Move pane `pane`'s front delivery on as far as it goes now.
    fn advance(&mut self, pane: PaneId, look: &Look, now: u64, out: &mut Vec<Action>) {
        while let Some(&id) = self.queues.get(&pane).and_then(|q| q.front()) {
            let Some(r) = self.all.get_mut(&id) else {
                return;
            };
            match r.phase {
                Phase::Queued => {
                    if look.program.is_none() || (look.gate == Gate::Exited && !r.options.force) {
                        let why = format!("pane {pane} exited before its prompt was pasted");
                        self.finish(id, Phase::Failed, why, now, out);
                        continue;
                    }
                    if !r.options.force {
                        if let Some(why) = look.gate.defers() {
                            let why = format!("deferred: {why}");
                            r.deferred = true;
                            if r.reason != why {
                                r.reason = why;
                                out.push(changed(r));
                            }
                            return;
                        }
                        if let Some(h) = look.human_ms {
                            let until = h.saturating_add(r.options.guard_ms);
                            if until > now {
                                // A human typed while it was queued: wait
                                // for the guard's time, never merge with a
                                // draft.
                                let why = format!("deferred: a human typed into pane {pane}");
                                if r.reason != why {
                                    r.reason = why;
                                    out.push(changed(r));
                                }
                                if !r.guard_armed {
                                    r.guard_armed = true;
                                    out.push(Action::Arm {
                                        id,
                                        timer: Timer::Guard,
                                        ms: until - now,
                                    });
                                }
                                return;
                            }
                        }
                    }
                    if let Some(why) = look.refuses.clone() {
                        self.finish(id, Phase::Failed, why, now, out);
                        continue;
                    }
                    r.phase = Phase::Pasted;
                    r.reason = String::new();
                    r.pasted_ms = Some(now);
                    r.program = look.program;
                    r.step = Step::WaitEnter;
                    out.push(Action::Paste {
                        id,
                        pane,
                        text: r.text.clone(),
                        piece_chars: r.options.piece_chars,
                    });
                    out.push(changed(r));
                    out.push(Action::Arm {
                        id,
                        timer: Timer::Enter,
                        ms: r.options.delay_ms,
                    });
                    return;
                }
                Phase::Pasted => {
                    match r.step {
                        Step::Entered | Step::Rescued if Self::taken(r, look) => {
                            self.finish(id, Phase::Submitted, String::new(), now, out);
                            continue;
                        }
                        Step::Entered | Step::Rescued | Step::Rescuing | Step::WaitEnter => {
                            if let Some(why) = Self::gone(r, look) {
                                self.finish(id, Phase::Failed, why, now, out);
                                continue;
                            }
                        }
                    }
                    return;
                }
                _ => {
                    // Finished ones are never left in a queue.
                    if let Some(q) = self.queues.get_mut(&pane) {
                        q.pop_front();
                    }
                }
            }
        }
    }
}

/// The pieces [`Options::piece_chars`] a profile's text is pasted in by
/// default. Claude Code (seen with 2.1.328) shows a paste of more than 800
/// characters or more than 3 lines as `[Pasted text #N]` and sends it to the
/// model wrapped in `<pasted_content>` tags; pastes below both limits, and
/// line feeds typed between them, it takes literally.
pub fn piece_chars(profile: Option<&str>) -> usize {
    match profile {
        Some("claude") => CLAUDE_PIECE_CHARS,
        _ => 0,
    }
}

/// Characters per paste for Claude Code (below its 800).
pub const CLAUDE_PIECE_CHARS: usize = 500;

/// How the agent CLI of profile `profile` treats prompt text `text`: `Err`
/// with the reason if it would not take it as a literal prompt (and
/// `agent-prompt` refuses it unless forced).
pub fn special_text(profile: Option<&str>, text: &str) -> Result<(), String> {
    let Some(profile) = profile else {
        return Ok(());
    };
    if text.starts_with('!') && matches!(profile, "claude" | "codex" | "gemini") {
        return Err(format!(
            "prompt text starts with '!': {profile} runs it as a shell command, \
             not a prompt (-f sends it anyway)"
        ));
    }
    if profile == "claude" && text.contains('\t') {
        return Err(
            "prompt text contains a tab: claude turns a pasted tab into spaces \
                    and a typed one into a key (-f sends it anyway)"
                .to_string(),
        );
    }
    Ok(())
}

/// What the input box of an agent's screen holds, from its bottom lines (top
/// to bottom). Claude-like boxes (and the fake agent's): a line starting
/// `❯` right below a rule (`─`), running to the next rule. Codex: the line
/// starting `›`, whose placeholder `Ask Codex to do anything` means empty.
pub fn read_input(profile: Option<&str>, lines: &[String]) -> Input {
    let rule = |l: &str| l.starts_with('─');
    if profile == Some("codex") {
        return match lines.iter().rev().find(|l| l.starts_with('›')) {
            None => Input::Unknown,
            Some(l) => {
                let t = l.trim_start_matches('›').trim();
                if t.is_empty() || t == "Ask Codex to do anything" {
                    Input::Empty
                } else {
                    Input::Holds
                }
            }
        };
    }
    let Some(at) = (1..lines.len())
        .rev()
        .find(|&i| lines[i].starts_with('❯') && rule(&lines[i - 1]))
    else {
        return Input::Unknown;
    };
    let mut empty = lines[at].trim_start_matches('❯').trim().is_empty();
    for l in &lines[at + 1..] {
        if rule(l) {
            return if empty { Input::Empty } else { Input::Holds };
        }
        empty &= l.trim().is_empty();
    }
    Input::Unknown
}

#[cfg(test)]
mod tests;
