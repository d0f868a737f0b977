//! Property tests: the registry's invariants under random sequences of
//! operations, checked against a small reference model of membership,
//! context and inboxes.
//!
//! The model keeps each group as a plain list in join order, each context
//! as a map of displayed values and each inbox as a queue of unread
//! messages with its counters; after every operation the registry must
//! agree with it, satisfy its structural invariants, and, when the operation
//! failed, be exactly what it was before.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::mem::discriminant;

use proptest::prelude::*;
use serde_json::json;

use super::inbox::{InboxLimits, Message, MAX_INBOX_LIMIT};
use super::validate::{self, MAX_CONTEXT_BYTES, MAX_CONTEXT_KEYS};
use super::{AgentError, Event, GroupEventKind, Registry, Role, SendTo, SessionId, Value};

const GROUPS: [&str; 4] = ["a", "b", "c", "bad name"];
const KEYS: [&str; 4] = ["k1", "k2", "k3", "no=key"];
const TYPES: [&str; 3] = ["claude", "codex", "bad type"];
const GOALS: [&str; 3] = ["", "ship it\n", "bell\u{7}"];
const MESSAGES: [&str; 4] = ["hi", "two\nlines\t", "", "bell\u{7}"];

/// The inbox limit of each session: small, so inboxes fill and drop; 0 is
/// taken as 1.
fn limit_of(id: SessionId) -> usize {
    id.0 as usize % 4
}

fn effective_limit(id: SessionId) -> usize {
    limit_of(id).clamp(1, MAX_INBOX_LIMIT)
}

