//! Errors of the agent domain.
//!
//! Every failed operation returns one [`AgentError`] and changes nothing.
//! Messages are tmux style: short, lowercase, naming the thing and, for a
//! limit, the limit. The domain never knows session names, so errors about a
//! session carry its id; [`AgentError::render`] turns them into the final
//! message with a name lookup, and `Display` shows the id as `$N`.
//! Layouts and managed panes are shown by their ids, `L<n>` and `M<n>`.

use std::fmt::{self, Write as _};

use super::layout::{
    LayoutId, ManagedId, PaneState, MAX_LABEL_LEN, MAX_LAYOUT_DEPTH, MAX_LAYOUT_KEY_LEN,
    MAX_LAYOUT_LEN, MAX_ROLE_COUNT, MAX_ROLE_NAME_LEN, MAX_TEMPLATE_NAME_LEN,
};
use super::validate::{MAX_AGENT_TYPE_LEN, MAX_GROUP_NAME_LEN, MAX_KEY_LEN};
use super::SessionId;

/// Longest part of an offending name shown in a message, in characters.
const SHOWN_NAME_CHARS: usize = 80;

/// What an input is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A coordination group's name.
    GroupName,
    /// A key in a group's shared context.
    Key,
    /// An agent's type.
    AgentType,
    /// An agent's goal.
    Goal,
    /// A value in a group's shared context.
    Value,
    /// A layout template's name.
    TemplateName,
    /// A role in a layout template.
    RoleName,
    /// A managed pane's label (`m1`, `reviewer2`).
    Label,
    /// The idempotency key of a layout creation or a recreate.
    LayoutKey,
    /// The command a managed pane runs.
    Command,
    /// A message sent to an inbox, or a prompt.
    Message,
}

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
            Field::Goal | Field::Value | Field::Command | Field::Message => None,
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
        })
    }
}

/// What is wrong with a `-l` layout: a tmux layout name or a tmux layout
/// string (`CSUM,cell`, as `#{window_layout}` shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayoutProblem {
    /// Neither one of tmux's layout names nor a layout string.
    NotALayout,
    /// The checksum in front does not match the rest of the string.
    Checksum { stated: u16, computed: u16 },
    /// The cell syntax breaks at byte `offset` of the whole string.
    Syntax { offset: usize },
    /// The cell sizes do not add up (tmux's "size mismatch").
    Size,
    /// Splits nested deeper than [`MAX_LAYOUT_DEPTH`].
    TooDeep,
    /// Longer than [`MAX_LAYOUT_LEN`] bytes.
    TooLong { len: usize },
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

/// An input that breaks the syntax it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A group name, key or agent type with a character outside
    /// `A-Z a-z 0-9 _ . -`, or empty, or too long.
    Name { field: Field, name: String },
    /// Raw input that is not UTF-8; `offset` is the first bad byte.
    Utf8 { offset: usize },
    /// A goal or value with a control character other than tab and newline.
    Control { field: Field },
    /// An empty input where one is needed (a message).
    Empty { field: Field },
    /// A JSON value serde_json could not parse; holds serde's message.
    Json(String),
    /// An `agent-share` argument that is not `key=value` (has no `=`).
    Assignment(String),
    /// A `-e` argument that is not `role=command` (has no `=`).
    Override(String),
    /// A template role spec that is not `role:count[:command]`.
    RoleSpec(String),
    /// A role count that is not an integer from 1 to [`MAX_ROLE_COUNT`].
    Count { role: String, count: String },
    /// A command that is empty or only white space.
    EmptyCommand { role: String },
    /// A role defined twice in one template.
    DuplicateRole(String),
    /// Two panes of one template would have the same label.
    DuplicateLabel(String),
    /// A role given twice in the command overrides (`-e`).
    DuplicateOverride(String),
    /// A template with no roles.
    NoRoles,
    /// A layout that tmux would not accept.
    Layout {
        layout: String,
        problem: LayoutProblem,
    },
    /// A layout string whose number of panes is not the template's.
    LayoutPanes { layout: u32, template: u32 },
    /// A pane state name that is not one of the five.
    PaneState(String),
}

