//! Inboxes: the messages waiting for one agent session (`agent-send`,
//! `agent-inbox`, `agent-wait -m`).
//!
//! An inbox holds only unread messages, oldest first. Each message gets the
//! inbox's next sequence number (1, 2, ...), so numbers only increase and a
//! reader can tell what it has seen. The inbox is bounded in messages and in
//! bytes of text ([`InboxLimits`]): when a message arrives at a full inbox,
//! the oldest unread messages are dropped and counted. The registry also
//! bounds the bytes of all inboxes together, dropping the server's oldest
//! unread messages first ([`crate::agent::Registry::send`]); for that each
//! message carries a server-wide stamp, increasing in delivery order.
//! Nothing leaves an inbox unaccounted: at every moment
//! `delivered == consumed + dropped + unread`.

use std::collections::VecDeque;

use super::SessionId;

/// How many unread messages an inbox holds unless `@agent-inbox-limit` says
/// otherwise.
pub const DEFAULT_INBOX_LIMIT: usize = 1000;

/// The largest inbox limit that can be set.
pub const MAX_INBOX_LIMIT: usize = 100_000;

/// How many bytes of text an inbox holds unless `@agent-inbox-bytes` says
/// otherwise (4 MiB).
pub const DEFAULT_INBOX_BYTES: usize = 4 << 20;

/// How many bytes of text all inboxes of a server hold together unless
/// `@agent-inbox-total-bytes` says otherwise (64 MiB).
pub const DEFAULT_INBOX_TOTAL_BYTES: usize = 64 << 20;

/// The smallest byte bound that can be set, per inbox or in total: the
/// largest message, so any message fits in an empty inbox.
pub const MIN_INBOX_BYTES: usize = super::validate::MAX_MESSAGE_BYTES;

/// The largest byte bound that can be set, per inbox or in total (1 GiB).
pub const MAX_INBOX_BYTES: usize = 1 << 30;

/// The bounds of one inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxLimits {
    /// Unread messages, 1 to [`MAX_INBOX_LIMIT`].
    pub count: usize,
    /// Bytes of unread text, [`MIN_INBOX_BYTES`] to [`MAX_INBOX_BYTES`].
    pub bytes: usize,
}

impl InboxLimits {
    /// Limits clamped to their ranges.
    pub fn new(count: usize, bytes: usize) -> InboxLimits {
        InboxLimits {
            count: count.clamp(1, MAX_INBOX_LIMIT),
            bytes: bytes.clamp(MIN_INBOX_BYTES, MAX_INBOX_BYTES),
        }
    }

    /// A count limit with the default byte bound.
    pub fn count(count: usize) -> InboxLimits {
        InboxLimits::new(count, DEFAULT_INBOX_BYTES)
    }
}

impl Default for InboxLimits {
    fn default() -> InboxLimits {
        InboxLimits::new(DEFAULT_INBOX_LIMIT, DEFAULT_INBOX_BYTES)
    }
}

/// A message that left an inbox unread (dropped) or read (consumed), with
/// what the registry's server-wide accounting needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gone {
    pub seq: u64,
    pub stamp: u64,
    pub bytes: usize,
}

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
    /// The server-wide stamp of each unread message, in the same order.
    stamps: VecDeque<u64>,
    /// The last sequence number given; also how many were delivered.
    last_seq: u64,
    consumed: u64,
    dropped: u64,
    bytes: usize,
}

