//! Agent profiles: how to read one agent CLI's screen and title. A profile
//! has rules (a state, a reason and a regular expression) matched against
//! the bottom lines of the pane's screen or its title, the commands it is
//! chosen for, how long to wait after output before reading the screen
//! (debounce) and how many bottom lines to read.
//!
//! Rules are tried waiting first, then working, then idle (in definition
//! order within a state), whatever order they were given in: a dialog that
//! also shows a working marker (Codex's question footer has "esc to
//! interrupt") reads waiting, and a composer under a spinner reads working.
//!
//! Built-in profiles for Claude Code, Codex CLI and Gemini CLI come from the
//! screens tests/agents/OBSERVED.md describes; users define their own (or
//! override a built-in one) with `define-agent-profile`.

use std::collections::BTreeMap;
use std::fmt;

use regex::{Regex, RegexBuilder};

use super::AgentState;

/// What a rule is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The bottom lines of the pane's screen, joined by newlines.
    Screen,
    /// The pane's title.
    Title,
}

/// One rule of a profile.
#[derive(Debug, Clone)]
pub struct Rule {
    pub target: Target,
    pub state: AgentState,
    pub reason: String,
    pub pattern: Regex,
}

impl Rule {
    /// The rule as `define-agent-profile` takes it.
    pub fn spec(&self) -> String {
        let t = match self.target {
            Target::Screen => "",
            Target::Title => "title:",
        };
        format!(
            "{t}{}:{}={}",
            self.state,
            self.reason,
            self.pattern.as_str()
        )
    }
}

/// The smallest and largest debounce accepted (ms).
pub const DEBOUNCE_RANGE: (u64, u64) = (10, 10_000);
/// The default debounce (ms): small enough that a state change reaches a
/// control client well within 100 ms.
pub const DEFAULT_DEBOUNCE_MS: u64 = 30;
/// The most bottom lines a profile reads.
pub const MAX_LINES: u32 = 200;
/// The default number of bottom lines read.
pub const DEFAULT_LINES: u32 = 20;
/// The most rules in a profile.
pub const MAX_RULES: usize = 64;
/// The most user profiles.
pub const MAX_PROFILES: usize = 64;
/// The longest pattern (bytes).
pub const MAX_PATTERN: usize = 1024;

/// An agent profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// Pane commands (`#{pane_current_command}`) it is chosen for.
    pub commands: Vec<String>,
    pub rules: Vec<Rule>,
    pub debounce_ms: u64,
    pub lines: u32,
    /// The CLI turns bracketed paste on when it is ready for input: until
    /// it has, the agent cannot read idle.
    pub needs_paste: bool,
    pub builtin: bool,
}

/// What a profile's screen rules read.
pub struct ScreenView<'a> {
    /// The bottom lines, top to bottom, trailing blanks trimmed.
    pub lines: &'a [String],
    pub title: &'a str,
}

/// Why a profile definition is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    BadName(String),
    BadRule(String),
    BadState(String),
    BadReason(String),
    BadPattern { pattern: String, why: String },
    BadDebounce(String),
    BadLines(String),
    TooManyRules,
    TooManyProfiles,
    NoSuchProfile(String),
    NotUser(String),
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::BadName(n) => write!(
                f,
                "bad profile name: {n} (letters, digits, '-' and '_', at most 32)"
            ),
            ProfileError::BadRule(r) => {
                write!(f, "bad rule: {r} (want [title:]state[:reason]=pattern)")
            }
            ProfileError::BadState(s) => {
                write!(f, "bad state in rule: {s} (want working, waiting or idle)")
            }
            ProfileError::BadReason(r) => write!(
                f,
                "bad reason in rule: {r} (lowercase letters, digits and '-', at most 32)"
            ),
            ProfileError::BadPattern { pattern, why } => {
                write!(f, "bad pattern: {pattern}: {why}")
            }
            ProfileError::BadDebounce(d) => write!(
                f,
                "bad debounce: {d} (milliseconds, {}-{})",
                DEBOUNCE_RANGE.0, DEBOUNCE_RANGE.1
            ),
            ProfileError::BadLines(l) => write!(f, "bad lines: {l} (1-{MAX_LINES})"),
            ProfileError::TooManyRules => write!(f, "too many rules (at most {MAX_RULES})"),
            ProfileError::TooManyProfiles => {
                write!(f, "too many profiles (at most {MAX_PROFILES})")
            }
            ProfileError::NoSuchProfile(n) => write!(f, "no such profile: {n}"),
            ProfileError::NotUser(n) => write!(f, "profile {n} is built in, not defined"),
        }
    }
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 32
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Compile `pattern` (multi-line: `^` and `$` match at line ends).
pub fn compile(pattern: &str) -> Result<Regex, ProfileError> {
    let bad = |why: String| ProfileError::BadPattern {
        pattern: pattern.to_string(),
        why,
    };
    if pattern.is_empty() {
        return Err(bad("empty".into()));
    }
    if pattern.len() > MAX_PATTERN {
        return Err(bad(format!("longer than {MAX_PATTERN} bytes")));
    }
    RegexBuilder::new(pattern)
        .multi_line(true)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .map_err(|e| {
            // The crate's message spans lines, the cause last.
            let msg = e.to_string();
            let why = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            bad(why)
        })
}

