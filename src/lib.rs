//! agent-tmux: upstream tmux with agent coordination built into the server.
//!
//! The binary (`src/main.rs`) links tmux and registers the agent commands; this
//! library holds the parts that do not need tmux at all. [`agent`] is the
//! domain: the registry of agent sessions, their coordination groups and each
//! group's shared context, as plain deterministic Rust.

#![deny(unsafe_code)]

pub mod agent;