impl Inbox {
    /// Adds a message, numbered with the next sequence number and carrying
    /// the server-wide `stamp`. If the inbox already holds `limits.count`
    /// messages, or the text would take it past `limits.bytes`, the oldest
    /// are dropped first; returns the new number and those dropped.
    pub(crate) fn push(
        &mut self,
        from: Option<SessionId>,
        from_name: &str,
        text: &str,
        now: i64,
        limits: InboxLimits,
        stamp: u64,
    ) -> (u64, Vec<Gone>) {
        let limits = InboxLimits::new(limits.count, limits.bytes);
        let mut dropped = Vec::new();
        while self.unread.len() >= limits.count
            || (!self.unread.is_empty() && self.bytes + text.len() > limits.bytes)
        {
            match self.drop_oldest() {
                Some(g) => dropped.push(g),
                None => break,
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
        self.stamps.push_back(stamp);
        (self.last_seq, dropped)
    }

    /// Drops the oldest unread message, counted as dropped.
    pub(crate) fn drop_oldest(&mut self) -> Option<Gone> {
        let m = self.unread.pop_front()?;
        let stamp = self.stamps.pop_front().unwrap_or_default();
        self.bytes -= m.text.len();
        self.dropped += 1;
        Some(Gone {
            seq: m.seq,
            stamp,
            bytes: m.text.len(),
        })
    }

    /// An empty inbox with saved counters ([`crate::agent::saved`]).
    pub(crate) fn restored(last_seq: u64, consumed: u64, dropped: u64) -> Inbox {
        Inbox {
            last_seq,
            consumed,
            dropped,
            ..Inbox::default()
        }
    }

    /// Puts a saved unread message back as the newest, with a new server
    /// stamp; the counters grow to cover its number.
    pub(crate) fn restore_message(&mut self, m: Message, stamp: u64) {
        self.last_seq = self.last_seq.max(m.seq);
        self.bytes += m.text.len();
        self.unread.push_back(m);
        self.stamps.push_back(stamp);
    }

    /// The stamp of the oldest unread message.
    pub(crate) fn oldest_stamp(&self) -> Option<u64> {
        self.stamps.front().copied()
    }

    /// The stamps of all unread messages.
    pub(crate) fn stamps(&self) -> impl Iterator<Item = u64> + '_ {
        self.stamps.iter().copied()
    }

    /// The unread messages, oldest first.
    pub fn unread(&self) -> impl ExactSizeIterator<Item = &Message> + DoubleEndedIterator + '_ {
        self.unread.iter()
    }

