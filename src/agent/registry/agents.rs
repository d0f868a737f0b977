//! Making a session an agent, changing its type or goal, and removing its
//! metadata: by request ([`Registry::unset_agent`]) or because the session
//! is gone ([`Registry::session_destroyed`]).

use crate::agent::error::AgentError;
use crate::agent::validate;
use crate::agent::SessionId;

use super::{Agent, LeaveOutcome, Registry};

/// The type a session gets when it becomes an agent without saying which.
pub const DEFAULT_AGENT_TYPE: &str = "custom";

/// What [`Registry::set_agent`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAgentOutcome {
    /// The session became an agent.
    Created,
    /// The session was an agent; the given fields were changed.
    Updated,
}

impl Registry {
    /// Makes `id` an agent, or changes its type or goal if it is one. A new
    /// agent's type defaults to [`DEFAULT_AGENT_TYPE`] and its goal to empty;
    /// for an existing agent, `None` leaves a field as it is.
    pub fn set_agent(
        &mut self,
        id: SessionId,
        agent_type: Option<&str>,
        goal: Option<&str>,
        now: i64,
    ) -> Result<SetAgentOutcome, AgentError> {
        if let Some(agent_type) = agent_type {
            validate::agent_type(agent_type)?;
        }
        if let Some(goal) = goal {
            validate::goal(goal)?;
        }
        match self.agents.get_mut(&id) {
            Some(agent) => {
                if let Some(agent_type) = agent_type {
                    agent.agent_type = agent_type.to_owned();
                }
                if let Some(goal) = goal {
                    agent.goal = goal.to_owned();
                }
                Ok(SetAgentOutcome::Updated)
            }
            None => {
                let agent = Agent::new(
                    agent_type.unwrap_or(DEFAULT_AGENT_TYPE),
                    goal.unwrap_or(""),
                    now,
                );
                self.agents.insert(id, agent);
                Ok(SetAgentOutcome::Created)
            }
        }
    }

    /// Removes `id`'s agent metadata, leaving its group first; returns what
    /// leaving did if it was in a group.
    #[must_use = "leaving the group has events to deliver"]
    pub fn unset_agent(
        &mut self,
        id: SessionId,
        now: i64,
    ) -> Result<Option<LeaveOutcome>, AgentError> {
        if !self.agents.contains_key(&id) {
            return Err(AgentError::NoMetadata(id));
        }
        let left = self.detach(id, now);
        self.remove_agent(id);
        Ok(left)
    }

