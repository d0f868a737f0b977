//! Who is waiting for what: the bookkeeping behind `agent-wait`.
//!
//! A waiter is a number chosen by the caller (the server maps it to the
//! command item that is blocked). The set answers, for each kind of event,
//! which waiters it wakes, in O(log n) of the number of waiters, so hundreds
//! of waiters cost nothing until their event happens. It holds no clock: a
//! timeout is the caller's timer, which then calls [`WaitSet::remove`].

use std::collections::{BTreeMap, BTreeSet};

use super::layout::PaneId;
use super::state::AgentState;
use super::SessionId;

/// A waiter's id, chosen by the caller.
pub type WaiterId = u64;

/// What a waiter waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitFor {
    /// Key `key` to be written in group `group`'s context.
    Key { group: String, key: String },
    /// Pane `%N` to become idle (or exit).
    Idle { pane: PaneId },
    /// An unread message in session `$N`'s inbox; `consume`: the waiter
    /// takes (reads) the message it is woken with.
    Message { session: SessionId, consume: bool },
    /// Panes to be in one of `states` (`all`: every pane at once; else any
    /// one of them). The caller checks the condition on each transition of
    /// a pane ([`WaitSet::state_waiters`]).
    State {
        panes: Vec<PaneId>,
        states: Vec<AgentState>,
        all: bool,
    },
}

#[derive(Debug, Clone)]
struct Waiter {
    what: WaitFor,
    /// The session the waiter depends on (its group's member, or its pane's
    /// session): if it goes, the waiter fails at once.
    session: Option<SessionId>,
    /// The client the waiter blocks, as an opaque number.
    client: u64,
}

/// Every waiter, indexed by what wakes it.
#[derive(Debug, Default)]
pub struct WaitSet {
    waiters: BTreeMap<WaiterId, Waiter>,
    by_key: BTreeMap<(String, String), BTreeSet<WaiterId>>,
    by_pane: BTreeMap<PaneId, BTreeSet<WaiterId>>,
    by_inbox: BTreeMap<SessionId, BTreeSet<WaiterId>>,
    by_state: BTreeMap<PaneId, BTreeSet<WaiterId>>,
    by_session: BTreeMap<SessionId, BTreeSet<WaiterId>>,
    by_client: BTreeMap<u64, BTreeSet<WaiterId>>,
}

impl WaitSet {
    /// Register waiter `id`.
    pub fn add(&mut self, id: WaiterId, what: WaitFor, session: Option<SessionId>, client: u64) {
        match &what {
            WaitFor::Key { group, key } => {
                self.by_key
                    .entry((group.clone(), key.clone()))
                    .or_default()
                    .insert(id);
            }
            WaitFor::Idle { pane } => {
                self.by_pane.entry(*pane).or_default().insert(id);
            }
            WaitFor::Message { session, .. } => {
                self.by_inbox.entry(*session).or_default().insert(id);
            }
            WaitFor::State { panes, .. } => {
                for p in panes {
                    self.by_state.entry(*p).or_default().insert(id);
                }
            }
        }
        if let Some(s) = session {
            self.by_session.entry(s).or_default().insert(id);
        }
        self.by_client.entry(client).or_default().insert(id);
        self.waiters.insert(
            id,
            Waiter {
                what,
                session,
                client,
            },
        );
    }

    /// Forget waiter `id` (woken, timed out, or its client went away).
    /// Returns whether it was still waiting.
    pub fn remove(&mut self, id: WaiterId) -> bool {
        let Some(w) = self.waiters.remove(&id) else {
            return false;
        };
        fn unindex<K: Ord>(map: &mut BTreeMap<K, BTreeSet<WaiterId>>, k: K, id: WaiterId) {
            if let Some(set) = map.get_mut(&k) {
                set.remove(&id);
                if set.is_empty() {
                    map.remove(&k);
                }
            }
        }
        match w.what {
            WaitFor::Key { group, key } => unindex(&mut self.by_key, (group, key), id),
            WaitFor::Idle { pane } => unindex(&mut self.by_pane, pane, id),
            WaitFor::Message { session, .. } => unindex(&mut self.by_inbox, session, id),
            WaitFor::State { panes, .. } => {
                for p in panes {
                    unindex(&mut self.by_state, p, id);
                }
            }
        }
        if let Some(s) = w.session {
            unindex(&mut self.by_session, s, id);
        }
        unindex(&mut self.by_client, w.client, id);
        true
    }