fn values() -> Vec<Value> {
    vec![
        Value::Text("x".into()),
        Value::Text("hello\tworld\n".into()),
        Value::Text("esc\u{1b}".into()),
        Value::Json(json!({"n": 1, "a": [true]})),
        Value::Json(json!("s")),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Set(SessionId, Option<usize>, Option<usize>),
    Unset(SessionId),
    Join(SessionId, usize),
    Leave(SessionId),
    Share(SessionId, usize, usize),
    Unshare(SessionId, usize),
    Get(SessionId, usize),
    Destroy(SessionId),
    /// From (maybe no session), to a session or (`Err`) a group, message.
    Send(Option<SessionId>, Result<SessionId, usize>, usize),
    Consume(SessionId, Option<usize>),
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0..6u32;
    prop_oneof![
        1 => (
            id.clone(),
            proptest::option::of(0..TYPES.len()),
            proptest::option::of(0..GOALS.len())
        )
            .prop_map(|(i, t, g)| Op::Set(SessionId(i), t, g)),
        1 => id.clone().prop_map(|i| Op::Unset(SessionId(i))),
        3 => (id.clone(), 0..GROUPS.len()).prop_map(|(i, g)| Op::Join(SessionId(i), g)),
        2 => id.clone().prop_map(|i| Op::Leave(SessionId(i))),
        3 => (id.clone(), 0..KEYS.len(), 0..5usize).prop_map(|(i, k, v)| Op::Share(SessionId(i), k, v)),
        1 => (id.clone(), 0..KEYS.len()).prop_map(|(i, k)| Op::Unshare(SessionId(i), k)),
        1 => (id.clone(), 0..KEYS.len()).prop_map(|(i, k)| Op::Get(SessionId(i), k)),
        1 => id.clone().prop_map(|i| Op::Destroy(SessionId(i))),
        4 => (
            proptest::option::of(id.clone().prop_map(SessionId)),
            prop_oneof![id.clone().prop_map(|i| Ok(SessionId(i))), (0..GROUPS.len()).prop_map(Err)],
            0..MESSAGES.len()
        )
            .prop_map(|(from, to, t)| Op::Send(from, to, t)),
        2 => (id, proptest::option::of(0..3usize)).prop_map(|(i, n)| Op::Consume(SessionId(i), n)),
    ]
}

/// One inbox as the model sees it.
#[derive(Debug, Default)]
struct ModelInbox {
    /// (seq, from, text), oldest first.
    unread: VecDeque<(u64, Option<SessionId>, String)>,
    delivered: u64,
    consumed: u64,
    dropped: u64,
}

/// The reference model: which sessions are agents, and each group's members
/// in join order, context (key to displayed value) and last version.
#[derive(Debug, Default)]
struct Model {
    agents: BTreeMap<SessionId, Option<String>>,
    groups: BTreeMap<String, (Vec<SessionId>, BTreeMap<String, String>)>,
    versions: BTreeMap<String, u64>,
    /// The inbox of every agent.
    inboxes: BTreeMap<SessionId, ModelInbox>,
    /// Every (session, seq) consume returned since the session became an
    /// agent.
    consumed: BTreeSet<(SessionId, u64)>,
}

impl Model {
    /// Removes `id` from its group; returns (group, remaining, new
    /// coordinator, dissolved).
    fn detach(&mut self, id: SessionId) -> Option<(String, usize, Option<SessionId>, bool)> {
        let name = self.agents.get_mut(&id)?.take()?;
        let (members, _) = self.groups.get_mut(&name).unwrap();
        let was_first = members[0] == id;
        members.retain(|&m| m != id);
        let remaining = members.len();
        let new_coordinator = if was_first {
            members.first().copied()
        } else {
            None
        };
        if remaining == 0 {
            self.groups.remove(&name);
            self.versions.remove(&name);
        }
        Some((name, remaining, new_coordinator, remaining == 0))
    }

    /// An inbox for every agent and none for anything else: a session that
    /// stops being an agent loses its messages, and one that becomes an
    /// agent again starts from an empty inbox.
    fn sync_inboxes(&mut self) {
        let agents = &self.agents;
        self.inboxes.retain(|id, _| agents.contains_key(id));
        self.consumed.retain(|(id, _)| agents.contains_key(id));
        for &id in self.agents.keys() {
            self.inboxes.entry(id).or_default();
        }
    }

    fn group_of(&self, id: SessionId) -> Result<&str, AgentError> {
        self.agents
            .get(&id)
            .ok_or(AgentError::NoMetadataForGroup(id))?
            .as_deref()
            .ok_or(AgentError::NotInGroup(id))
    }
}

/// Structural invariants that hold after every operation.
pub(crate) fn check_invariants(r: &Registry) {
    assert_eq!(r.group_count(), r.groups().count());
    assert_eq!(r.agent_count(), r.agents().count());
    for g in r.groups() {
        assert!(!g.is_empty(), "empty group {}", g.name());
        assert_eq!(g.members().count(), g.len());
        let members: Vec<SessionId> = g.members().collect();
        assert_eq!(g.coordinator(), members[0]);
        assert!(g.is_member(g.coordinator()));
        let coordinators = members.iter().filter(|&&m| g.is_coordinator(m)).count();
        assert_eq!(coordinators, 1);
        for &m in &members {
            assert!(g.is_member(m));
            let agent = r.agent(m).expect("every member is an agent");
            assert_eq!(agent.group.as_deref(), Some(g.name()));
            assert_eq!(r.peer_count(m), g.len() - 1);
            let want = if m == members[0] {
                Role::Coordinator
            } else {
                Role::Member
            };
            assert_eq!(r.role(m), Some(want));
        }
        let mut sorted = members.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), members.len(), "a member twice");

        let bytes: usize = g.context().map(|(k, e)| k.len() + e.value.size()).sum();
        assert_eq!(g.context_bytes(), bytes);
        assert_eq!(g.context_len(), g.context().count());
        assert!(g.context_bytes() <= MAX_CONTEXT_BYTES);
        assert!(g.context_len() <= MAX_CONTEXT_KEYS);
        let mut versions: Vec<u64> = g.context().map(|(_, e)| e.version).collect();
        for (k, e) in g.context() {
            assert!(validate::key(k).is_ok());
            assert!(e.version >= 1 && e.version <= g.version());
            assert_eq!(e.size(), e.value.size());
        }
        versions.sort_unstable();
        versions.dedup();
        assert_eq!(
            versions.len(),
            g.context_len(),
            "two entries share a version"
        );
        assert!(g.created() <= g.last_change());
    }
    r.assert_inbox_accounting();
    for (id, agent) in r.agents() {
        let inbox = &agent.inbox;
        let unread = inbox.unread_count() as u64;
        assert_eq!(
            inbox.delivered(),
            inbox.consumed() + inbox.dropped() + unread,
            "inbox of {id} does not balance"
        );
        assert!(inbox.unread_count() <= effective_limit(id));
        // Consuming and dropping both take the oldest: the unread messages
        // are the last ones delivered, in strictly increasing order.
        let seqs: Vec<u64> = inbox.unread().map(|m| m.seq).collect();
        let tail: Vec<u64> = (inbox.delivered() - unread + 1..=inbox.delivered()).collect();
        assert_eq!(seqs, tail);
        assert_eq!(inbox.oldest().map(|m| m.seq), seqs.first().copied());
        let bytes: usize = inbox.unread().map(|m| m.text.len()).sum();
        assert_eq!(inbox.bytes(), bytes);
        for m in inbox.unread() {
            assert!(validate::message(&m.text).is_ok());
        }
        assert!(validate::agent_type(&agent.agent_type).is_ok());
        assert!(validate::goal(&agent.goal).is_ok());
        if let Some(name) = &agent.group {
            let g = r.group(name).expect("an agent's group exists");
            assert!(g.is_member(id));
            assert_eq!(r.group_of(id).map(|g| g.name()), Some(name.as_str()));
        } else {
            assert_eq!(r.role(id), None);
            assert_eq!(r.peer_count(id), 0);
        }
    }
}

