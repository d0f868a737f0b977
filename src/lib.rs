//! agent-tmux: upstream tmux with agent coordination built into the server.
//!
//! The binary (`src/main.rs`) links tmux and registers the agent commands; this
//! library holds the parts that do not need tmux at all. [`agent`] is the
//! domain: the registry of agent sessions, their coordination groups and each
//! group's shared context, as plain deterministic Rust. [`ids`] is the
//! vocabulary every layer shares: the typed ids and their text forms.

#![deny(unsafe_code)]

pub mod agent;
pub mod ids;
