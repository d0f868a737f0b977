//! Errors of the agent domain.
//!
//! Every failed operation returns one [`AgentError`] and changes nothing.
//! Messages are tmux style: short, lowercase, naming the thing and, for a
//! limit, the limit. The domain never knows session names, so errors about a
//! session carry its id; [`AgentError::render`] turns them into the final
//! message with a name lookup, and `Display` shows the id as `$N`.
//! Layouts and managed panes are shown by their ids, `L<n>` and `M<n>`.
//!
//! This file holds the types; `render` makes their messages and
//! `quote` the quoting of offending input inside them.

use super::layout::{LayoutId, ManagedId, PaneState};
use super::SessionId;

mod quote;
mod render;

pub use quote::{Bare, Shown};

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
    /// A message sent to an inbox.
    Message,
    /// The text of a prompt (`agent-prompt`).
    Prompt,
    /// A session's name (`new-agent-layout -s`).
    SessionName,
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
    /// Splits nested deeper than [`MAX_LAYOUT_DEPTH`](super::layout::MAX_LAYOUT_DEPTH).
    TooDeep,
    /// Longer than [`MAX_LAYOUT_LEN`](super::layout::MAX_LAYOUT_LEN) bytes.
    TooLong { len: usize },
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
    /// A role count that is not an integer from 1 to [`MAX_ROLE_COUNT`](super::layout::MAX_ROLE_COUNT).
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
    /// A name or path for a git worktree that git or the naming rules
    /// refuse (`what`: "name", "base", "path"; `why`: the rule).
    Worktree {
        what: &'static str,
        value: String,
        why: &'static str,
    },
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
    /// A group operation (leave, share, unshare, get, the session's group)
    /// on a session that is not an agent, so not in any group either.
    NoMetadataForGroup(SessionId),
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
