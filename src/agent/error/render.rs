//! The messages of the domain's errors: `Display` for every error type and
//! [`AgentError::render`], which names sessions with a lookup the caller
//! supplies.

use std::fmt;

use super::quote::{Bare, Shown};
use super::{AgentError, Field, Invalid, LayoutProblem, Limit};
use crate::agent::layout::{
    MAX_LABEL_LEN, MAX_LAYOUT_DEPTH, MAX_LAYOUT_KEY_LEN, MAX_LAYOUT_LEN, MAX_ROLE_COUNT,
    MAX_ROLE_NAME_LEN, MAX_TEMPLATE_NAME_LEN,
};
use crate::agent::validate::{MAX_AGENT_TYPE_LEN, MAX_GROUP_NAME_LEN, MAX_KEY_LEN};
use crate::agent::SessionId;

impl Field {
    /// The most characters a name of this kind may have, for the names that
    /// have a syntax (group names, keys, agent types).
    fn max_name_len(self) -> Option<usize> {
        match self {
            Field::GroupName => Some(MAX_GROUP_NAME_LEN),
            Field::Key => Some(MAX_KEY_LEN),
            Field::AgentType => Some(MAX_AGENT_TYPE_LEN),
            Field::TemplateName => Some(MAX_TEMPLATE_NAME_LEN),
            Field::RoleName => Some(MAX_ROLE_NAME_LEN),
            Field::Label => Some(MAX_LABEL_LEN),
            Field::LayoutKey => Some(MAX_LAYOUT_KEY_LEN),
            Field::SessionName => Some(MAX_GROUP_NAME_LEN),
            Field::Goal | Field::Value | Field::Command | Field::Message | Field::Prompt => None,
        }
    }

    /// The characters a name of this kind may have. Template names also
    /// allow `+`, for the built-in names like `1m+2s`.
    fn allowed_chars(self) -> &'static str {
        match self {
            Field::TemplateName => "A-Z a-z 0-9 _ . + -",
            _ => "A-Z a-z 0-9 _ . -",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::GroupName => "group name",
            Field::Key => "key",
            Field::AgentType => "agent type",
            Field::Goal => "goal",
            Field::Value => "value",
            Field::TemplateName => "template name",
            Field::RoleName => "role name",
            Field::Label => "pane label",
            Field::LayoutKey => "idempotency key",
            Field::Command => "command",
            Field::Message => "message",
            Field::Prompt => "prompt text",
            Field::SessionName => "session name",
        })
    }
}

impl fmt::Display for LayoutProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutProblem::NotALayout => f.write_str(
                "not a layout name (even-horizontal, even-vertical, main-horizontal, \
                 main-horizontal-mirrored, main-vertical, main-vertical-mirrored, tiled) \
                 or layout string",
            ),
            LayoutProblem::Checksum { stated, computed } => {
                write!(
                    f,
                    "checksum {stated:04x} does not match, expected {computed:04x}"
                )
            }
            LayoutProblem::Syntax { offset } => write!(f, "syntax error at byte {offset}"),
            LayoutProblem::Size => f.write_str("cell sizes do not add up"),
            LayoutProblem::TooDeep => write!(f, "nested more than {MAX_LAYOUT_DEPTH} deep"),
            LayoutProblem::TooLong { len } => {
                write!(f, "too long: {len} bytes, limit {MAX_LAYOUT_LEN}")
            }
        }
    }
}

