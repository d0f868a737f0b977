//! Messages between agents: [`Registry::send`] delivers to one session or
//! to a whole group, [`Registry::inbox`] and [`Registry::consume`] read a
//! session's unread messages.

use crate::agent::error::AgentError;
use crate::agent::event::Event;
use crate::agent::inbox::{Gone, Inbox, InboxLimits, Message, MAX_INBOX_BYTES, MIN_INBOX_BYTES};
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
    /// Numbers of the unread messages of this inbox dropped to keep it
    /// within its own limits.
    pub dropped: Vec<u64>,
}

/// What [`Registry::send`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "its events must be delivered"]
pub struct SendOutcome {
    /// Every inbox that received the message, in member order for a group.
    pub delivered: Vec<Delivery>,
    /// One `Message` per delivery.
    pub events: Vec<Event>,
    /// The unread messages dropped to keep all inboxes within the
    /// server-wide byte bound, oldest first: (inbox, number). A group send
    /// may drop a copy it delivered to an earlier member.
    pub server_dropped: Vec<(SessionId, u64)>,
}

impl Registry {
    /// Delivers a message from `from` (named `from_name` at the time) to one
    /// agent session or to every other member of a group. `limits(id)` are
    /// the bounds of session `id`'s inbox and
    /// [`Registry::set_inbox_total_bytes`] bounds the text of all inboxes
    /// together. For each receiver in turn: its own oldest messages
    /// are dropped while it is at its count or the text would take it past
    /// its bytes; then the server's oldest unread messages, whichever inbox
    /// holds them, while the text would take all inboxes past
    /// `total_bytes`. Every drop is counted in its inbox. Checks everything
    /// first: an invalid text, a receiver without agent metadata, an unknown
    /// group or a group with no one else in it delivers nothing.
    pub fn send(
        &mut self,
        from: Option<SessionId>,
        from_name: &str,
        to: SendTo<'_>,
        text: &str,
        now: i64,
        limits: impl Fn(SessionId) -> InboxLimits,
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
        let total_bytes = self.inbox_total_limit;
        let mut delivered = Vec::with_capacity(receivers.len());
        let mut events = Vec::with_capacity(receivers.len());
        let mut server_dropped = Vec::new();
        for to in receivers {
            let Some(agent) = self.agents.get_mut(&to) else {
                continue;
            };
            // Its own bounds first: push drops from this inbox only, and
            // only when the message would not fit in it; the push itself
            // waits until the server-wide bound has made room.
            let own = limits(to);
            let own = InboxLimits::new(own.count, own.bytes);
            let mut dropped_own = Vec::new();
            while agent.inbox.unread_count() >= own.count
                || (agent.inbox.unread_count() > 0 && agent.inbox.bytes() + text.len() > own.bytes)
            {
                let Some(g) = agent.inbox.drop_oldest() else {
                    break;
                };
                dropped_own.push(g);
            }
            for g in &dropped_own {
                self.forget_message(g);
            }
            while self.inbox_bytes + text.len() > total_bytes {
                let Some((&stamp, &owner)) = self.by_age.first_key_value() else {
                    break;
                };
                let g = self.agents.get_mut(&owner).and_then(|a| {
                    // An inbox's messages are stamped in order, so the
                    // server's oldest is the oldest of its inbox.
                    debug_assert_eq!(a.inbox.oldest_stamp(), Some(stamp));
                    a.inbox.drop_oldest()
                });
                match g {
                    Some(g) => {
                        self.forget_message(&g);
                        server_dropped.push((owner, g.seq));
                    }
                    // An index entry without its message: never happens;
                    // forget it rather than loop.
                    None => {
                        self.by_age.pop_first();
                    }
                }
            }
            let stamp = self.next_stamp;
            self.next_stamp += 1;
            let Some(agent) = self.agents.get_mut(&to) else {
                continue;
            };
            let (seq, more) = agent.inbox.push(from, from_name, text, now, own, stamp);
            debug_assert!(more.is_empty(), "room was made before the push");
            self.by_age.insert(stamp, to);
            self.inbox_bytes += text.len();
            for g in &more {
                self.forget_message(g);
            }
            dropped_own.extend(more);
            delivered.push(Delivery {
                to,
                seq,
                dropped: dropped_own.iter().map(|g| g.seq).collect(),
            });
            events.push(Event::Message {
                to,
                from,
                from_name: from_name.to_owned(),
                seq,
            });
        }
        Ok(SendOutcome {
            delivered,
            events,
            server_dropped,
        })
    }

    /// Sets the bound on the text of all inboxes together, clamped to
    /// [`MIN_INBOX_BYTES`]..=[`MAX_INBOX_BYTES`] (default
    /// [`crate::agent::inbox::DEFAULT_INBOX_TOTAL_BYTES`]); it applies from the next delivery.
    pub fn set_inbox_total_bytes(&mut self, bytes: usize) {
        self.inbox_total_limit = bytes.clamp(MIN_INBOX_BYTES, MAX_INBOX_BYTES);
    }

