//! Events: what a successful operation changed, for the server to deliver as
//! control-mode notifications and hooks. The domain only reports them; it
//! never delivers anything.

use std::fmt;

use super::SessionId;

/// How a session's place in a group changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupEventKind {
    /// The session joined the group.
    Joined,
    /// The session left the group (or was destroyed while in it).
    Left,
    /// The session became the group's coordinator.
    Coordinator,
}

impl fmt::Display for GroupEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupEventKind::Joined => "joined",
            GroupEventKind::Left => "left",
            GroupEventKind::Coordinator => "coordinator",
        })
    }
}

/// One change, in the order it happened within its operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A session joined or left a group, or became its coordinator.
    GroupChanged {
        session: SessionId,
        group: String,
        kind: GroupEventKind,
    },
    /// A key of a group's context was written or removed, making `version`.
    ContextChanged {
        group: String,
        key: String,
        version: u64,
        author: SessionId,
    },
    /// Message `seq` arrived in `to`'s inbox, sent from session `from` (if
    /// it was sent from a session), which was named `from_name` then.
    Message {
        to: SessionId,
        from: Option<SessionId>,
        from_name: String,
        seq: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_display_lowercase() {
        assert_eq!(GroupEventKind::Joined.to_string(), "joined");
        assert_eq!(GroupEventKind::Left.to_string(), "left");
        assert_eq!(GroupEventKind::Coordinator.to_string(), "coordinator");
    }
}