/// Parse one rule: `[title:]STATE[:REASON]=PATTERN`.
pub fn parse_rule(spec: &str) -> Result<Rule, ProfileError> {
    let (head, pattern) = spec
        .split_once('=')
        .ok_or_else(|| ProfileError::BadRule(spec.to_string()))?;
    let (target, head) = match head.strip_prefix("title:") {
        Some(h) => (Target::Title, h),
        None => (Target::Screen, head),
    };
    let (state, reason) = match head.split_once(':') {
        Some((s, r)) => (s, Some(r)),
        None => (head, None),
    };
    let state = match state.parse::<AgentState>() {
        Ok(s @ (AgentState::Working | AgentState::Waiting | AgentState::Idle)) => s,
        _ => return Err(ProfileError::BadState(state.to_string())),
    };
    let reason = match reason {
        Some(r) if super::valid_reason(r) => r.to_string(),
        Some(r) => return Err(ProfileError::BadReason(r.to_string())),
        None => match state {
            AgentState::Waiting => "input",
            AgentState::Working => "working",
            _ => "ready",
        }
        .to_string(),
    };
    Ok(Rule {
        target,
        state,
        reason,
        pattern: compile(pattern)?,
    })
}

impl Profile {
    /// A user profile from `define-agent-profile`'s arguments.
    pub fn define(
        name: &str,
        commands: &[String],
        rules: &[&str],
        debounce_ms: Option<u64>,
        lines: Option<u32>,
        needs_paste: bool,
    ) -> Result<Profile, ProfileError> {
        if !valid_name(name) {
            return Err(ProfileError::BadName(name.to_string()));
        }
        for c in commands {
            if c.is_empty() || c.len() > 64 || c.contains([',', ' ']) {
                return Err(ProfileError::BadName(c.clone()));
            }
        }
        if rules.len() > MAX_RULES {
            return Err(ProfileError::TooManyRules);
        }
        let rules = rules
            .iter()
            .map(|r| parse_rule(r))
            .collect::<Result<Vec<_>, _>>()?;
        let debounce_ms = debounce_ms.unwrap_or(DEFAULT_DEBOUNCE_MS);
        if !(DEBOUNCE_RANGE.0..=DEBOUNCE_RANGE.1).contains(&debounce_ms) {
            return Err(ProfileError::BadDebounce(debounce_ms.to_string()));
        }
        let lines = lines.unwrap_or(DEFAULT_LINES);
        if lines == 0 || lines > MAX_LINES {
            return Err(ProfileError::BadLines(lines.to_string()));
        }
        Ok(Profile {
            name: name.to_string(),
            commands: commands.to_vec(),
            rules,
            debounce_ms,
            lines,
            needs_paste,
            builtin: false,
        })
    }

    /// What the rules read on `view`: the first matching screen rule,
    /// waiting before working before idle; `None` if none matches.
    pub fn read_screen(&self, view: &ScreenView<'_>) -> Option<(AgentState, String)> {
        let text = view.lines.join("\n");
        self.first_match(Target::Screen, &text)
    }

    /// What the title rules read on `title`.
    pub fn read_title(&self, title: &str) -> Option<(AgentState, String)> {
        self.first_match(Target::Title, title)
    }

    /// Does the profile have title rules (so title changes matter)?
    pub fn has_title_rules(&self) -> bool {
        self.rules.iter().any(|r| r.target == Target::Title)
    }

    fn first_match(&self, target: Target, text: &str) -> Option<(AgentState, String)> {
        for state in [AgentState::Waiting, AgentState::Working, AgentState::Idle] {
            for r in &self.rules {
                if r.target == target && r.state == state && r.pattern.is_match(text) {
                    return Some((r.state, r.reason.clone()));
                }
            }
        }
        None
    }
}

/// A built-in profile from rule specs known to compile.
fn builtin(name: &str, commands: &[&str], rules: &[&str]) -> Profile {
    let commands: Vec<String> = commands.iter().map(|c| c.to_string()).collect();
    let mut p = Profile::define(name, &commands, rules, None, None, true)
        .unwrap_or_else(|e| panic!("built-in profile {name}: {e}"));
    p.builtin = true;
    p
}

