//! A coordination group: its members in join order, its coordinator (the
//! longest-standing member) and its shared context.
//!
//! Members are ordered by a join sequence number that only grows, kept in
//! two maps (sequence to session, session to sequence), so joining, leaving
//! and finding the coordinator are O(log n) in the group's size. A group
//! always has at least one member: the registry removes a group, context and
//! all, when its last member leaves.

use std::collections::BTreeMap;

use super::context::{Context, Entry, Value};
use super::error::{AgentError, Limit};
use super::validate::MAX_GROUP_MEMBERS;
use super::SessionId;

/// A coordination group, as the registry holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    name: String,
    created: i64,
    last_change: i64,
    /// The last context version made; 0 before the first write.
    version: u64,
    /// The sequence number the next member gets.
    next_seq: u64,
    by_seq: BTreeMap<u64, SessionId>,
    seq_of: BTreeMap<SessionId, u64>,
    context: Context,
}

impl Group {
    /// An empty group; the registry adds its first member at once.
    pub(crate) fn new(name: &str, now: i64) -> Group {
        Group {
            name: name.to_owned(),
            created: now,
            last_change: now,
            version: 0,
            next_seq: 0,
            by_seq: BTreeMap::new(),
            seq_of: BTreeMap::new(),
            context: Context::default(),
        }
    }