impl AgentError {
    /// The final message, with `name_of` giving the name of a session.
    ///
    /// ```
    /// use agent_tmux::agent::{AgentError, SessionId};
    /// let e = AgentError::NotInGroup(SessionId(3));
    /// assert_eq!(
    ///     e.render(|_| "work".to_string()),
    ///     "session 'work' is not in a coordination group"
    /// );
    /// ```
    pub fn render(&self, name_of: impl Fn(SessionId) -> String) -> String {
        match self {
            AgentError::NoMetadata(id) => {
                format!("session '{}' has no agent metadata", name_of(*id))
            }
            AgentError::NoMetadataForGroup(id) => format!(
                "session '{}' has no agent metadata (it is not in a coordination group)",
                name_of(*id)
            ),
            AgentError::NotInGroup(id) => {
                format!("session '{}' is not in a coordination group", name_of(*id))
            }
            AgentError::KeyNotFound(key) => format!("key not found: {key}"),
            AgentError::GroupNotFound(name) => format!("can't find group: {name}"),
            AgentError::TemplateNotFound(name) => format!("unknown template: {name}"),
            AgentError::BuiltinTemplate(name) => {
                format!("template {name} is built in: use -f to override it")
            }
            AgentError::UndefineBuiltin(name) => {
                format!("template {name} is built in and can't be undefined")
            }
            AgentError::UnknownRole(role) => format!("unknown role in -e: {role}"),
            AgentError::LayoutNotFound(id) => format!("can't find layout: {id}"),
            AgentError::PaneNotFound(id) => format!("can't find pane: {id}"),
            AgentError::LabelNotFound { layout, label } => {
                format!("can't find pane {} in layout {layout}", Bare(label))
            }
            AgentError::NotRecreatable { pane, state } => format!(
                "pane {pane} is {state}: only failed, degraded or removed panes can be recreated"
            ),
            AgentError::RecreateCreating { source, successor } => {
                format!("a recreate of {source} is still creating ({successor})")
            }
            AgentError::AlreadyRecreated { source, successor } => {
                format!("{source} was already recreated as {successor}")
            }
            AgentError::LayoutRemoved(id) => {
                format!("layout {id} is removed: its panes can't be recreated")
            }
            AgentError::NoRecipients(group) => {
                format!("group {group} has no other member to send to")
            }
            AgentError::Invalid(invalid) => invalid.to_string(),
            AgentError::Limit(limit) => limit.to_string(),
        }
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(|id| id.to_string()))
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Name { field, name } => {
                write!(f, "invalid {field}: {}", Shown(name))?;
                match field.max_name_len() {
                    Some(max) => write!(
                        f,
                        " (allowed: {}, 1 to {max} characters)",
                        field.allowed_chars()
                    ),
                    None => Ok(()),
                }
            }
            Invalid::Utf8 { offset } => write!(f, "invalid UTF-8 at byte {offset}"),
            Invalid::Control { field } => write!(f, "{field} contains a control character"),
            Invalid::Empty { field } => write!(f, "{field} is empty"),
            Invalid::Json(msg) => write!(f, "invalid JSON value: {msg}"),
            Invalid::Assignment(arg) => {
                write!(f, "invalid key=value pair (no '='): {}", Bare(arg))
            }
            Invalid::Override(arg) => {
                write!(f, "invalid -e (expected role=command): {}", Bare(arg))
            }
            Invalid::RoleSpec(spec) => {
                write!(
                    f,
                    "invalid role spec: {} (expected role:count[:command])",
                    Shown(spec)
                )
            }
            Invalid::Count { role, count } => write!(
                f,
                "invalid count for role {role}: {} (allowed: 1 to {MAX_ROLE_COUNT})",
                Shown(count)
            ),
            Invalid::EmptyCommand { role } => write!(f, "empty command for role {role}"),
            Invalid::DuplicateRole(role) => write!(f, "duplicate role: {role}"),
            Invalid::DuplicateLabel(label) => write!(
                f,
                "duplicate pane label: {label} (roles sharing a first character are \
                 labelled by their full names: rename one)"
            ),
            Invalid::DuplicateOverride(role) => write!(f, "duplicate role in -e: {role}"),
            Invalid::NoRoles => f.write_str("no roles: give at least one role:count"),
            Invalid::Layout { layout, problem } => {
                write!(f, "invalid layout: {} ({problem})", Shown(layout))
            }
            Invalid::LayoutPanes { layout, template } => write!(
                f,
                "layout has {layout} panes but the template has {template}"
            ),
            Invalid::PaneState(state) => write!(
                f,
                "invalid pane state: {} (allowed: creating, ready, degraded, failed, removed)",
                Shown(state)
            ),
            Invalid::Worktree { what, value, why } => {
                write!(f, "invalid worktree {what}: {} ({why})", Shown(value))
            }
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::TooLong { field, len, max } => {
                write!(f, "{field} too long: {len} bytes (limit {max})")
            }
            Limit::ContextKeys { count, max } => {
                write!(f, "group context full: {count} keys (limit {max})")
            }
            Limit::ContextBytes { size, max } => {
                write!(
                    f,
                    "group context too large: {size} bytes (limit {max} bytes)"
                )
            }
            Limit::GroupMembers { count, max } => {
                write!(f, "group full: {count} members (limit {max})")
            }
            Limit::Panes { count, max } => write!(f, "too many panes: {count} (limit {max})"),
            Limit::Layouts { count, max } => {
                write!(f, "too many layouts: {count} live (limit {max})")
            }
            Limit::Templates { count, max } => {
                write!(f, "too many templates: {count} defined (limit {max})")
            }
            Limit::ChainDepth { pane, depth, max } => write!(
                f,
                "recreate chain too deep: {pane} is at depth {depth} (limit {max})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::layout::PaneState;
    use crate::ids::LayoutId;
    use crate::ids::ManagedId;

    #[test]
    fn session_errors_render_with_names() {
        let name = |id: SessionId| format!("s{}", id.0);
        assert_eq!(
            AgentError::NoMetadata(SessionId(2)).render(name),
            "session 's2' has no agent metadata"
        );
        assert_eq!(
            AgentError::NoMetadataForGroup(SessionId(2)).render(name),
            "session 's2' has no agent metadata (it is not in a coordination group)"
        );
        assert_eq!(
            AgentError::NotInGroup(SessionId(7)).render(name),
            "session 's7' is not in a coordination group"
        );
    }

    #[test]
    fn display_uses_session_ids() {
        assert_eq!(
            AgentError::NoMetadata(SessionId(2)).to_string(),
            "session '$2' has no agent metadata"
        );
        assert_eq!(
            AgentError::NotInGroup(SessionId(0)).to_string(),
            "session '$0' is not in a coordination group"
        );
    }

    #[test]
    fn lookup_errors() {
        assert_eq!(
            AgentError::KeyNotFound("plan".into()).to_string(),
            "key not found: plan"
        );
        assert_eq!(
            AgentError::GroupNotFound("team".into()).to_string(),
            "can't find group: team"
        );
    }

    #[test]
    fn invalid_messages() {
        let e: AgentError = Invalid::Name {
            field: Field::GroupName,
            name: "a b".into(),
        }
        .into();
        assert_eq!(
            e.to_string(),
            r#"invalid group name: "a b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
        let e: AgentError = Invalid::Name {
            field: Field::AgentType,
            name: String::new(),
        }
        .into();
        assert_eq!(
            e.to_string(),
            r#"invalid agent type: "" (allowed: A-Z a-z 0-9 _ . -, 1 to 32 characters)"#
        );
        assert_eq!(
            AgentError::from(Invalid::Control { field: Field::Goal }).to_string(),
            "goal contains a control character"
        );
        assert_eq!(
            AgentError::from(Invalid::Utf8 { offset: 3 }).to_string(),
            "invalid UTF-8 at byte 3"
        );
        assert_eq!(
            AgentError::from(Invalid::Json("eof".into())).to_string(),
            "invalid JSON value: eof"
        );
    }

    #[test]
    fn limit_messages() {
        let cases = [
            (
                Limit::TooLong {
                    field: Field::Value,
                    len: 70000,
                    max: 65536,
                },
                "value too long: 70000 bytes (limit 65536)",
            ),
            (
                Limit::ContextKeys {
                    count: 1024,
                    max: 1024,
                },
                "group context full: 1024 keys (limit 1024)",
            ),
            (
                Limit::ContextBytes {
                    size: 1048577,
                    max: 1048576,
                },
                "group context too large: 1048577 bytes (limit 1048576 bytes)",
            ),
            (
                Limit::GroupMembers {
                    count: 10000,
                    max: 10000,
                },
                "group full: 10000 members (limit 10000)",
            ),
        ];
        for (limit, msg) in cases {
            assert_eq!(AgentError::from(limit).to_string(), msg);
        }
    }

    #[test]
    fn layout_messages() {
        let cases = [
            (
                AgentError::TemplateNotFound("x".into()),
                "unknown template: x",
            ),
            (
                AgentError::BuiltinTemplate("1m+2s".into()),
                "template 1m+2s is built in: use -f to override it",
            ),
            (
                AgentError::UndefineBuiltin("2m+2s".into()),
                "template 2m+2s is built in and can't be undefined",
            ),
            (
                AgentError::UnknownRole("qa".into()),
                "unknown role in -e: qa",
            ),
            (
                AgentError::LayoutNotFound(LayoutId(3)),
                "can't find layout: L3",
            ),
            (
                AgentError::PaneNotFound(ManagedId(7)),
                "can't find pane: M7",
            ),
            (
                AgentError::LabelNotFound {
                    layout: LayoutId(2),
                    label: "s3".into(),
                },
                "can't find pane s3 in layout L2",
            ),
            (
                AgentError::NotRecreatable {
                    pane: ManagedId(3),
                    state: PaneState::Ready,
                },
                "pane M3 is ready: only failed, degraded or removed panes can be recreated",
            ),
            (
                AgentError::RecreateCreating {
                    source: ManagedId(3),
                    successor: ManagedId(7),
                },
                "a recreate of M3 is still creating (M7)",
            ),
            (
                AgentError::AlreadyRecreated {
                    source: ManagedId(3),
                    successor: ManagedId(7),
                },
                "M3 was already recreated as M7",
            ),
            (
                AgentError::LayoutRemoved(LayoutId(4)),
                "layout L4 is removed: its panes can't be recreated",
            ),
            (
                Limit::Panes { count: 17, max: 16 }.into(),
                "too many panes: 17 (limit 16)",
            ),
            (
                Limit::Layouts { count: 40, max: 40 }.into(),
                "too many layouts: 40 live (limit 40)",
            ),
            (
                Limit::Templates {
                    count: 256,
                    max: 256,
                }
                .into(),
                "too many templates: 256 defined (limit 256)",
            ),
            (
                Limit::ChainDepth {
                    pane: ManagedId(9),
                    depth: 16,
                    max: 16,
                }
                .into(),
                "recreate chain too deep: M9 is at depth 16 (limit 16)",
            ),
            (
                Invalid::DuplicateOverride("m".into()).into(),
                "duplicate role in -e: m",
            ),
            (
                Invalid::LayoutPanes {
                    layout: 4,
                    template: 3,
                }
                .into(),
                "layout has 4 panes but the template has 3",
            ),
        ];
        for (e, msg) in cases {
            assert_eq!(e.to_string(), msg);
        }
    }

    #[test]
    fn existing_fields_keep_their_allowed_characters() {
        for field in [Field::GroupName, Field::Key, Field::AgentType] {
            let e = Invalid::Name {
                field,
                name: "+".into(),
            };
            assert!(e.to_string().contains("(allowed: A-Z a-z 0-9 _ . -, 1 to "));
        }
    }

    #[test]
    fn is_std_error() {
        fn takes(_: &dyn std::error::Error) {}
        takes(&AgentError::KeyNotFound("k".into()));
    }
}
