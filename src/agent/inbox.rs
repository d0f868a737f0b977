//! Inboxes: the messages waiting for one agent session (`agent-send`,
//! `agent-inbox`, `agent-wait -m`).
//!
//! An inbox holds only unread messages, oldest first. Each message gets the
//! inbox's next sequence number (1, 2, ...), so numbers only increase and a
//! reader can tell what it has seen. The inbox is bounded: when a message
//! arrives at a full inbox, the oldest unread message is dropped and counted.
//! Nothing leaves an inbox unaccounted: at every moment
//! `delivered == consumed + dropped + unread`.

use std::collections::VecDeque;

use super::SessionId;

/// How many unread messages an inbox holds unless `@agent-inbox-limit` says
/// otherwise.
pub const DEFAULT_INBOX_LIMIT: usize = 1000;

/// The largest inbox limit that can be set.
pub const MAX_INBOX_LIMIT: usize = 100_000;

/// One message in an inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its number in this inbox, from 1.
    pub seq: u64,
    /// The sending session, if the message was sent from one.
    pub from: Option<SessionId>,
    /// The sender's name when it sent the message (shown if it is gone).
    pub from_name: String,
    /// When it was delivered (unix seconds).
    pub time: i64,
    /// The text: UTF-8, tab and newline allowed, no other control character.
    pub text: String,
}

/// The unread messages of one agent session, and its counters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inbox {
    unread: VecDeque<Message>,
    /// The last sequence number given; also how many were delivered.
    last_seq: u64,
    consumed: u64,
    dropped: u64,
    bytes: usize,
}

impl Inbox {
    /// Adds a message, numbered with the next sequence number. If the inbox
    /// already holds `limit` (at least 1) messages, the oldest are dropped
    /// first; returns the new number and the numbers of those dropped.
    pub(crate) fn push(
        &mut self,
        from: Option<SessionId>,
        from_name: &str,
        text: &str,
        now: i64,
        limit: usize,
    ) -> (u64, Vec<u64>) {
        let limit = limit.clamp(1, MAX_INBOX_LIMIT);
        let mut dropped = Vec::new();
        while self.unread.len() >= limit {
            if let Some(m) = self.unread.pop_front() {
                self.bytes -= m.text.len();
                self.dropped += 1;
                dropped.push(m.seq);
            }
        }
        self.last_seq += 1;
        self.bytes += text.len();
        self.unread.push_back(Message {
            seq: self.last_seq,
            from,
            from_name: from_name.to_owned(),
            time: now,
            text: text.to_owned(),
        });
        (self.last_seq, dropped)
    }

    /// The unread messages, oldest first.
    pub fn unread(&self) -> impl ExactSizeIterator<Item = &Message> + DoubleEndedIterator + '_ {
        self.unread.iter()
    }

    /// The oldest unread message.
    pub fn oldest(&self) -> Option<&Message> {
        self.unread.front()
    }

    /// Removes and returns the `count` oldest unread messages (all with
    /// `None`): they are read.
    pub(crate) fn consume(&mut self, count: Option<usize>) -> Vec<Message> {
        let n = count.unwrap_or(usize::MAX).min(self.unread.len());
        let taken: Vec<Message> = self.unread.drain(..n).collect();
        for m in &taken {
            self.bytes -= m.text.len();
        }
        self.consumed += taken.len() as u64;
        taken
    }

    /// How many messages are unread.
    pub fn unread_count(&self) -> usize {
        self.unread.len()
    }

    /// How many messages were ever delivered (the last sequence number).
    pub fn delivered(&self) -> u64 {
        self.last_seq
    }

    /// How many messages were consumed (read with `-c`).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// How many unread messages were dropped because the inbox was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The bytes of text held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seqs(i: &Inbox) -> Vec<u64> {
        i.unread().map(|m| m.seq).collect()
    }

    fn balanced(i: &Inbox) -> bool {
        i.delivered() == i.consumed() + i.dropped() + i.unread_count() as u64
    }

    #[test]
    fn numbers_increase_and_order_is_oldest_first() {
        let mut i = Inbox::default();
        assert_eq!(i.push(Some(SessionId(1)), "a", "one", 10, 5), (1, vec![]));
        assert_eq!(i.push(None, "", "two", 11, 5), (2, vec![]));
        assert_eq!(seqs(&i), vec![1, 2]);
        assert_eq!(i.oldest().unwrap().text, "one");
        assert_eq!(i.bytes(), 6);
        assert!(balanced(&i));
    }

    #[test]
    fn full_inbox_drops_the_oldest_and_counts_it() {
        let mut i = Inbox::default();
        for n in 0..3 {
            i.push(Some(SessionId(1)), "a", &n.to_string(), 0, 3);
        }
        assert_eq!(i.push(Some(SessionId(1)), "a", "x", 0, 3), (4, vec![1]));
        assert_eq!(seqs(&i), vec![2, 3, 4]);
        assert_eq!(i.dropped(), 1);
        // A lower limit drops down to it at the next delivery.
        assert_eq!(
            i.push(Some(SessionId(1)), "a", "y", 0, 1),
            (5, vec![2, 3, 4])
        );
        assert_eq!(seqs(&i), vec![5]);
        assert_eq!(i.dropped(), 4);
        assert_eq!(i.bytes(), 1);
        assert!(balanced(&i));
    }

    #[test]
    fn consume_takes_the_oldest_once() {
        let mut i = Inbox::default();
        for t in ["a", "b", "c"] {
            i.push(None, "", t, 0, 10);
        }
        let first: Vec<u64> = i.consume(Some(2)).iter().map(|m| m.seq).collect();
        assert_eq!(first, vec![1, 2]);
        let rest: Vec<u64> = i.consume(None).iter().map(|m| m.seq).collect();
        assert_eq!(rest, vec![3]);
        assert!(i.consume(None).is_empty());
        assert_eq!((i.consumed(), i.unread_count(), i.bytes()), (3, 0, 0));
        assert!(balanced(&i));
    }

    #[test]
    fn zero_limit_still_keeps_the_newest() {
        let mut i = Inbox::default();
        i.push(None, "", "a", 0, 0);
        assert_eq!(i.push(None, "", "b", 0, 0), (2, vec![1]));
        assert_eq!(seqs(&i), vec![2]);
    }
}
