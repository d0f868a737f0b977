//! The one error type of commands: what an exec returns when it fails, and
//! how that is reported to the client (`%error` in control mode). Domain
//! errors are carried as they are and rendered here, once, naming sessions
//! as they are called when the error is reported; the other kinds are the
//! command's own (usage, a target that can't be found, a bad flag value, a
//! read-only client), upstream tmux's, or already reported. Everything a
//! message echoes is quoted by the domain's [`Bare`]. This and the ids are
//! all the facade knows of the domain.

use agent_tmux::agent::{AgentError, Bare};
use agent_tmux::ids::{PaneId, SessionId};

use super::session;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// A domain error (see [`AgentError::render`]).
    Agent(AgentError),
    /// The flags or arguments were used wrongly; the text says how to use
    /// them.
    Usage(&'static str),
    /// `can't find WHAT: TARGET`.
    NotFound { what: &'static str, target: String },
    /// `invalid WHAT: VALUE (ALLOWED)`, for a flag's value.
    BadValue {
        what: &'static str,
        value: String,
        allowed: String,
    },
    /// The client is read-only (`attach -r`).
    ReadOnly,
    /// The session holds no managed layout.
    NoLayout(SessionId),
    /// The pane is not a managed pane.
    NotManaged(PaneId),
    /// Any other failure, said by the command (or upstream's reason).
    Failed(String),
    /// Already reported (by upstream code): nothing more is shown.
    Reported,
}

impl CmdError {
    /// The message shown to the client; `None` when it was already shown.
    pub fn message(&self) -> Option<String> {
        Some(match self {
            CmdError::Agent(e) => e.render(session::display_name),
            CmdError::Usage(text) => (*text).to_string(),
            CmdError::NotFound { what, target } => format!("can't find {what}: {}", Bare(target)),
            CmdError::BadValue {
                what,
                value,
                allowed,
            } => format!("invalid {what}: {} ({allowed})", Bare(value)),
            CmdError::ReadOnly => "client is read-only".to_string(),
            CmdError::NoLayout(s) => {
                format!(
                    "session '{}' has no agent layout",
                    session::display_name(*s)
                )
            }
            CmdError::NotManaged(p) => format!("pane {p} is not a managed agent pane"),
            CmdError::Failed(text) => text.clone(),
            CmdError::Reported => return None,
        })
    }

    /// `can't find WHAT: TARGET`.
    pub fn not_found(what: &'static str, target: &str) -> CmdError {
        CmdError::NotFound {
            what,
            target: target.to_string(),
        }
    }
}

impl From<AgentError> for CmdError {
    fn from(e: AgentError) -> CmdError {
        CmdError::Agent(e)
    }
}

/// What every exec returns.
pub type CmdResult = Result<super::item::Flow, CmdError>;
