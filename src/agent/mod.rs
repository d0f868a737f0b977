//! The agent domain: which sessions are agents, which coordination group each
//! one is in, and the context each group shares.
//!
//! This module knows nothing about tmux or C. Sessions are ids
//! ([`SessionId`], tmux's `$N`); their names are never stored, so a renamed
//! session can't leave stale state, and errors are rendered with a name lookup
//! the caller supplies ([`AgentError::render`]). There is no clock: every
//! operation that changes state takes `now` (unix seconds) as a parameter.
//! There is no I/O and no global state: the server owns one [`Registry`] and
//! calls into it; each call either succeeds completely, returning an outcome
//! with the [`Event`]s it caused, or fails with an [`AgentError`] and changes
//! nothing.
//!
//! - [`validate`]: the syntax of names and texts, and every limit.
//! - [`Registry`]: agents and groups, the one state object.
//! - [`Group`]: members in join order, the coordinator, the shared context.
//! - [`Value`] and [`Entry`]: what the context holds.
//! - [`Event`]: what changed, for notifications and hooks.
//! - [`inbox`]: each agent's bounded inbox of unread messages.
//! - [`layout`]: managed multi-agent layouts: templates, tmux layout
//!   strings, managed panes and their lifecycles ([`Layouts`]).

pub mod activity;
mod context;
mod error;
mod event;
mod group;
pub mod hooks;
pub mod inbox;
mod json;
pub mod layout;
pub mod prompt;
mod registry;
pub mod saved;
pub mod state;
pub mod validate;
pub mod wait;

#[cfg(test)]
mod invariants;

pub use context::{compact_json, parse_assignment, Entry, Value};
pub use error::{AgentError, Bare, Field, Invalid, LayoutProblem, Limit, Shown};
pub use event::{Event, GroupEventKind};
pub use group::Group;
pub use layout::{
    parse_override, CreatePlan, Layout, LayoutId, Layouts, ManagedId, ManagedPane, PaneId,
    PaneState, RecreatePlan, RoleSpec, Slot, Stage, Template, Templates, Transition,
};
pub use registry::{
    Agent, Changes, Delivery, JoinOutcome, LeaveOutcome, Registry, Restored, Role, SendOutcome,
    SendTo, SetAgentOutcome, ShareOutcome, Touched, UnshareOutcome, DEFAULT_AGENT_TYPE,
};
pub use validate::{
    text_from_bytes, MAX_AGENT_TYPE_LEN, MAX_CONTEXT_BYTES, MAX_CONTEXT_KEYS, MAX_GOAL_BYTES,
    MAX_GROUP_MEMBERS, MAX_GROUP_NAME_LEN, MAX_KEY_LEN, MAX_MESSAGE_BYTES, MAX_VALUE_BYTES,
};

pub use crate::ids::SessionId;