    fn take(&mut self, ids: Option<BTreeSet<WaiterId>>) -> Vec<WaiterId> {
        let ids: Vec<WaiterId> = ids.into_iter().flatten().collect();
        for id in &ids {
            self.remove(*id);
        }
        ids
    }

    /// Key `key` of group `group` was written: the waiters it wakes, removed.
    pub fn take_key(&mut self, group: &str, key: &str) -> Vec<WaiterId> {
        let ids = self
            .by_key
            .get(&(group.to_owned(), key.to_owned()))
            .cloned();
        self.take(ids)
    }

    /// Pane `%pane` became idle, exited or went away.
    pub fn take_pane(&mut self, pane: PaneId) -> Vec<WaiterId> {
        let ids = self.by_pane.get(&pane).cloned();
        self.take(ids)
    }

    /// The state waiters that watch pane `%pane`, with what they wait for;
    /// they stay registered (the caller removes those whose condition
    /// holds).
    pub fn state_waiters(&self, pane: PaneId) -> Vec<(WaiterId, WaitFor)> {
        self.by_state
            .get(&pane)
            .into_iter()
            .flatten()
            .filter_map(|id| Some((*id, self.waiters.get(id)?.what.clone())))
            .collect()
    }

    /// Pane `%pane` went away: the state waiters that watch it, removed.
    pub fn take_state_pane(&mut self, pane: PaneId) -> Vec<WaiterId> {
        let ids = self.by_state.get(&pane).cloned();
        self.take(ids)
    }

    /// The waiters for session `$session`'s inbox, oldest first, with
    /// whether each consumes; they stay registered (the caller removes those
    /// it wakes, as messages allow).
    pub fn inbox_waiters(&self, session: SessionId) -> Vec<(WaiterId, bool)> {
        self.by_inbox
            .get(&session)
            .into_iter()
            .flatten()
            .filter_map(|id| match self.waiters.get(id)?.what {
                WaitFor::Message { consume, .. } => Some((*id, consume)),
                _ => None,
            })
            .collect()
    }

    /// Session `$session` died or left its group: its waiters fail.
    pub fn take_session(&mut self, session: SessionId) -> Vec<WaiterId> {
        let ids = self.by_session.get(&session).cloned();
        self.take(ids)
    }

    /// Session `$session` left its group: its waiters for context keys fail
    /// (its message waiters go on: the inbox is the session's, not the
    /// group's).
    pub fn take_session_keys(&mut self, session: SessionId) -> Vec<WaiterId> {
        let ids = self.by_session.get(&session).map(|ids| {
            ids.iter()
                .copied()
                .filter(|id| {
                    matches!(
                        self.waiters.get(id).map(|w| &w.what),
                        Some(WaitFor::Key { .. })
                    )
                })
                .collect()
        });
        self.take(ids)
    }

    /// The client went away: its waiters are dropped.
    pub fn take_client(&mut self, client: u64) -> Vec<WaiterId> {
        let ids = self.by_client.get(&client).cloned();
        self.take(ids)
    }

    /// How many are waiting.
    pub fn len(&self) -> usize {
        self.waiters.len()
    }