/// An input or a state that would go past one of the documented limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// A goal or value longer than its limit, in bytes.
    TooLong {
        field: Field,
        len: usize,
        max: usize,
    },
    /// A new key in a group context that already has `count` keys.
    ContextKeys { count: usize, max: usize },
    /// A write that would make a group context `size` bytes in total.
    ContextBytes { size: usize, max: usize },
    /// A join to a group that already has `count` members.
    GroupMembers { count: usize, max: usize },
    /// A template with `count` panes in total.
    Panes { count: u32, max: u32 },
    /// A new layout when `count` layouts are live.
    Layouts { count: usize, max: usize },
    /// A new user template when `count` are defined.
    Templates { count: usize, max: usize },
    /// A recreate of `pane`, which is at the end of a recreate chain `depth`
    /// long.
    ChainDepth {
        pane: ManagedId,
        depth: u32,
        max: u32,
    },
}

/// Why an agent operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentError {
    /// An input with the wrong syntax.
    Invalid(Invalid),
    /// An input or state past a limit.
    Limit(Limit),
    /// The session is not an agent (has no agent metadata).
    NoMetadata(SessionId),
    /// The session is not in a coordination group.
    NotInGroup(SessionId),
    /// The session's group context has no such key.
    KeyNotFound(String),
    /// No group has this name.
    GroupNotFound(String),
    /// No template has this name.
    TemplateNotFound(String),
    /// Replacing a built-in template without force (`-f`).
    BuiltinTemplate(String),
    /// Undefining a built-in template that no user template overrides.
    UndefineBuiltin(String),
    /// A command override (`-e`) for a role the template does not have.
    UnknownRole(String),
    /// No layout has this id.
    LayoutNotFound(LayoutId),
    /// No managed pane has this id.
    PaneNotFound(ManagedId),
    /// The layout has no pane with this label.
    LabelNotFound { layout: LayoutId, label: String },
    /// A recreate of a pane that is creating or ready.
    NotRecreatable { pane: ManagedId, state: PaneState },
    /// A recreate of a pane whose successor is still being created.
    RecreateCreating {
        source: ManagedId,
        successor: ManagedId,
    },
    /// A recreate of a pane that was already recreated.
    AlreadyRecreated {
        source: ManagedId,
        successor: ManagedId,
    },
    /// A recreate in a layout whose panes are all removed.
    LayoutRemoved(LayoutId),
    /// A group send where the group has no member but the sender.
    NoRecipients(String),
}

impl AgentError {
    /// The final message, with `name_of` giving the name of a session.
    ///
    /// ```
    /// use agent_tmux::agent::AgentError;
    /// let e = AgentError::NotInGroup(3);
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
            AgentError::LayoutNotFound(id) => format!("can't find layout: L{id}"),
            AgentError::PaneNotFound(id) => format!("can't find pane: M{id}"),
            AgentError::LabelNotFound { layout, label } => {
                format!("can't find pane {label} in layout L{layout}")
            }
            AgentError::NotRecreatable { pane, state } => format!(
                "pane M{pane} is {state}: only failed, degraded or removed panes can be recreated"
            ),
            AgentError::RecreateCreating { source, successor } => {
                format!("a recreate of M{source} is still creating (M{successor})")
            }
            AgentError::AlreadyRecreated { source, successor } => {
                format!("M{source} was already recreated as M{successor}")
            }
            AgentError::LayoutRemoved(id) => {
                format!("layout L{id} is removed: its panes can't be recreated")
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
        f.write_str(&self.render(|id| format!("${id}")))
    }
}

impl std::error::Error for AgentError {}

impl From<Invalid> for AgentError {
    fn from(invalid: Invalid) -> AgentError {
        AgentError::Invalid(invalid)
    }
}

