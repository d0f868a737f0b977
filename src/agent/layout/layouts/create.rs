//! Making a layout: [`Layouts::plan`] checks a creation and changes
//! nothing; [`Layouts::create`] records what the server made. Also the
//! splitting of `-e role=command` overrides.

use crate::agent::error::{AgentError, Invalid, Limit};
use crate::agent::layout::template::{Slot, Template};
use crate::agent::layout::{command, layout_key, role_name, LayoutId, ManagedId};
use crate::agent::SessionId;

use super::{CreatePlan, Layout, Layouts, ManagedPane, PaneState};

impl Layouts {
    /// Checks a creation before anything is made. In order: the key's
    /// syntax; a live layout created with the same key means
    /// [`CreatePlan::Replay`] (whatever the other arguments, and even at the
    /// limit); the command overrides (role, command), whose roles must be
    /// the template's and given once; and the number of live layouts, which
    /// must be below `limit`.
    pub fn plan(
        &self,
        template: &Template,
        overrides: &[(String, String)],
        key: Option<&str>,
        limit: usize,
    ) -> Result<CreatePlan, AgentError> {
        if let Some(key) = key {
            layout_key(key)?;
            if let Some(&id) = self.by_key.get(key) {
                if self.is_live(id) {
                    return Ok(CreatePlan::Replay(id));
                }
            }
        }
        for (i, (role, cmd)) in overrides.iter().enumerate() {
            role_name(role)?;
            if !template.roles.iter().any(|r| r.role == *role) {
                return Err(AgentError::UnknownRole(role.clone()));
            }
            if overrides[..i].iter().any(|(r, _)| r == role) {
                return Err(Invalid::DuplicateOverride(role.clone()).into());
            }
            command(role, cmd)?;
        }
        let count = self.live_count();
        if count >= limit {
            return Err(Limit::Layouts { count, max: limit }.into());
        }
        Ok(CreatePlan::New)
    }

    /// Records a new layout for session `session`; returns its id and the
    /// managed ids of its slots in slot order, all Creating. `slots` come
    /// from [`Template::slots`] with overrides applied by the caller
    /// ([`Template::slots_with`]). A session has one live layout: a new one
    /// for the same session takes its place in
    /// [`Layouts::layout_of_session`].
    pub fn create(
        &mut self,
        session: SessionId,
        template: &Template,
        group: &str,
        key: Option<&str>,
        slots: Vec<Slot>,
        now: i64,
    ) -> (LayoutId, Vec<ManagedId>) {
        self.last_layout += 1;
        let id = LayoutId(self.last_layout);
        let mut ids = Vec::with_capacity(slots.len());
        for slot in slots {
            self.last_pane += 1;
            let m = ManagedId(self.last_pane);
            self.panes.insert(
                m,
                ManagedPane {
                    id: m,
                    layout: id,
                    pane: None,
                    label: slot.label,
                    role: slot.role,
                    command: slot.command,
                    state: PaneState::Creating,
                    stage: None,
                    exit_status: None,
                    error: None,
                    predecessor: None,
                    successor: None,
                    depth: 0,
                    created: now,
                    recreate_key: None,
                    released: false,
                    worktree: None,
                },
            );
            ids.push(m);
        }
        self.layouts.insert(
            id,
            Layout {
                id,
                session,
                template: template.name.clone(),
                tmux_layout: template.layout.clone(),
                group: group.to_owned(),
                key: key.map(str::to_owned),
                created: now,
                panes: ids.clone(),
                window: None,
            },
        );
        self.by_session.insert(session, id);
        if let Some(key) = key {
            self.by_key.insert(key.to_owned(), id);
        }
        self.refresh(id);
        (id, ids)
    }

    /// Undoes a [`Layouts::create`] whose tmux panes could not all be made,
    /// as if it never happened: the layout and its panes are forgotten with
    /// no transition, and when they were the last ids given, those ids are
    /// given again. Returns whether `id` was a layout. Only for a layout
    /// nothing else has seen yet (the command that made it is failing).
    pub fn discard(&mut self, id: LayoutId) -> bool {
        let Some(l) = self.layouts.remove(&id) else {
            return false;
        };
        for m in &l.panes {
            if let Some(p) = self.panes.remove(m) {
                if let Some(pane) = p.pane {
                    if self.by_tmux.get(&pane) == Some(m) {
                        self.by_tmux.remove(&pane);
                    }
                }
            }
        }
        if self.by_session.get(&l.session) == Some(&id) {
            self.by_session.remove(&l.session);
        }
        if let Some(key) = &l.key {
            if self.by_key.get(key) == Some(&id) {
                self.by_key.remove(key);
            }
        }
        self.live.remove(&id);
        self.retired.remove(&id);
        if self.last_layout == id.0 {
            self.last_layout -= 1;
        }
        // The panes' ids were given in one run ending at last_pane.
        let first = l.panes.iter().min().map(|m| m.0);
        if let (Some(first), Some(last)) = (first, l.panes.iter().max().map(|m| m.0)) {
            if last == self.last_pane && (last - first) as usize + 1 == l.panes.len() {
                self.last_pane = first - 1;
            }
        }
        true
    }
}

