//! Messages between agents: [`Registry::send`] delivers to one session or
//! to a whole group, [`Registry::inbox`] and [`Registry::consume`] read a
//! session's unread messages.

use crate::agent::error::AgentError;
use crate::agent::event::Event;
use crate::agent::inbox::{Inbox, Message};
use crate::agent::validate;
use crate::agent::SessionId;

use super::Registry;

/// Where [`Registry::send`] delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendTo<'a> {
    /// One agent session's inbox.
    Session(SessionId),
    /// Every member of the group but the sender.
    Group(&'a str),
}

/// One inbox a message went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The receiving session.
    pub to: SessionId,
    /// The message's number in that inbox.
    pub seq: u64,
    /// Numbers of the unread messages dropped to make room.
    pub dropped: Vec<u64>,
}

/// What [`Registry::send`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    /// Every inbox that received the message, in member order for a group.
    pub delivered: Vec<Delivery>,
    /// One `Message` per delivery.
    pub events: Vec<Event>,
}

impl Registry {
    /// Delivers a message from `from` (named `from_name` at the time) to one
    /// agent session or to every other member of a group. `limit(id)` is the
    /// inbox limit of session `id`. Checks everything first: an invalid text,
    /// a receiver without agent metadata, an unknown group or a group with no
    /// one else in it delivers nothing.
    pub fn send(
        &mut self,
        from: Option<SessionId>,
        from_name: &str,
        to: SendTo<'_>,
        text: &str,
        now: i64,
        limit: impl Fn(SessionId) -> usize,
    ) -> Result<SendOutcome, AgentError> {
        validate::message(text)?;
        let receivers: Vec<SessionId> = match to {
            SendTo::Session(id) => {
                if !self.agents.contains_key(&id) {
                    return Err(AgentError::NoMetadata(id));
                }
                vec![id]
            }
            SendTo::Group(name) => {
                let g = self.find_group(name)?;
                let r: Vec<SessionId> = g.members().filter(|&m| Some(m) != from).collect();
                if r.is_empty() {
                    return Err(AgentError::NoRecipients(name.to_owned()));
                }
                r
            }
        };
        let mut delivered = Vec::with_capacity(receivers.len());
        let mut events = Vec::with_capacity(receivers.len());
        for to in receivers {
            let Some(agent) = self.agents.get_mut(&to) else {
                continue;
            };
            let (seq, dropped) = agent.inbox.push(from, from_name, text, now, limit(to));
            delivered.push(Delivery { to, seq, dropped });
            events.push(Event::Message {
                to,
                from,
                from_name: from_name.to_owned(),
                seq,
            });
        }
        Ok(SendOutcome { delivered, events })
    }

    /// The inbox of agent session `id`.
    pub fn inbox(&self, id: SessionId) -> Result<&Inbox, AgentError> {
        self.agents
            .get(&id)
            .map(|a| &a.inbox)
            .ok_or(AgentError::NoMetadata(id))
    }

    /// Marks the `count` oldest unread messages of `id` (all with `None`)
    /// read and returns them. Each message is returned by one call only.
    pub fn consume(
        &mut self,
        id: SessionId,
        count: Option<usize>,
    ) -> Result<Vec<Message>, AgentError> {
        self.agents
            .get_mut(&id)
            .map(|a| a.inbox.consume(count))
            .ok_or(AgentError::NoMetadata(id))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_message_and_its_event_keep_the_sender_s_name_at_send_time() {
        let mut r = with_group("g", &[1, 2]);
        let out = r
            .send(Some(1), "alice", SendTo::Session(2), "hi", T, |_| 10)
            .unwrap();
        assert_eq!(
            out.events,
            [Event::Message {
                to: 2,
                from: Some(1),
                from_name: "alice".into(),
                seq: 1
            }]
        );
        let m = r.inbox(2).unwrap().oldest().unwrap();
        assert_eq!((m.from, m.from_name.as_str()), (Some(1), "alice"));
    }
}