    /// Is nobody waiting?
    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// What waiter `id` waits for.
    pub fn what(&self, id: WaiterId) -> Option<&WaitFor> {
        self.waiters.get(&id).map(|w| &w.what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(g: &str, k: &str) -> WaitFor {
        WaitFor::Key {
            group: g.into(),
            key: k.into(),
        }
    }

    #[test]
    fn key_waiters_wake_once_and_only_theirs() {
        let mut w = WaitSet::default();
        w.add(1, key("g", "a"), Some(SessionId(1)), 10);
        w.add(2, key("g", "a"), Some(SessionId(2)), 11);
        w.add(3, key("g", "b"), Some(SessionId(2)), 11);
        w.add(4, key("h", "a"), Some(SessionId(3)), 12);
        assert_eq!(w.take_key("g", "a"), vec![1, 2]);
        assert_eq!(w.take_key("g", "a"), Vec::<WaiterId>::new());
        assert_eq!(w.len(), 2);
        assert_eq!(w.take_key("h", "a"), vec![4]);
        assert_eq!(w.take_key("g", "b"), vec![3]);
        assert!(w.is_empty());
    }

    #[test]
    fn session_and_client_removal_unindex_everything() {
        let mut w = WaitSet::default();
        w.add(1, key("g", "a"), Some(SessionId(1)), 10);
        w.add(2, WaitFor::Idle { pane: PaneId(5) }, Some(SessionId(1)), 10);
        w.add(
            3,
            WaitFor::Message {
                session: SessionId(2),
                consume: false,
            },
            Some(SessionId(2)),
            11,
        );
        assert_eq!(w.take_session(SessionId(1)), vec![1, 2]);
        assert!(w.take_key("g", "a").is_empty());
        assert!(w.take_pane(PaneId(5)).is_empty());
        assert_eq!(w.take_client(11), vec![3]);
        assert!(w.inbox_waiters(SessionId(2)).is_empty());
        assert!(w.is_empty());
        assert!(w.by_key.is_empty() && w.by_pane.is_empty() && w.by_client.is_empty());
        assert!(w.by_session.is_empty() && w.by_inbox.is_empty());
    }

    #[test]
    fn state_waiters_index_every_pane_and_unindex() {
        let mut w = WaitSet::default();
        let what = WaitFor::State {
            panes: vec![PaneId(1), PaneId(2)],
            states: vec![AgentState::Idle],
            all: true,
        };
        w.add(4, what.clone(), None, 1);
        assert_eq!(w.state_waiters(PaneId(2)), vec![(4, what.clone())]);
        assert_eq!(w.state_waiters(PaneId(1)), vec![(4, what)]);
        assert!(w.take_pane(PaneId(1)).is_empty(), "not an -i waiter");
        assert_eq!(w.take_state_pane(PaneId(2)), vec![4]);
        assert!(w.state_waiters(PaneId(1)).is_empty());
        assert!(w.by_state.is_empty() && w.is_empty());
    }

    #[test]
    fn inbox_waiters_in_order_and_kept_until_removed() {
        let mut w = WaitSet::default();
        let m = |consume| WaitFor::Message {
            session: SessionId(4),
            consume,
        };
        w.add(9, m(true), Some(SessionId(4)), 1);
        w.add(3, m(false), Some(SessionId(4)), 2);
        w.add(5, WaitFor::Idle { pane: PaneId(4) }, Some(SessionId(4)), 2);
        assert_eq!(w.inbox_waiters(SessionId(4)), vec![(3, false), (9, true)]);
        assert_eq!(w.inbox_waiters(SessionId(4)), vec![(3, false), (9, true)]);
        assert!(w.remove(3));
        assert_eq!(w.inbox_waiters(SessionId(4)), vec![(9, true)]);
        assert!(w.inbox_waiters(SessionId(5)).is_empty());
    }

    #[test]
    fn leaving_a_group_fails_key_waiters_only() {
        let mut w = WaitSet::default();
        w.add(1, key("g", "a"), Some(SessionId(4)), 1);
        let m = WaitFor::Message {
            session: SessionId(4),
            consume: false,
        };
        w.add(2, m, Some(SessionId(4)), 1);
        assert_eq!(w.take_session_keys(SessionId(4)), vec![1]);
        assert_eq!(w.inbox_waiters(SessionId(4)), vec![(2, false)]);
        assert_eq!(w.take_session(SessionId(4)), vec![2]);
    }

    #[test]
    fn remove_is_idempotent() {
        let mut w = WaitSet::default();
        w.add(7, WaitFor::Idle { pane: PaneId(1) }, None, 1);
        assert_eq!(w.what(7), Some(&WaitFor::Idle { pane: PaneId(1) }));
        assert!(w.remove(7));
        assert!(!w.remove(7));
        assert!(w.take_pane(PaneId(1)).is_empty());
    }
}