    /// The bound on the text of all inboxes together.
    pub fn inbox_total_bytes_limit(&self) -> usize {
        self.inbox_total_limit
    }

    /// A message left an inbox: out of the server-wide accounting.
    fn forget_message(&mut self, g: &Gone) {
        self.by_age.remove(&g.stamp);
        self.inbox_bytes -= g.bytes;
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
        let (taken, stamps) = self
            .agents
            .get_mut(&id)
            .map(|a| a.inbox.consume(count))
            .ok_or(AgentError::NoMetadata(id))?;
        for stamp in stamps {
            self.by_age.remove(&stamp);
        }
        self.inbox_bytes -= taken.iter().map(|m| m.text.len()).sum::<usize>();
        self.restart_stamps();
        Ok(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_message_and_its_event_keep_the_sender_s_name_at_send_time() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2)]);
        let out = r
            .send(
                Some(SessionId(1)),
                "alice",
                SendTo::Session(SessionId(2)),
                "hi",
                T,
                |_| InboxLimits::count(10),
            )
            .unwrap();
        assert_eq!(
            out.events,
            [Event::Message {
                to: SessionId(2),
                from: Some(SessionId(1)),
                from_name: "alice".into(),
                seq: 1
            }]
        );
        let m = r.inbox(SessionId(2)).unwrap().oldest().unwrap();
        assert_eq!(
            (m.from, m.from_name.as_str()),
            (Some(SessionId(1)), "alice")
        );
    }

    fn send(r: &mut Registry, to: SendTo<'_>, text: &str, total: usize) -> SendOutcome {
        r.set_inbox_total_bytes(total);
        let out = r
            .send(None, "", to, text, T, |_| InboxLimits::default())
            .unwrap();
        r.assert_inbox_accounting();
        out
    }

    #[test]
    fn the_server_wide_bound_drops_the_server_s_oldest_first() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2), SessionId(3)]);
        let k = "k".repeat(30_000);
        let total = MIN_INBOX_BYTES;
        let _ = send(&mut r, SendTo::Session(SessionId(1)), &k, total);
        let _ = send(&mut r, SendTo::Session(SessionId(2)), &k, total);
        assert_eq!(r.inbox_bytes(), 60_000);
        let out = send(&mut r, SendTo::Session(SessionId(3)), &k, total);
        assert_eq!(out.server_dropped, [(SessionId(1), 1)]);
        assert_eq!(out.delivered[0].dropped, Vec::<u64>::new());
        assert_eq!(r.inbox(SessionId(1)).unwrap().dropped(), 1);
        assert_eq!(r.inbox(SessionId(1)).unwrap().unread_count(), 0);
        assert_eq!(r.inbox_bytes(), 60_000);
        // Consuming and leaving free their bytes.
        r.consume(SessionId(2), None).unwrap();
        assert_eq!(r.inbox_bytes(), 30_000);
        let _ = r.session_destroyed(SessionId(3), T);
        assert_eq!(r.inbox_bytes(), 0);
        r.assert_inbox_accounting();
    }

    #[test]
    fn a_group_send_stays_within_the_server_wide_bound() {
        let ids: Vec<SessionId> = (1..=10).map(SessionId).collect();
        let mut r = with_group("g", &ids);
        let k = "k".repeat(30_000);
        let out = send(&mut r, SendTo::Group("g"), &k, MIN_INBOX_BYTES);
        assert_eq!(out.delivered.len(), 10);
        // Two copies fit; each later copy pushes out the oldest copy.
        assert_eq!(
            out.server_dropped,
            [
                (SessionId(1), 1),
                (SessionId(2), 1),
                (SessionId(3), 1),
                (SessionId(4), 1),
                (SessionId(5), 1),
                (SessionId(6), 1),
                (SessionId(7), 1),
                (SessionId(8), 1)
            ]
        );
        assert!(r.inbox_bytes() <= MIN_INBOX_BYTES);
        let unread: Vec<usize> = ids
            .iter()
            .map(|&i| r.inbox(i).unwrap().unread_count())
            .collect();
        assert_eq!(unread, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    }

    #[test]
    fn the_per_inbox_byte_bound_drops_that_inbox_s_oldest() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2)]);
        let k = "k".repeat(30_000);
        let limits = |_| InboxLimits::new(1000, MIN_INBOX_BYTES);
        for _ in 0..2 {
            let _ = r
                .send(None, "", SendTo::Session(SessionId(1)), &k, T, limits)
                .unwrap();
        }
        let out = r
            .send(None, "", SendTo::Session(SessionId(1)), &k, T, limits)
            .unwrap();
        assert_eq!(out.delivered[0].dropped, [1]);
        assert!(out.server_dropped.is_empty());
        assert_eq!(r.inbox(SessionId(1)).unwrap().bytes(), 60_000);
        r.assert_inbox_accounting();
    }
}