/// Applies `op` to the registry and the model, checking they agree.
fn step(r: &mut Registry, m: &mut Model, op: &Op, now: i64) {
    let before = r.clone();
    let err: Option<AgentError> = match *op {
        Op::Set(id, t, g) => {
            let t = t.map(|i| TYPES[i]);
            let g = g.map(|i| GOALS[i]);
            let valid = t.is_none_or(|t| validate::agent_type(t).is_ok())
                && g.is_none_or(|g| validate::goal(g).is_ok());
            match r.set_agent(id, t, g, now) {
                Ok(_) => {
                    assert!(valid);
                    m.agents.entry(id).or_insert(None);
                    None
                }
                Err(e) => {
                    assert!(!valid);
                    assert!(matches!(e, AgentError::Invalid(_)));
                    Some(e)
                }
            }
        }
        Op::Unset(id) => {
            let known = m.agents.contains_key(&id);
            match r.unset_agent(id, now) {
                Ok(left) => {
                    assert!(known);
                    let want = m.detach(id);
                    assert_eq!(
                        left.map(|l| (l.group, l.removed_from, l.new_coordinator, l.dissolved)),
                        want
                    );
                    m.agents.remove(&id);
                    None
                }
                Err(e) => {
                    assert_eq!(e, AgentError::NoMetadata(id));
                    assert!(!known);
                    Some(e)
                }
            }
        }
        Op::Join(id, gi) => {
            let name = GROUPS[gi];
            match r.join(id, name, now) {
                Ok(out) => {
                    assert!(validate::group_name(name).is_ok());
                    let current = m.agents.get(&id).cloned().flatten();
                    assert_eq!(out.already_member, current.as_deref() == Some(name));
                    assert_eq!(out.became_agent, !m.agents.contains_key(&id));
                    if out.already_member {
                        assert!(out.events.is_empty());
                    } else {
                        m.agents.entry(id).or_insert(None);
                        let left = m.detach(id);
                        assert_eq!(
                            out.left.map(|l| (
                                l.group,
                                l.removed_from,
                                l.new_coordinator,
                                l.dissolved
                            )),
                            left
                        );
                        let (members, _) = m.groups.entry(name.to_owned()).or_default();
                        members.push(id);
                        *m.agents.get_mut(&id).unwrap() = Some(name.to_owned());
                        assert!(out.events.contains(&Event::GroupChanged {
                            session: id,
                            group: name.to_owned(),
                            kind: GroupEventKind::Joined,
                        }));
                    }
                    let (members, _) = &m.groups[name];
                    assert_eq!(out.coordinator, members[0] == id);
                    let peers: Vec<SessionId> =
                        members.iter().copied().filter(|&p| p != id).collect();
                    assert_eq!(out.peers, peers);
                    None
                }
                Err(e) => {
                    assert!(validate::group_name(name).is_err());
                    Some(e)
                }
            }
        }
        Op::Leave(id) => {
            let want = m.group_of(id).map(|_| ());
            match r.leave(id, now) {
                Ok(out) => {
                    assert!(want.is_ok());
                    assert_eq!(
                        Some((
                            out.group,
                            out.removed_from,
                            out.new_coordinator,
                            out.dissolved
                        )),
                        m.detach(id)
                    );
                    None
                }
                Err(e) => {
                    assert_eq!(Err(e.clone()), want);
                    Some(e)
                }
            }
        }
        Op::Share(id, ki, vi) => {
            let key = KEYS[ki];
            let value = values()[vi].clone();
            let shown = value.as_display();
            let want = validate::key(key)
                .and_then(|_| value.check().map(|_| ()))
                .and_then(|_| m.group_of(id).map(|g| g.to_owned()));
            match r.share(id, key, value, now) {
                Ok(out) => {
                    let name = want.unwrap();
                    assert_eq!(out.group, name);
                    let (_, ctx) = m.groups.get_mut(&name).unwrap();
                    assert_eq!(out.replaced, ctx.insert(key.to_owned(), shown).is_some());
                    let last = m.versions.entry(name).or_insert(0);
                    assert_eq!(out.version, *last + 1);
                    *last = out.version;
                    None
                }
                Err(e) => {
                    let want = want.unwrap_err();
                    assert_eq!(discriminant(&e), discriminant(&want));
                    Some(e)
                }
            }
        }
        Op::Unshare(id, ki) => {
            let key = KEYS[ki];
            let want = validate::key(key)
                .and_then(|_| m.group_of(id).map(|g| g.to_owned()))
                .and_then(|g| {
                    if m.groups[&g].1.contains_key(key) {
                        Ok(g)
                    } else {
                        Err(AgentError::KeyNotFound(key.to_owned()))
                    }
                });
            match r.unshare(id, key, now) {
                Ok(out) => {
                    let name = want.unwrap();
                    assert_eq!(out.group, name);
                    m.groups.get_mut(&name).unwrap().1.remove(key);
                    let last = m.versions.entry(name).or_insert(0);
                    assert_eq!(out.version, *last + 1);
                    *last = out.version;
                    None
                }
                Err(e) => {
                    assert_eq!(Err(e.clone()), want.map(|_| ()));
                    Some(e)
                }
            }
        }
        Op::Get(id, ki) => {
            let key = KEYS[ki];
            let got = r.get(id, key).map(|e| e.value.as_display());
            match validate::key(key) {
                Err(e) => assert_eq!(got, Err(e)),
                Ok(()) => match m.group_of(id) {
                    Err(e) => assert_eq!(got, Err(e)),
                    Ok(g) => match m.groups[g].1.get(key) {
                        Some(v) => assert_eq!(got.as_ref(), Ok(v)),
                        None => assert_eq!(got, Err(AgentError::KeyNotFound(key.to_owned()))),
                    },
                },
            }
            assert_eq!(*r, before);
            None
        }
        Op::Destroy(id) => {
            let out = r.session_destroyed(id, now);
            let want = m.detach(id);
            m.agents.remove(&id);
            assert_eq!(
                out.map(|l| (l.group, l.removed_from, l.new_coordinator, l.dissolved)),
                want
            );
            None
        }
        Op::Send(from, to, ti) => {
            let text = MESSAGES[ti];
            let target = match to {
                Ok(id) => SendTo::Session(id),
                Err(gi) => SendTo::Group(GROUPS[gi]),
            };
            let want = validate::message(text).and_then(|()| match to {
                Ok(id) if m.agents.contains_key(&id) => Ok(vec![id]),
                Ok(id) => Err(AgentError::NoMetadata(id)),
                Err(gi) => {
                    let name = GROUPS[gi];
                    validate::group_name(name)?;
                    let (members, _) = m
                        .groups
                        .get(name)
                        .ok_or_else(|| AgentError::GroupNotFound(name.to_owned()))?;
                    let to: Vec<SessionId> = members
                        .iter()
                        .copied()
                        .filter(|&p| Some(p) != from)
                        .collect();
                    if to.is_empty() {
                        return Err(AgentError::NoRecipients(name.to_owned()));
                    }
                    Ok(to)
                }
            });
            match r.send(from, "sender", target, text, now, |id| {
                InboxLimits::count(limit_of(id))
            }) {
                Ok(out) => {
                    let receivers = want.expect("send succeeded");
                    let to: Vec<SessionId> = out.delivered.iter().map(|d| d.to).collect();
                    assert_eq!(to, receivers);
                    if let SendTo::Group(_) = target {
                        assert!(from.is_none_or(|f| !to.contains(&f)), "sent to the sender");
                    }
                    assert_eq!(out.events.len(), out.delivered.len());
                    for (d, e) in out.delivered.iter().zip(&out.events) {
                        assert_eq!(
                            *e,
                            Event::Message {
                                to: d.to,
                                from,
                                from_name: "sender".to_string(),
                                seq: d.seq
                            }
                        );
                        let inbox = m.inboxes.get_mut(&d.to).unwrap();
                        let mut dropped = Vec::new();
                        while inbox.unread.len() >= effective_limit(d.to) {
                            let (seq, _, _) = inbox.unread.pop_front().unwrap();
                            inbox.dropped += 1;
                            dropped.push(seq);
                        }
                        inbox.delivered += 1;
                        assert_eq!(d.seq, inbox.delivered);
                        assert_eq!(d.dropped, dropped);
                        inbox.unread.push_back((d.seq, from, text.to_owned()));
                    }
                    None
                }
                Err(e) => {
                    assert_eq!(Err(e.clone()), want);
                    Some(e)
                }
            }
        }
        Op::Consume(id, count) => match r.consume(id, count) {
            Ok(got) => {
                let inbox = m.inboxes.get_mut(&id).expect("consume of an agent");
                let n = count.unwrap_or(usize::MAX).min(inbox.unread.len());
                let want: Vec<(u64, Option<SessionId>, String)> = inbox.unread.drain(..n).collect();
                inbox.consumed += n as u64;
                let got: Vec<(u64, Option<SessionId>, String)> = got
                    .into_iter()
                    .map(
                        |Message {
                             seq, from, text, ..
                         }| (seq, from, text),
                    )
                    .collect();
                assert_eq!(got, want);
                for (seq, _, _) in &got {
                    assert!(m.consumed.insert((id, *seq)), "{id}:{seq} consumed twice");
                }
                None
            }
            Err(e) => {
                assert_eq!(e, AgentError::NoMetadata(id));
                assert!(!m.agents.contains_key(&id));
                Some(e)
            }
        },
    };
    if err.is_some() {
        assert_eq!(*r, before, "failed {op:?} changed the registry");
    }
    m.sync_inboxes();

    check_invariants(r);
    // The registry agrees with the model.
    assert_eq!(r.agent_count(), m.agents.len());
    for (&id, group) in &m.agents {
        assert_eq!(r.agent(id).map(|a| a.group.clone()), Some(group.clone()));
    }
    assert_eq!(r.group_count(), m.groups.len());
    for (name, (members, ctx)) in &m.groups {
        let g = r.group(name).unwrap();
        assert_eq!(&g.members().collect::<Vec<_>>(), members);
        let got: BTreeMap<String, String> = g
            .context()
            .map(|(k, e)| (k.to_owned(), e.value.as_display()))
            .collect();
        assert_eq!(&got, ctx);
        assert_eq!(g.version(), m.versions.get(name).copied().unwrap_or(0));
    }
    assert_eq!(m.inboxes.len(), r.agent_count());
    for (&id, want) in &m.inboxes {
        let inbox = r.inbox(id).expect("every agent has an inbox");
        let unread: Vec<(u64, Option<SessionId>, String)> = inbox
            .unread()
            .map(|msg| (msg.seq, msg.from, msg.text.clone()))
            .collect();
        assert_eq!(unread, Vec::from_iter(want.unread.iter().cloned()));
        assert_eq!(
            (inbox.delivered(), inbox.consumed(), inbox.dropped()),
            (want.delivered, want.consumed, want.dropped)
        );
    }
    // A session that is not an agent has no inbox: messages to a destroyed
    // session are gone with it.
    for id in 0..6 {
        if !m.agents.contains_key(&SessionId(id)) {
            assert_eq!(
                r.inbox(SessionId(id)),
                Err(AgentError::NoMetadata(SessionId(id)))
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn registry_keeps_its_invariants(ops in proptest::collection::vec(op(), 0..80)) {
        let mut r = Registry::new();
        let mut m = Model::default();
        for (t, op) in ops.iter().enumerate() {
            step(&mut r, &mut m, op, 1_000 + t as i64);
        }
        // Destroying every session leaves nothing behind.
        for id in 0..6 {
            let _ = r.session_destroyed(SessionId(id), 10_000);
        }
        prop_assert_eq!(r, Registry::new());
    }
}