/// The built-in profiles.
pub fn builtins() -> Vec<Profile> {
    vec![
        // Claude Code 2.1.x (tests/agents/OBSERVED.md).
        builtin(
            "claude",
            &["claude"],
            &[
                r"waiting:trust=(?i)(do you trust the files in this folder|yes, i trust this folder|is this a project you created or one you trust)",
                r"waiting:login=(?i)(select login method|paste code here if prompted|log in with your|login method)",
                r"waiting:permission=(?s)Do you want to .*(Esc to cancel|❯ 1\. Yes)",
                r"waiting:question=(Enter to select · ↑/↓ to navigate|(?m)^\s*☐ .*\n(?s).*Esc to cancel)",
                r"waiting:confirm=(?s)❯ 1\. .*Esc to cancel",
                r"working:working=esc to interrupt",
                r"working:working=(?m)^[·✢*✶✻✽] \S+… \(",
                r"idle:ready=(?m)^❯([ \x{a0}]|$)",
                r"idle:done=(?m)^✻ \S+ for \d",
                r"title:working=^[◐◑◒◓] ",
            ],
        ),
        // Codex CLI 0.17x (tests/agents/OBSERVED.md): it also reports its
        // state with OSC 7501, which outranks these.
        builtin(
            "codex",
            &["codex"],
            &[
                r"waiting:trust=(?i)(do you trust the (files|contents) (in|of) this (folder|directory)|allow codex to work in this folder)",
                r"waiting:login=(?i)(sign in with chatgpt|provide your own api key)",
                r"waiting:permission=(Would you like to (run the following command|make the following edits|grant)|Press enter to confirm or esc to cancel)",
                r"waiting:question=(?m)(^\s*Question \d+/\d+|enter to submit answer)",
                r"working:working=(?m)^• Working \(",
                r"idle:ready=› Ask Codex to do anything",
                r"idle:done=(?m)^\s*(─ )?Worked for ",
                r"idle:ready=\? for shortcuts",
                r"title:waiting:permission=^\[ \. \] Action Required",
                r"title:waiting:question=^\[ ! \] Action Required",
                r"title:working=^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ",
            ],
        ),
        // Gemini CLI (not yet observed here: from its documented UI).
        builtin(
            "gemini",
            &["gemini"],
            &[
                r"waiting:trust=(?i)do you trust this folder",
                r"waiting:login=(?i)(get started|login with google|use gemini api key)",
                r"waiting:permission=(?i)(allow execution|apply this change\?|do you want to proceed\?|waiting for user confirmation)",
                r"working:working=\(esc to cancel, \d+",
                r"idle:ready=(?i)type your message",
            ],
        ),
    ]
}

/// Every profile: the built-in ones, and the user's, which override a
/// built-in one of the same name.
#[derive(Debug, Clone)]
pub struct Profiles {
    builtin: BTreeMap<String, Profile>,
    user: BTreeMap<String, Profile>,
}

impl Default for Profiles {
    fn default() -> Self {
        Profiles {
            builtin: builtins()
                .into_iter()
                .map(|p| (p.name.clone(), p))
                .collect(),
            user: BTreeMap::new(),
        }
    }
}

impl Profiles {
    /// The profile called `name` (the user's first).
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.user.get(name).or_else(|| self.builtin.get(name))
    }

    /// The profile for a pane: the one its session's agent type names, else
    /// the first whose commands include one of the pane's command names (the
    /// current command first).
    pub fn choose(&self, agent_type: Option<&str>, commands: &[String]) -> Option<&Profile> {
        if let Some(p) = agent_type.and_then(|t| self.get(t)) {
            return Some(p);
        }
        commands
            .iter()
            .find_map(|c| self.all().find(|p| p.commands.contains(c)))
    }

    /// Every profile in effect, by name.
    pub fn all(&self) -> impl Iterator<Item = &Profile> {
        let mut names: Vec<&String> = self.builtin.keys().chain(self.user.keys()).collect();
        names.sort();
        names.dedup();
        names.into_iter().filter_map(|n| self.get(n))
    }

    /// Define (or replace) a user profile.
    pub fn define(&mut self, p: Profile) -> Result<(), ProfileError> {
        if !self.user.contains_key(&p.name) && self.user.len() >= MAX_PROFILES {
            return Err(ProfileError::TooManyProfiles);
        }
        self.user.insert(p.name.clone(), p);
        Ok(())
    }

    /// Remove user profile `name` (a built-in one it overrode is back).
    pub fn remove(&mut self, name: &str) -> Result<(), ProfileError> {
        if self.user.remove(name).is_some() {
            return Ok(());
        }
        if self.builtin.contains_key(name) {
            return Err(ProfileError::NotUser(name.to_string()));
        }
        Err(ProfileError::NoSuchProfile(name.to_string()))
    }

    /// Whether `name` is a user profile overriding a built-in one.
    pub fn overrides(&self, name: &str) -> bool {
        self.user.contains_key(name) && self.builtin.contains_key(name)
    }
}