    /// The unread messages numbered above `seq`, oldest first.
    pub fn unread_after(&self, seq: u64) -> impl ExactSizeIterator<Item = &Message> + '_ {
        let from = self.unread.partition_point(|m| m.seq <= seq);
        self.unread.range(from..)
    }

    /// The oldest unread message.
    pub fn oldest(&self) -> Option<&Message> {
        self.unread.front()
    }

    /// Removes and returns the `count` oldest unread messages (all with
    /// `None`), with their stamps: they are read.
    pub(crate) fn consume(&mut self, count: Option<usize>) -> (Vec<Message>, Vec<u64>) {
        let n = count.unwrap_or(usize::MAX).min(self.unread.len());
        let taken: Vec<Message> = self.unread.drain(..n).collect();
        let stamps: Vec<u64> = self.stamps.drain(..n).collect();
        for m in &taken {
            self.bytes -= m.text.len();
        }
        self.consumed += taken.len() as u64;
        (taken, stamps)
    }

    /// A copy with the counters and only the messages numbered above `seq`
    /// (all of them for 0): what a copy kept elsewhere, up to date until
    /// `seq`, needs to catch up ([`Inbox::catch_up`]).
    pub fn newer_than(&self, seq: u64) -> Inbox {
        let from = self.unread.partition_point(|m| m.seq <= seq);
        let unread: VecDeque<Message> = self.unread.range(from..).cloned().collect();
        Inbox {
            bytes: unread.iter().map(|m| m.text.len()).sum(),
            stamps: self.stamps.range(from..).copied().collect(),
            unread,
            last_seq: self.last_seq,
            consumed: self.consumed,
            dropped: self.dropped,
        }
    }

    /// This copy of an inbox catches up with it, given its newer part
    /// ([`Inbox::newer_than`] of the last number this copy has) and the
    /// number of its oldest unread message (`None`: it has none): messages
    /// read or dropped since go (older than `oldest`), the new ones come,
    /// the counters are the inbox's. Returns the messages that went, as an
    /// inbox with the same counters. Messages only ever leave an inbox
    /// oldest first and arrive newest last, which is what makes this exact.
    pub fn catch_up(&mut self, newer: Inbox, oldest: Option<u64>) -> Inbox {
        let keep_from = oldest.unwrap_or(u64::MAX);
        let n = self.unread.partition_point(|m| m.seq < keep_from);
        let gone: VecDeque<Message> = self.unread.drain(..n).collect();
        let gone_stamps: VecDeque<u64> = self.stamps.drain(..n.min(self.stamps.len())).collect();
        let last = self.unread.back().map_or(0, |m| m.seq);
        for (m, s) in newer.unread.into_iter().zip(newer.stamps) {
            if m.seq > last {
                self.unread.push_back(m);
                self.stamps.push_back(s);
            }
        }
        self.last_seq = newer.last_seq;
        self.consumed = newer.consumed;
        self.dropped = newer.dropped;
        self.bytes = self.unread.iter().map(|m| m.text.len()).sum();
        Inbox {
            bytes: gone.iter().map(|m| m.text.len()).sum(),
            unread: gone,
            stamps: gone_stamps,
            last_seq: self.last_seq,
            consumed: self.consumed,
            dropped: self.dropped,
        }
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

    /// push, with the numbers of the dropped messages.
    fn push(
        i: &mut Inbox,
        from: Option<SessionId>,
        name: &str,
        text: &str,
        now: i64,
        limits: InboxLimits,
        stamp: u64,
    ) -> (u64, Vec<u64>) {
        let (seq, d) = i.push(from, name, text, now, limits, stamp);
        (seq, d.into_iter().map(|g| g.seq).collect())
    }

    fn seqs(i: &Inbox) -> Vec<u64> {
        i.unread().map(|m| m.seq).collect()
    }

    fn balanced(i: &Inbox) -> bool {
        i.delivered() == i.consumed() + i.dropped() + i.unread_count() as u64
    }

    #[test]
    fn a_copy_catches_up_with_the_newer_part_alone() {
        let mut live = Inbox::default();
        let l = InboxLimits::count(4);
        for n in 0..3 {
            live.push(None, "", &format!("m{n}"), 0, l, n);
        }
        let mut copy = live.newer_than(0);
        assert_eq!(copy, live);
        let seen = live.delivered();
        // Two read, three more arrive, one of them dropping the oldest.
        live.consume(Some(2));
        for n in 3..7 {
            live.push(None, "", &format!("m{n}"), 0, l, n);
        }
        let newer = live.newer_than(seen);
        assert_eq!(newer.unread_count(), 4, "only the new ones travel");
        let gone = copy.catch_up(newer, live.oldest().map(|m| m.seq));
        assert_eq!(copy, live);
        assert_eq!(seqs(&gone), vec![1, 2, 3]);
        // Everything read: the copy empties.
        let seen = live.delivered();
        live.consume(None);
        let gone = copy.catch_up(live.newer_than(seen), None);
        assert_eq!(copy, live);
        assert_eq!(seqs(&gone), vec![4, 5, 6, 7]);
        assert!(balanced(&copy));
    }

    #[test]
    fn numbers_increase_and_order_is_oldest_first() {
        let mut i = Inbox::default();
        assert_eq!(
            push(
                &mut i,
                Some(SessionId(1)),
                "a",
                "one",
                10,
                InboxLimits::count(5),
                0
            ),
            (1, vec![])
        );
        assert_eq!(
            push(&mut i, None, "", "two", 11, InboxLimits::count(5), 0),
            (2, vec![])
        );
        assert_eq!(seqs(&i), vec![1, 2]);
        assert_eq!(i.oldest().unwrap().text, "one");
        assert_eq!(i.bytes(), 6);
        assert!(balanced(&i));
    }

    #[test]
    fn full_inbox_drops_the_oldest_and_counts_it() {
        let mut i = Inbox::default();
        for n in 0..3 {
            i.push(
                Some(SessionId(1)),
                "a",
                &n.to_string(),
                0,
                InboxLimits::count(3),
                0,
            );
        }
        assert_eq!(
            push(
                &mut i,
                Some(SessionId(1)),
                "a",
                "x",
                0,
                InboxLimits::count(3),
                0
            ),
            (4, vec![1])
        );
        assert_eq!(seqs(&i), vec![2, 3, 4]);
        assert_eq!(i.dropped(), 1);
        // A lower limit drops down to it at the next delivery.
        assert_eq!(
            push(
                &mut i,
                Some(SessionId(1)),
                "a",
                "y",
                0,
                InboxLimits::count(1),
                0
            ),
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
            i.push(None, "", t, 0, InboxLimits::count(10), 0);
        }
        let first: Vec<u64> = i.consume(Some(2)).0.iter().map(|m| m.seq).collect();
        assert_eq!(first, vec![1, 2]);
        let rest: Vec<u64> = i.consume(None).0.iter().map(|m| m.seq).collect();
        assert_eq!(rest, vec![3]);
        assert!(i.consume(None).0.is_empty());
        assert_eq!((i.consumed(), i.unread_count(), i.bytes()), (3, 0, 0));
        assert!(balanced(&i));
    }

    #[test]
    fn zero_limit_still_keeps_the_newest() {
        let mut i = Inbox::default();
        i.push(None, "", "a", 0, InboxLimits::count(0), 0);
        assert_eq!(
            push(&mut i, None, "", "b", 0, InboxLimits::count(0), 0),
            (2, vec![1])
        );
        assert_eq!(seqs(&i), vec![2]);
    }

    #[test]
    fn byte_bound_drops_the_oldest_until_the_text_fits() {
        let mut i = Inbox::default();
        let limits = InboxLimits::new(100, MIN_INBOX_BYTES);
        let k = "k".repeat(30_000);
        for n in 0..2 {
            assert_eq!(push(&mut i, None, "", &k, 0, limits, n), (n + 1, vec![]));
        }
        assert_eq!(i.bytes(), 60_000);
        // 60,000 + 30,000 > 65,536: the oldest goes.
        assert_eq!(push(&mut i, None, "", &k, 0, limits, 2), (3, vec![1]));
        assert_eq!((i.bytes(), i.dropped()), (60_000, 1));
        // The largest message fits in an inbox at the smallest bound.
        let max = "m".repeat(MIN_INBOX_BYTES);
        assert_eq!(push(&mut i, None, "", &max, 0, limits, 3), (4, vec![2, 3]));
        assert_eq!(seqs(&i), vec![4]);
        assert!(balanced(&i));
        assert_eq!(i.stamps().collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn stamps_follow_their_messages() {
        let mut i = Inbox::default();
        for (n, t) in ["a", "b", "c"].iter().enumerate() {
            i.push(None, "", t, 0, InboxLimits::default(), 10 + n as u64);
        }
        assert_eq!(i.oldest_stamp(), Some(10));
        let g = i.drop_oldest().unwrap();
        assert_eq!(
            g,
            Gone {
                seq: 1,
                stamp: 10,
                bytes: 1
            }
        );
        let (m, st) = i.consume(Some(1));
        assert_eq!((m[0].seq, st), (2, vec![11]));
        assert_eq!(i.stamps().collect::<Vec<_>>(), vec![12]);
        assert!(balanced(&i));
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(InboxLimits::new(0, 0), InboxLimits::new(1, MIN_INBOX_BYTES));
        assert_eq!(
            InboxLimits::new(usize::MAX, usize::MAX),
            InboxLimits::new(MAX_INBOX_LIMIT, MAX_INBOX_BYTES)
        );
        assert_eq!(InboxLimits::default().bytes, 4 << 20);
    }
}