    /// The session is gone, by whatever path: it leaves its group as with
    /// [`Registry::leave`] and its metadata is removed. Returns what leaving
    /// did, if it was in a group; does nothing for a session that is not an
    /// agent.
    #[must_use = "leaving the group has events to deliver"]
    pub fn session_destroyed(&mut self, id: SessionId, now: i64) -> Option<LeaveOutcome> {
        let left = self.detach(id, now);
        self.remove_agent(id);
        left
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::agent::{Field, Invalid, Limit};

    // set_agent / unset_agent

    #[test]
    fn set_agent_creates_with_defaults() {
        let mut r = Registry::new();
        assert_eq!(
            r.set_agent(SessionId(1), None, None, T),
            Ok(SetAgentOutcome::Created)
        );
        let a = r.agent(SessionId(1)).unwrap();
        assert_eq!(a.agent_type, "custom");
        assert_eq!(a.goal, "");
        assert_eq!(a.created, T);
        assert_eq!(a.group, None);
        assert_eq!(r.agent_count(), 1);
    }

    #[test]
    fn set_agent_creates_with_given_fields() {
        let mut r = Registry::new();
        r.set_agent(SessionId(4), Some("claude"), Some("fix\tthe\nbuild"), T)
            .unwrap();
        let a = r.agent(SessionId(4)).unwrap();
        assert_eq!(
            (a.agent_type.as_str(), a.goal.as_str()),
            ("claude", "fix\tthe\nbuild")
        );
    }

    #[test]
    fn set_agent_updates_only_given_fields() {
        let mut r = Registry::new();
        r.set_agent(SessionId(1), Some("codex"), Some("one"), T)
            .unwrap();
        assert_eq!(
            r.set_agent(SessionId(1), None, Some("two"), T + 5),
            Ok(SetAgentOutcome::Updated)
        );
        let a = r.agent(SessionId(1)).unwrap();
        assert_eq!((a.agent_type.as_str(), a.goal.as_str()), ("codex", "two"));
        assert_eq!(a.created, T);
        r.set_agent(SessionId(1), Some("aider"), None, T + 6)
            .unwrap();
        let a = r.agent(SessionId(1)).unwrap();
        assert_eq!((a.agent_type.as_str(), a.goal.as_str()), ("aider", "two"));
        r.set_agent(SessionId(1), None, Some(""), T + 6).unwrap();
        assert_eq!(r.agent(SessionId(1)).unwrap().goal, "");
    }

    #[test]
    fn set_agent_keeps_the_group() {
        let mut r = with_group("g", &[SessionId(1)]);
        r.set_agent(SessionId(1), Some("x"), Some("y"), T).unwrap();
        assert_eq!(r.agent(SessionId(1)).unwrap().group.as_deref(), Some("g"));
    }

    #[test]
    fn set_agent_errors_change_nothing() {
        let mut r = Registry::new();
        r.set_agent(SessionId(1), Some("codex"), Some("old"), T)
            .unwrap();
        let bad_type = Invalid::Name {
            field: Field::AgentType,
            name: "a b".into(),
        };
        fails(&r, bad_type.clone().into(), |r| {
            r.set_agent(SessionId(1), Some("a b"), Some("new"), T)
        });
        fails(&r, bad_type.into(), |r| {
            r.set_agent(SessionId(2), Some("a b"), None, T)
        });
        fails(&r, Invalid::Control { field: Field::Goal }.into(), |r| {
            r.set_agent(SessionId(1), Some("ok"), Some("bell\u{7}"), T)
        });
        fails(
            &r,
            Limit::TooLong {
                field: Field::Goal,
                len: 1025,
                max: 1024,
            }
            .into(),
            |r| r.set_agent(SessionId(1), None, Some(&"g".repeat(1025)), T),
        );
        r.set_agent(
            SessionId(1),
            Some(&"t".repeat(32)),
            Some(&"g".repeat(1024)),
            T,
        )
        .unwrap();
    }

    #[test]
    fn unset_agent_removes_metadata() {
        let mut r = Registry::new();
        r.set_agent(SessionId(1), None, None, T).unwrap();
        assert_eq!(r.unset_agent(SessionId(1), T), Ok(None));
        assert_eq!(r.agent(SessionId(1)), None);
        assert_eq!(r.agent_count(), 0);
        fails(&r, AgentError::NoMetadata(SessionId(1)), |r| {
            r.unset_agent(SessionId(1), T)
        });
    }

    #[test]
    fn unset_agent_leaves_its_group_first() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2)]);
        let left = r.unset_agent(SessionId(1), T + 10).unwrap().unwrap();
        assert_eq!(left.group, "g");
        assert_eq!(left.removed_from, 1);
        assert_eq!(left.new_coordinator, Some(SessionId(2)));
        assert!(!left.dissolved);
        assert_eq!(members(&r, "g"), [SessionId(2)]);
        assert_eq!(r.agent(SessionId(1)), None);
    }

    // session_destroyed

    #[test]
    fn destroyed_session_is_the_same_as_leave_then_unset() {
        let (one, two, five) = (SessionId(1), SessionId(2), SessionId(5));
        let (all, alone) = ([one, two, SessionId(3)], [five]);
        for (ids, gone) in [(&all[..], 1), (&all[..], 2), (&alone[..], 5)] {
            let mut r = with_group("g", ids);
            let _ = r.share(SessionId(gone), "k", text("v"), T).unwrap();
            let mut by_leave = r.clone();
            let left = by_leave.leave(SessionId(gone), T + 3).unwrap();
            by_leave.agents.remove(&SessionId(gone));

            let out = r.session_destroyed(SessionId(gone), T + 3);
            assert_eq!(out, Some(left));
            assert_eq!(r, by_leave);
            assert_eq!(r.agent(SessionId(gone)), None);
        }
    }

    #[test]
    fn destroyed_agent_without_group_loses_metadata() {
        let mut r = Registry::new();
        r.set_agent(SessionId(1), None, None, T).unwrap();
        assert_eq!(r.session_destroyed(SessionId(1), T), None);
        assert_eq!(r.agent_count(), 0);
    }

    #[test]
    fn destroying_unknown_sessions_does_nothing() {
        let mut r = with_group("g", &[SessionId(1)]);
        let before = r.clone();
        for id in [SessionId(0), SessionId(2), SessionId(u32::MAX)] {
            assert_eq!(r.session_destroyed(id, T), None);
        }
        assert_eq!(r, before);
    }
}