impl From<Limit> for AgentError {
    fn from(limit: Limit) -> AgentError {
        AgentError::Limit(limit)
    }
}

/// `text` quoted and escaped, so control characters can't reach the
/// terminal, and cut, so a huge input doesn't make a huge message.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.0.chars().take(SHOWN_NAME_CHARS).collect();
        let cut = if shown.len() < self.0.len() {
            "..."
        } else {
            ""
        };
        write!(f, "{shown:?}{cut}")
    }
}

/// `text` as typed, without quotes, for messages that end with the
/// argument: control characters are escaped (`\u{1b}`) and a huge input is
/// cut as in [`Shown`].
struct Bare<'a>(&'a str);

impl fmt::Display for Bare<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(SHOWN_NAME_CHARS) {
            if c.is_control() {
                write!(f, "{}", c.escape_debug())?;
            } else {
                f.write_char(c)?;
            }
        }
        if chars.next().is_some() {
            f.write_str("...")?;
        }
        Ok(())
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
                "recreate chain too deep: M{pane} is at depth {depth} (limit {max})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_errors_render_with_names() {
        let name = |id: SessionId| format!("s{id}");
        assert_eq!(
            AgentError::NoMetadata(2).render(name),
            "session 's2' has no agent metadata"
        );
        assert_eq!(
            AgentError::NotInGroup(7).render(name),
            "session 's7' is not in a coordination group"
        );
    }

    #[test]
    fn display_uses_session_ids() {
        assert_eq!(
            AgentError::NoMetadata(2).to_string(),
            "session '$2' has no agent metadata"
        );
        assert_eq!(
            AgentError::NotInGroup(0).to_string(),
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
    fn invalid_names_are_escaped_and_cut() {
        let e = Invalid::Name {
            field: Field::Key,
            name: "a\u{1b}[2J".into(),
        };
        assert!(e.to_string().starts_with(r#"invalid key: "a\u{1b}[2J""#));
        let e = Invalid::Name {
            field: Field::Key,
            name: "x".repeat(1000),
        };
        let shown = e.to_string();
        assert!(shown.contains(&format!("\"{}\"...", "x".repeat(80))));
        assert!(shown.len() < 200);
    }

    #[test]
    fn arguments_without_equals_are_shown_bare_escaped_and_cut() {
        assert_eq!(
            AgentError::from(Invalid::Assignment("novalue".into())).to_string(),
            "invalid key=value pair (no '='): novalue"
        );
        assert_eq!(
            AgentError::from(Invalid::Override("manager".into())).to_string(),
            "invalid -e (expected role=command): manager"
        );
        assert_eq!(
            Invalid::Assignment("a\u{1b}[2J\tb \"c\" é".into()).to_string(),
            "invalid key=value pair (no '='): a\\u{1b}[2J\\tb \"c\" é"
        );
        let long = Invalid::Override("x".repeat(81)).to_string();
        assert!(long.ends_with(&format!(": {}...", "x".repeat(80))));
        let exact = Invalid::Override("x".repeat(80)).to_string();
        assert!(exact.ends_with(&format!(": {}", "x".repeat(80))));
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
            (AgentError::LayoutNotFound(3), "can't find layout: L3"),
            (AgentError::PaneNotFound(7), "can't find pane: M7"),
            (
                AgentError::LabelNotFound {
                    layout: 2,
                    label: "s3".into(),
                },
                "can't find pane s3 in layout L2",
            ),
            (
                AgentError::NotRecreatable {
                    pane: 3,
                    state: PaneState::Ready,
                },
                "pane M3 is ready: only failed, degraded or removed panes can be recreated",
            ),
            (
                AgentError::RecreateCreating {
                    source: 3,
                    successor: 7,
                },
                "a recreate of M3 is still creating (M7)",
            ),
            (
                AgentError::AlreadyRecreated {
                    source: 3,
                    successor: 7,
                },
                "M3 was already recreated as M7",
            ),
            (
                AgentError::LayoutRemoved(4),
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
                    pane: 9,
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
