//! A managed pane's lifecycle: its states, which changes between them are
//! allowed, and the one state a layout shows for all its panes.
//!
//! ```text
//!             settle             exit
//!  Creating ---------> Ready ----------> Degraded
//!     |  \                                  ^
//!     |   `------ exit before settle -------'
//!     `---------> Failed (pane not created)
//!
//!  Creating, Ready, Degraded, Failed ---> Removed (pane killed by any means)
//! ```
//!
//! Removed is final, and a pane that went wrong (Degraded, Failed) or away
//! (Removed) never becomes Ready again: recreating it makes a new managed
//! pane that starts at Creating.

use std::fmt;
use std::str::FromStr;

use super::super::error::{AgentError, Invalid};

/// Where a managed pane is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PaneState {
    /// Its tmux pane is being made, or its command has not yet run for the
    /// settle time.
    Creating,
    /// Its command has been running for the settle time.
    Ready,
    /// Its command exited (the tmux pane may still be there to read).
    Degraded,
    /// Its tmux pane could not be created.
    Failed,
    /// Its tmux pane is gone.
    Removed,
}

impl PaneState {
    /// Every state, in the order counts and listings show them.
    pub const ALL: [PaneState; 5] = [
        PaneState::Creating,
        PaneState::Ready,
        PaneState::Degraded,
        PaneState::Failed,
        PaneState::Removed,
    ];

    /// The lowercase name, as shown and as [`FromStr`] reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            PaneState::Creating => "creating",
            PaneState::Ready => "ready",
            PaneState::Degraded => "degraded",
            PaneState::Failed => "failed",
            PaneState::Removed => "removed",
        }
    }
}

impl fmt::Display for PaneState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaneState {
    type Err = AgentError;

    fn from_str(s: &str) -> Result<PaneState, AgentError> {
        PaneState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| Invalid::PaneState(s.to_owned()).into())
    }
}

/// Where in a pane's life something went wrong: what a Degraded or Failed
/// state is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The tmux pane could not be created (Creating to Failed).
    PaneCreate,
    /// The command exited before the settle time (Creating to Degraded).
    LaunchCommand,
    /// The command exited after it was ready (Ready to Degraded).
    ProcessExit,
    /// Git could not make the pane's worktree (Creating to Failed).
    Worktree,
}

impl Stage {
    /// The snake_case name, as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::PaneCreate => "pane_create",
            Stage::LaunchCommand => "launch_command",
            Stage::ProcessExit => "process_exit",
            Stage::Worktree => "worktree",
        }
    }
}

impl FromStr for Stage {
    type Err = AgentError;

    fn from_str(s: &str) -> Result<Stage, AgentError> {
        [
            Stage::PaneCreate,
            Stage::LaunchCommand,
            Stage::ProcessExit,
            Stage::Worktree,
        ]
        .into_iter()
        .find(|stage| stage.as_str() == s)
        .ok_or_else(|| Invalid::PaneState(s.to_owned()).into())
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a managed pane may go from `from` to `to`. A state never goes to
/// itself.
pub fn allowed(from: PaneState, to: PaneState) -> bool {
    use PaneState::*;
    matches!(
        (from, to),
        (Creating, Ready)
            | (Creating, Degraded)
            | (Creating, Failed)
            | (Ready, Degraded)
            | (Creating | Ready | Degraded | Failed, Removed)
    )
}

/// The state a layout shows for panes in `states`: the first of creating,
/// failed, degraded, ready that any pane is in; removed when all are
/// removed or there are none.
pub fn aggregate(states: impl IntoIterator<Item = PaneState>) -> PaneState {
    let mut seen = [false; 5];
    for state in states {
        seen[state as usize] = true;
    }
    [
        PaneState::Creating,
        PaneState::Failed,
        PaneState::Degraded,
        PaneState::Ready,
    ]
    .into_iter()
    .find(|&state| seen[state as usize])
    .unwrap_or(PaneState::Removed)
}

#[cfg(test)]
mod tests {
    use super::PaneState::*;
    use super::*;

    #[test]
    fn names() {
        let names: Vec<String> = PaneState::ALL.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            names,
            ["creating", "ready", "degraded", "failed", "removed"]
        );
        for state in PaneState::ALL {
            assert_eq!(state.as_str().parse::<PaneState>(), Ok(state));
        }
        assert_eq!(Stage::PaneCreate.to_string(), "pane_create");
        assert_eq!(Stage::LaunchCommand.to_string(), "launch_command");
        assert_eq!(Stage::ProcessExit.to_string(), "process_exit");
    }

    #[test]
    fn unknown_state_names() {
        for bad in ["", "Ready", "ready ", "gone"] {
            assert_eq!(
                bad.parse::<PaneState>(),
                Err(Invalid::PaneState(bad.into()).into())
            );
        }
        assert_eq!(
            "gone".parse::<PaneState>().unwrap_err().to_string(),
            r#"invalid pane state: "gone" (allowed: creating, ready, degraded, failed, removed)"#
        );
    }

    #[test]
    fn the_transition_table() {
        let yes = [
            (Creating, Ready),
            (Creating, Degraded),
            (Creating, Failed),
            (Ready, Degraded),
            (Creating, Removed),
            (Ready, Removed),
            (Degraded, Removed),
            (Failed, Removed),
        ];
        for from in PaneState::ALL {
            for to in PaneState::ALL {
                assert_eq!(
                    allowed(from, to),
                    yes.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn removed_is_final_and_nothing_returns_to_ready() {
        for to in PaneState::ALL {
            assert!(!allowed(Removed, to));
        }
        for from in [Degraded, Failed, Removed] {
            assert!(!allowed(from, Ready));
            assert!(!allowed(from, Creating));
        }
    }

    #[test]
    fn aggregate_rules() {
        assert_eq!(aggregate([]), Removed);
        assert_eq!(aggregate([Removed, Removed]), Removed);
        assert_eq!(aggregate([Ready, Removed]), Ready);
        assert_eq!(aggregate([Ready, Degraded, Removed]), Degraded);
        assert_eq!(aggregate([Degraded, Failed, Ready]), Failed);
        assert_eq!(aggregate([Failed, Creating, Ready]), Creating);
        assert_eq!(aggregate([Ready, Ready]), Ready);
        for state in PaneState::ALL {
            assert_eq!(aggregate([state]), state);
        }
        // Order does not matter.
        assert_eq!(aggregate([Removed, Degraded, Ready]), Degraded);
    }
}