    /// A saved group put back ([`crate::agent::saved`]): `members` in join
    /// order (the first is the coordinator), its version and context.
    pub(crate) fn restored(
        name: &str,
        created: i64,
        last_change: i64,
        version: u64,
        members: &[SessionId],
        context: Context,
    ) -> Group {
        let mut g = Group::new(name, created);
        for &m in members {
            g.add(m, last_change);
        }
        let newest = context.iter().map(|(_, e)| e.version).max().unwrap_or(0);
        g.version = version.max(newest);
        g.last_change = last_change;
        g.context = context;
        g
    }

    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The members, in join order, longest-standing first.
    pub fn members(&self) -> impl DoubleEndedIterator<Item = SessionId> + ExactSizeIterator + '_ {
        self.by_seq.values().copied()
    }

    /// How many members the group has.
    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    /// Whether the group has no members; never true of a group the registry
    /// holds.
    pub fn is_empty(&self) -> bool {
        self.by_seq.is_empty()
    }

    /// Whether `id` is a member.
    pub fn is_member(&self, id: SessionId) -> bool {
        self.seq_of.contains_key(&id)
    }

    /// The coordinator: the member that joined earliest of those remaining.
    pub fn coordinator(&self) -> SessionId {
        self.first()
            .expect("a group the registry holds has a member")
    }

    /// Whether `id` is the coordinator.
    pub fn is_coordinator(&self, id: SessionId) -> bool {
        self.first() == Some(id)
    }

    /// The context entries, in key order.
    pub fn context(&self) -> impl ExactSizeIterator<Item = (&str, &Entry)> + '_ {
        self.context.iter()
    }

    /// The entry of `key`, if the context has one.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.context.get(key)
    }

    /// The context's size: key bytes plus value bytes over all entries.
    pub fn context_bytes(&self) -> usize {
        self.context.bytes()
    }

    /// How many keys the context has.
    pub fn context_len(&self) -> usize {
        self.context.len()
    }

    /// The last context version made: every write and every removal of a key
    /// makes the next one. 0 while the context was never written.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the group was created (unix seconds).
    pub fn created(&self) -> i64 {
        self.created
    }

    /// When the group's membership or context last changed (unix seconds).
    pub fn last_change(&self) -> i64 {
        self.last_change
    }

    fn first(&self) -> Option<SessionId> {
        self.by_seq.values().next().copied()
    }

    /// Checks that one more member fits.
    pub(crate) fn check_room(&self) -> Result<(), AgentError> {
        if self.len() >= MAX_GROUP_MEMBERS {
            return Err(Limit::GroupMembers {
                count: self.len(),
                max: MAX_GROUP_MEMBERS,
            }
            .into());
        }
        Ok(())
    }

    /// Adds `id` as the newest member; returns whether it is the coordinator.
    pub(crate) fn add(&mut self, id: SessionId, now: i64) -> bool {
        if !self.seq_of.contains_key(&id) {
            let seq = self.next_seq;
            self.next_seq += 1;
            self.by_seq.insert(seq, id);
            self.seq_of.insert(id, seq);
            self.last_change = now;
        }
        self.is_coordinator(id)
    }

    /// Removes `id`; returns the new coordinator if `id` was the coordinator
    /// and someone remains.
    pub(crate) fn remove(&mut self, id: SessionId, now: i64) -> Option<SessionId> {
        let seq = self.seq_of.remove(&id)?;
        let was_coordinator = self.by_seq.keys().next() == Some(&seq);
        self.by_seq.remove(&seq);
        self.last_change = now;
        if was_coordinator {
            self.first()
        } else {
            None
        }
    }

    /// Checks that `key` with a value of `size` bytes fits in the context.
    pub(crate) fn check_fit(&self, key: &str, size: usize) -> Result<(), AgentError> {
        self.context.check_fit(key, size)
    }

    /// Writes `key` (checked by [`Group::check_fit`]); returns the version
    /// made and whether the key had a value.
    pub(crate) fn write(
        &mut self,
        key: &str,
        value: Value,
        size: usize,
        author: SessionId,
        now: i64,
    ) -> (u64, bool) {
        self.version += 1;
        self.last_change = now;
        let replaced = self
            .context
            .insert(key, value, size, author, now, self.version);
        (self.version, replaced)
    }

    /// Removes `key`; returns the version made, or `None` (and changes
    /// nothing) if the context has no such key.
    pub(crate) fn erase(&mut self, key: &str, now: i64) -> Option<u64> {
        self.context.remove(key)?;
        self.version += 1;
        self.last_change = now;
        Some(self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group_of(ids: &[SessionId]) -> Group {
        let mut g = Group::new("g", 100);
        for (i, &id) in ids.iter().enumerate() {
            g.add(id, 100 + i as i64);
        }
        g
    }

    #[test]
    fn members_in_join_order_not_id_order() {
        let g = group_of(&[SessionId(5), SessionId(2), SessionId(9)]);
        assert_eq!(
            g.members().collect::<Vec<_>>(),
            [SessionId(5), SessionId(2), SessionId(9)]
        );
        assert_eq!(g.len(), 3);
        assert!(!g.is_empty());
        assert_eq!(g.coordinator(), SessionId(5));
        assert!(g.is_coordinator(SessionId(5)) && !g.is_coordinator(SessionId(2)));
        assert!(g.is_member(SessionId(9)) && !g.is_member(SessionId(1)));
        assert_eq!((g.created(), g.last_change()), (100, 102));
    }

    #[test]
    fn adding_a_member_twice_changes_nothing() {
        let mut g = group_of(&[SessionId(1), SessionId(2)]);
        let before = g.clone();
        assert!(!g.add(SessionId(2), 500));
        assert!(g.add(SessionId(1), 500));
        assert_eq!(g, before);
    }

    #[test]
    fn coordinator_hands_over_to_longest_standing() {
        let mut g = group_of(&[SessionId(3), SessionId(1), SessionId(2)]);
        assert_eq!(g.remove(SessionId(1), 200), None);
        assert_eq!(g.last_change(), 200);
        assert_eq!(g.remove(SessionId(3), 201), Some(SessionId(2)));
        assert_eq!(g.coordinator(), SessionId(2));
        assert_eq!(g.remove(SessionId(7), 202), None);
        assert_eq!(g.last_change(), 201);
        assert_eq!(g.remove(SessionId(2), 203), None);
        assert!(g.is_empty());
    }

    #[test]
    fn rejoining_goes_to_the_back() {
        let mut g = group_of(&[SessionId(1), SessionId(2)]);
        g.remove(SessionId(1), 0);
        g.add(SessionId(1), 0);
        assert_eq!(
            g.members().collect::<Vec<_>>(),
            [SessionId(2), SessionId(1)]
        );
        assert_eq!(g.coordinator(), SessionId(2));
    }

    #[test]
    fn writes_and_erases_make_versions() {
        let mut g = group_of(&[SessionId(1)]);
        assert_eq!(g.version(), 0);
        assert_eq!(
            g.write("k", Value::Text("a".into()), 1, SessionId(1), 5),
            (1, false)
        );
        assert_eq!(
            g.write("k", Value::Text("b".into()), 1, SessionId(1), 6),
            (2, true)
        );
        assert_eq!(g.entry("k").unwrap().version, 2);
        assert_eq!(g.erase("nope", 7), None);
        assert_eq!((g.version(), g.last_change()), (2, 6));
        assert_eq!(g.erase("k", 8), Some(3));
        assert_eq!((g.version(), g.last_change(), g.context_len()), (3, 8, 0));
    }

    #[test]
    fn member_limit() {
        let ids: Vec<SessionId> = (0..MAX_GROUP_MEMBERS as u32).map(SessionId).collect();
        let mut g = group_of(&ids[..MAX_GROUP_MEMBERS - 1]);
        assert_eq!(g.check_room(), Ok(()));
        g.add(ids[MAX_GROUP_MEMBERS - 1], 0);
        assert_eq!(
            g.check_room().unwrap_err().to_string(),
            "group full: 10000 members (limit 10000)"
        );
    }
}