/// Splits a `-e role=command` argument at its first `=` (so the command may
/// contain `=`). The role and the command are checked by [`Layouts::plan`],
/// once every argument has been split.
pub fn parse_override(arg: &str) -> Result<(String, String), AgentError> {
    let (role, command) = arg
        .split_once('=')
        .ok_or_else(|| Invalid::Override(arg.to_owned()))?;
    Ok((role.to_owned(), command.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{one_m_two_s, NOW};
    use super::super::DEFAULT_LAYOUT_LIMIT;
    use super::*;
    use crate::agent::layout::template::Templates;
    use crate::ids::PaneId;
    use PaneState::*;

    #[test]
    fn create_records_creating_panes() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let slots = t.slots_with(&[("specialist".into(), "codex".into())]);
        let (id, ms) = ls.create(SessionId(4), &t, "team", Some("k1"), slots, NOW);
        assert_eq!(
            (id, ms.clone()),
            (LayoutId(1), vec![ManagedId(1), ManagedId(2), ManagedId(3)])
        );
        let l = ls.layout(id).unwrap();
        assert_eq!(
            l,
            &Layout {
                id: LayoutId(1),
                session: SessionId(4),
                template: "1m+2s".into(),
                tmux_layout: Some("main-vertical".into()),
                group: "team".into(),
                key: Some("k1".into()),
                created: NOW,
                panes: vec![ManagedId(1), ManagedId(2), ManagedId(3)],
                window: None,
            }
        );
        let p = ls.pane(ManagedId(2)).unwrap();
        assert_eq!(
            (p.label.as_str(), p.role.as_str(), p.command.as_deref()),
            ("s1", "specialist", Some("codex"))
        );
        assert_eq!(
            (p.state, p.stage, p.pane, p.depth),
            (Creating, None, None, 0)
        );
        assert_eq!((p.predecessor, p.successor, p.created), (None, None, NOW));
        assert_eq!(ls.pane(ManagedId(1)).unwrap().command, None);
        assert_eq!(ls.state(id), Creating);
        assert!(ls.is_live(id));
        assert_eq!(ls.live_count(), 1);
        assert_eq!(ls.layout_of_session(SessionId(4)), Some(LayoutId(1)));
        assert_eq!(ls.layout_of_session(SessionId(5)), None);
        assert_eq!(
            ls.counts(id),
            [
                (Creating, 3),
                (Ready, 0),
                (Degraded, 0),
                (Failed, 0),
                (Removed, 0)
            ]
        );
        let (id2, ms2) = ls.create(SessionId(5), &t, "team", None, t.slots(), NOW);
        assert_eq!(
            (id2, ms2),
            (LayoutId(2), vec![ManagedId(4), ManagedId(5), ManagedId(6)])
        );
        let ids: Vec<LayoutId> = ls.layouts().map(|l| l.id).collect();
        assert_eq!(ids, [LayoutId(1), LayoutId(2)]);
        ls.assert_consistent();
    }

    #[test]
    fn plan_new_and_replay_by_key() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        assert_eq!(ls.plan(&t, &[], Some("job-1"), 40), Ok(CreatePlan::New));
        let (id, ms) = ls.create(SessionId(1), &t, "g", Some("job-1"), t.slots(), NOW);
        assert_eq!(
            ls.plan(&t, &[], Some("job-1"), 40),
            Ok(CreatePlan::Replay(id))
        );
        // Whatever else is asked, and at the limit.
        let other = Templates::new().get("2m+2s").unwrap().clone();
        assert_eq!(
            ls.plan(&other, &[("nope".into(), "x".into())], Some("job-1"), 1),
            Ok(CreatePlan::Replay(id))
        );
        assert_eq!(ls.plan(&t, &[], Some("job-2"), 40), Ok(CreatePlan::New));
        assert_eq!(ls.plan(&t, &[], None, 40), Ok(CreatePlan::New));
        // Once the layout is removed, the key is free.
        for &m in &ms {
            let _ = ls.pane_create_failed(m, "no space for new pane");
        }
        assert_eq!(
            ls.plan(&t, &[], Some("job-1"), 40),
            Ok(CreatePlan::Replay(id))
        );
        let _ = ls.session_destroyed(SessionId(1));
        assert_eq!(ls.plan(&t, &[], Some("job-1"), 40), Ok(CreatePlan::New));
        let (id2, _) = ls.create(SessionId(2), &t, "g", Some("job-1"), t.slots(), NOW);
        assert_eq!(
            ls.plan(&t, &[], Some("job-1"), 40),
            Ok(CreatePlan::Replay(id2))
        );
        assert!(ls
            .plan(&t, &[], Some("bad key"), 40)
            .unwrap_err()
            .to_string()
            .starts_with(r#"invalid idempotency key: "bad key""#));
        ls.assert_consistent();
    }

    #[test]
    fn plan_limit_counts_live_layouts() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        for s in (0..DEFAULT_LAYOUT_LIMIT as u32).map(SessionId) {
            assert_eq!(
                ls.plan(&t, &[], None, DEFAULT_LAYOUT_LIMIT),
                Ok(CreatePlan::New)
            );
            ls.create(s, &t, "g", Some(&format!("k{}", s.0)), t.slots(), NOW);
        }
        assert_eq!(ls.live_count(), 40);
        let before = ls.clone();
        assert_eq!(
            ls.plan(&t, &[], None, DEFAULT_LAYOUT_LIMIT)
                .unwrap_err()
                .to_string(),
            "too many layouts: 40 live (limit 40)"
        );
        assert_eq!(ls, before);
        assert_eq!(
            ls.plan(&t, &[], Some("k3"), DEFAULT_LAYOUT_LIMIT),
            Ok(CreatePlan::Replay(LayoutId(4)))
        );
        // A removed layout frees its place.
        assert_eq!(ls.session_destroyed(SessionId(0)).len(), 3);
        assert_eq!(ls.live_count(), 39);
        assert_eq!(
            ls.plan(&t, &[], None, DEFAULT_LAYOUT_LIMIT),
            Ok(CreatePlan::New)
        );
        assert!(ls.plan(&t, &[], None, 39).is_err());
        assert!(ls.plan(&t, &[], None, 0).is_err());
    }

    #[test]
    fn overrides_split_at_the_first_equals() {
        let pair = |r: &str, c: &str| Ok((r.to_owned(), c.to_owned()));
        assert_eq!(parse_override("m=cat"), pair("m", "cat"));
        assert_eq!(parse_override("m=a=b c"), pair("m", "a=b c"));
        assert_eq!(parse_override("m="), pair("m", ""));
        assert_eq!(parse_override("=x"), pair("", "x"));
        assert_eq!(
            parse_override("manager").unwrap_err().to_string(),
            "invalid -e (expected role=command): manager"
        );
    }

    #[test]
    fn plan_checks_overrides() {
        let ls = Layouts::new();
        let t = one_m_two_s();
        let o = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|&(r, c)| (r.into(), c.into())).collect()
        };
        assert_eq!(
            ls.plan(
                &t,
                &o(&[("manager", "claude"), ("specialist", "codex")]),
                None,
                40
            ),
            Ok(CreatePlan::New)
        );
        let err =
            |pairs: &[(&str, &str)]| ls.plan(&t, &o(pairs), None, 40).unwrap_err().to_string();
        assert_eq!(err(&[("reviewer", "x")]), "unknown role in -e: reviewer");
        assert_eq!(
            err(&[("manager", "a"), ("manager", "b")]),
            "duplicate role in -e: manager"
        );
        assert!(err(&[("a b", "x")]).starts_with(r#"invalid role name: "a b""#));
        assert_eq!(err(&[("manager", "")]), "empty command for role manager");
        assert_eq!(
            err(&[("manager", "a\nb")]),
            "command contains a control character"
        );
    }

    #[test]
    fn discard_forgets_a_layout_and_gives_its_ids_again() {
        use super::super::testing::made;
        let mut ls = Layouts::new();
        let (a, _) = made(&mut ls, SessionId(1), PaneId(10));
        let before = ls.clone();
        let t = one_m_two_s();
        let (b, ms) = ls.create(SessionId(2), &t, "g", Some("k1"), t.slots(), NOW);
        ls.pane_created(ms[0], PaneId(20));
        assert!(ls.discard(b));
        assert!(!ls.discard(b));
        assert_eq!(ls, before);
        assert!(ls.layout_of_session(SessionId(2)).is_none());
        assert!(ls.by_tmux_pane(PaneId(20)).is_none());
        assert_eq!(ls.plan(&t, &[], Some("k1"), 40), Ok(CreatePlan::New));
        // The next layout gets the discarded ids.
        let (c, ms2) = ls.create(SessionId(3), &t, "g", None, t.slots(), NOW);
        assert_eq!((c, ms2), (b, ms));
        assert_eq!(ls.layout_of_session(SessionId(1)), Some(a));
        ls.assert_consistent();
    }
}
