//! Managed multi-agent layouts: one tmux session whose window is split into
//! *managed panes* according to a *template*, each pane with a lifecycle.
//!
//! Like the rest of the domain this knows nothing about tmux: the server
//! creates sessions and panes and reports what happened to them (created,
//! settled, exited, destroyed) by their ids; the domain keeps the state,
//! decides what is allowed, and returns each state change as a
//! [`Transition`] for the server to deliver. Time comes in as `now` (unix
//! seconds). Lookups are in ordered maps, so runs are deterministic.
//!
//! - [`template`]: templates (`1m+2s`, user-defined ones), their role specs
//!   and the slots (role, label, command) they make.
//! - [`geometry`]: tmux layout names and layout strings: checksum, syntax,
//!   cell sizes, number of panes.
//! - [`state`]: a managed pane's states, the allowed transitions between them
//!   and how a layout's state follows from its panes'.
//! - [`layouts`]: the registry of layouts and managed panes, recreate chains
//!   and idempotency keys.
//!
//! Ids are typed ([`crate::ids`]): layouts are shown `L<n>` and managed panes
//! `M<n>`, both counting from 1; tmux panes keep tmux's own id (`%N`).

pub mod geometry;
pub mod layouts;
pub mod state;
pub mod template;
pub mod worktree;

#[cfg(test)]
mod invariants;

pub use geometry::{
    check_layout, layout_checksum, layout_leaf_count, with_checksum, LAYOUT_NAMES,
    MAX_LAYOUT_DEPTH, MAX_LAYOUT_LEN,
};
pub use layouts::{
    parse_layout_target, parse_override, parse_pane_target, CreatePlan, Layout, LayoutRef, Layouts,
    ManagedPane, PaneTarget, RecreatePlan, Transition, DEFAULT_LAYOUT_LIMIT, MAX_CHAIN_DEPTH,
    MAX_ERROR_BYTES, RETAINED_REMOVED_LAYOUTS,
};
pub use state::{aggregate, allowed, PaneState, Stage};
pub use template::{builtin_templates, RoleSpec, Slot, Template, Templates};
pub use worktree::Worktree;

use super::error::{AgentError, Field, Invalid, Limit};
use super::validate::is_refused_control;

pub use crate::ids::{LayoutId, ManagedId, PaneId, WindowId};

/// Most characters in a template name.
pub const MAX_TEMPLATE_NAME_LEN: usize = 64;

/// Most characters in a role name.
pub const MAX_ROLE_NAME_LEN: usize = 64;

/// Most characters in a pane label.
pub const MAX_LABEL_LEN: usize = 64;

/// Most characters in an idempotency key (`-k`).
pub const MAX_LAYOUT_KEY_LEN: usize = 64;

/// Most panes of one role in a template.
pub const MAX_ROLE_COUNT: u32 = 16;

/// Most panes in a template, all roles together: more would leave panes too
/// small to use on an ordinary terminal.
pub const MAX_PANES: u32 = 16;

/// Most bytes (UTF-8) in a pane's command.
pub const MAX_COMMAND_BYTES: usize = 4096;

/// Most user-defined templates, counting those that override a built-in;
/// the built-ins themselves are not counted.
pub const MAX_TEMPLATES: usize = 256;

/// Checks a template name: `[A-Za-z0-9_.+-]{1,64}`. `+` is allowed (unlike
/// other names of the domain) because the built-in names use it: `1m+2s`.
pub fn template_name(name: &str) -> Result<(), AgentError> {
    word(Field::TemplateName, name, MAX_TEMPLATE_NAME_LEN, b"_.+-")
}

/// Checks a role name: `[A-Za-z0-9_.-]{1,64}`.
pub fn role_name(name: &str) -> Result<(), AgentError> {
    word(Field::RoleName, name, MAX_ROLE_NAME_LEN, b"_.-")
}

/// Checks a pane label: `[A-Za-z0-9_.-]{1,64}`.
pub fn label(label: &str) -> Result<(), AgentError> {
    word(Field::Label, label, MAX_LABEL_LEN, b"_.-")
}

/// Checks an idempotency key: `[A-Za-z0-9_.-]{1,64}`.
pub fn layout_key(key: &str) -> Result<(), AgentError> {
    word(Field::LayoutKey, key, MAX_LAYOUT_KEY_LEN, b"_.-")
}

/// Checks the command of `role`'s panes: not empty or only white space, no
/// control characters except tab (a newline would end the command line the
/// pane's shell reads), at most [`MAX_COMMAND_BYTES`] bytes.
pub fn command(role: &str, command: &str) -> Result<(), AgentError> {
    if command.trim().is_empty() {
        return Err(Invalid::EmptyCommand {
            role: role.to_owned(),
        }
        .into());
    }
    if command.len() > MAX_COMMAND_BYTES {
        return Err(Limit::TooLong {
            field: Field::Command,
            len: command.len(),
            max: MAX_COMMAND_BYTES,
        }
        .into());
    }
    if command.chars().any(|c| c == '\n' || is_refused_control(c)) {
        return Err(Invalid::Control {
            field: Field::Command,
        }
        .into());
    }
    Ok(())
}

fn word(field: Field, name: &str, max: usize, punct: &[u8]) -> Result<(), AgentError> {
    super::validate::word_with(field, name, max, punct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_allow_plus() {
        for ok in ["1m+2s", "a", "team.review_2-x", &"t".repeat(64)] {
            assert_eq!(template_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a b", "a:b", "a/b", "ä", &"t".repeat(65)] {
            assert!(template_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            template_name("a b").unwrap_err().to_string(),
            r#"invalid template name: "a b" (allowed: A-Z a-z 0-9 _ . + -, 1 to 64 characters)"#
        );
    }

    #[test]
    fn role_names_labels_and_keys_refuse_plus() {
        for f in [role_name, label, layout_key] {
            assert_eq!(f("ok_1.x-y"), Ok(()));
            assert_eq!(f(&"r".repeat(64)), Ok(()));
            for bad in ["", "a+b", "a:b", "a b", &"r".repeat(65)] {
                assert!(f(bad).is_err(), "{bad:?}");
            }
        }
        assert_eq!(
            role_name("a+b").unwrap_err().to_string(),
            r#"invalid role name: "a+b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
        assert_eq!(
            layout_key("").unwrap_err().to_string(),
            r#"invalid idempotency key: "" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
    }

    #[test]
    fn commands() {
        for ok in ["claude", "a:b:c", "run\t--x", "naïve 🦀", " x "] {
            assert_eq!(command("r", ok), Ok(()), "{ok:?}");
        }
        assert_eq!(
            command("r", "").unwrap_err().to_string(),
            "empty command for role r"
        );
        assert_eq!(
            command("r", " \t ").unwrap_err().to_string(),
            "empty command for role r"
        );
        for bad in ["a\nb", "a\rb", "a\u{1b}b", "a\u{7f}", "a\u{85}"] {
            assert_eq!(
                command("r", bad).unwrap_err().to_string(),
                "command contains a control character",
                "{bad:?}"
            );
        }
        assert_eq!(command("r", &"c".repeat(MAX_COMMAND_BYTES)), Ok(()));
        assert_eq!(
            command("r", &"c".repeat(MAX_COMMAND_BYTES + 1))
                .unwrap_err()
                .to_string(),
            "command too long: 4097 bytes (limit 4096)"
        );
    }
}
