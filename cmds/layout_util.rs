//! Helpers shared by the layout commands: resolving layout and managed-pane
//! targets, the formats and JSON shapes of layouts and managed panes.
//!
//! Managed-pane targets: `M7` (managed id), `LAYOUT:LABEL` where LAYOUT is a
//! layout id (`L3`) or the layout's session name (`team:m1`, `=team:m1`), or
//! any tmux pane target (`%5`, `team:0.1`) that is a managed pane. Layout
//! targets: `L3`, or any session target whose session holds a layout. An id
//! form is always the id, as tmux's `$N`; `=NAME` names a session whose name
//! looks like one (see `agent::layout::parse_pane_target`).

use agent_tmux::agent::layout::{
    self, Layout, LayoutId, LayoutRef, ManagedId, ManagedPane, PaneId, PaneState, PaneTarget,
};
use agent_tmux::agent::AgentError;
use serde_json::{json, Value as Json};

use crate::server;
use crate::server::state;
use crate::tmux::format::Format;
use crate::tmux::{self, session, At, CmdError, Item};

/// The layout a `-t` names (`None`: the current session's).
pub fn resolve_layout(item: &Item, target: Option<&str>) -> Result<LayoutId, CmdError> {
    if let Some(id) = target.and_then(layout::parse_layout_target) {
        return live_or_kept_layout(id);
    }
    let s = item
        .find_session(target)
        .ok_or_else(|| CmdError::not_found("session", target.unwrap_or("(current session)")))?;
    state::layouts(|l| l.layout_of_session(s)).ok_or(CmdError::NoLayout(s))
}

/// Layout `id`, or "can't find layout".
fn live_or_kept_layout(id: LayoutId) -> Result<LayoutId, CmdError> {
    state::layouts(|l| l.layout(id).map(|x| x.id))
        .ok_or(CmdError::Agent(AgentError::LayoutNotFound(id)))
}

/// The layout of `LAYOUT:LABEL`: by id (which must exist), or the newest
/// layout of the session named exactly so.
fn layout_of_ref(r: LayoutRef<'_>) -> Result<Option<LayoutId>, CmdError> {
    match r {
        LayoutRef::Id(id) => live_or_kept_layout(id).map(Some),
        LayoutRef::Session(name) => Ok(state::layouts(|l| {
            l.layouts()
                .filter(|x| session::name(x.session).as_deref() == Some(name))
                .map(|x| x.id)
                .last()
        })),
    }
}

/// A tmux pane target as tmux should see it: `=NAME` alone (our way of
/// naming a session whose name looks like an id) is that session's current
/// pane, which tmux spells `=NAME:`.
fn tmux_pane_target(t: &str) -> std::borrow::Cow<'_, str> {
    if t.starts_with('=') && !t.contains([':', '.']) {
        format!("{t}:").into()
    } else {
        t.into()
    }
}

/// A label-like name that tmux cannot resolve either.
fn label_like(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// The managed pane a `-t` names (`None`: the current pane), by the rule of
/// [`layout::parse_pane_target`]: an id form is always the id.
pub fn resolve_pane(item: &Item, target: Option<&str>) -> Result<ManagedId, CmdError> {
    let shown = target.unwrap_or("(current pane)");
    let mut tmux_target = target.map(std::borrow::Cow::Borrowed);
    if let Some(t) = target {
        match layout::parse_pane_target(t) {
            PaneTarget::Managed(m) => {
                return state::layouts(|l| l.pane(m).map(|p| p.id))
                    .ok_or_else(|| CmdError::not_found("managed pane", shown));
            }
            PaneTarget::Layout(_) => return Err(CmdError::not_found("pane", shown)),
            PaneTarget::Label { layout, label } => {
                let by_id = matches!(layout, LayoutRef::Id(_));
                if let Some(id) = layout_of_ref(layout)? {
                    if let Some(m) = state::layouts(|l| l.find_label(id, label).map(|p| p.id)) {
                        return Ok(m);
                    }
                    if by_id || (label_like(label) && item.find_pane(Some(t)).is_none()) {
                        return Err(not_in_layout(id, label));
                    }
                }
            }
            PaneTarget::Tmux(t) => tmux_target = Some(tmux_pane_target(t)),
        }
    }
    let pane = item
        .find_pane(tmux_target.as_deref())
        .ok_or_else(|| CmdError::not_found("pane", shown))?;
    state::layouts(|l| l.by_tmux_pane(pane).map(|p| p.id)).ok_or(CmdError::NotManaged(pane))
}

/// `can't find pane LABEL in layout L3`.
fn not_in_layout(layout: LayoutId, label: &str) -> CmdError {
    let label = label.to_string();
    AgentError::LabelNotFound { layout, label }.into()
}

/// Pane counts by state, e.g. `ready 2, degraded 1`.
pub fn counts_text(id: LayoutId) -> String {
    state::layouts(|l| {
        l.counts(id)
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Add a layout's formats (`agent_layout_*`) to a format tree.
pub fn layout_formats(ft: &mut Format<'_>, lay: &Layout, st: PaneState, live: usize) {
    ft.session(lay.session)
        .add("agent_layout_id", &lay.id.to_string())
        .add("agent_layout_session", &session::display_name(lay.session))
        .add("agent_layout_session_id", &lay.session.to_string())
        .add("agent_layout_template", &lay.template)
        .add("agent_layout_group", &lay.group)
        .add("agent_layout_state", &st.to_string())
        .add("agent_layout_key", lay.key.as_deref().unwrap_or(""))
        .add("agent_layout_created", &lay.created.to_string())
        .add("agent_layout_panes", &live.to_string())
        .add(
            "agent_layout_restored",
            if crate::server::store::is_restored(lay.id) {
                "1"
            } else {
                "0"
            },
        );
}

/// Add a managed pane's formats (`agent_pane_*`) to a format tree.
pub fn pane_formats(ft: &mut Format<'_>, p: &ManagedPane) {
    // A released pane is a plain pane now: not this record's to show.
    if let Some(id) = p.pane.filter(|id| !p.released && tmux::pane::exists(*id)) {
        ft.pane(id);
    }
    ft.add("agent_pane_id", &p.id.to_string())
        .add("agent_pane_layout", &p.layout.to_string())
        .add(
            "agent_pane_tmux_id",
            &p.pane.map(|x| x.to_string()).unwrap_or_default(),
        )
        .add("agent_pane_label", &p.label)
        .add("agent_pane_role", &p.role)
        .add("agent_pane_state", &p.state.to_string())
        .add(
            "agent_pane_stage",
            &p.stage.map(|s| s.to_string()).unwrap_or_default(),
        )
        .add(
            "agent_pane_exit_status",
            &p.exit_status.map(|s| s.to_string()).unwrap_or_default(),
        )
        .add(
            "agent_pane_predecessor",
            &p.predecessor.map(|m| m.to_string()).unwrap_or_default(),
        )
        .add("agent_pane_depth", &p.depth.to_string())
        .add("agent_pane_released", if p.released { "1" } else { "0" })
        .add("agent_pane_created", &p.created.to_string());
    let wt = p.worktree.as_ref();
    ft.add("agent_pane_worktree", wt.map_or("", |w| w.path.as_str()))
        .add("agent_pane_branch", wt.map_or("", |w| w.branch.as_str()))
        .add(
            "agent_pane_worktree_base",
            wt.map_or("", |w| w.base.as_str()),
        )
        .add(
            "agent_pane_worktree_removed",
            if wt.is_some_and(|w| w.removed) {
                "1"
            } else {
                "0"
            },
        );
}

/// A managed pane as JSON.
pub fn pane_json(p: &ManagedPane) -> Json {
    let st = p
        .pane
        .filter(|_| !p.released)
        .and_then(crate::server::agent_state::current);
    json!({
        "id": p.id.to_string(),
        "layout": p.layout.to_string(),
        "pane_id": p.pane.map(|x| x.to_string()),
        "label": p.label,
        "role": p.role,
        "command": p.command,
        "state": p.state.to_string(),
        "failed_stage": p.stage.map(|s| s.to_string()),
        "exit_status": p.exit_status,
        "error": p.error,
        "predecessor": p.predecessor.map(|m| m.to_string()),
        "successor": p.successor.map(|m| m.to_string()),
        "depth": p.depth,
        "created": p.created,
        "released": p.released,
        "worktree": p.worktree.as_ref().map(|w| w.path.clone()),
        "branch": p.worktree.as_ref().map(|w| w.branch.clone()),
        "worktree_base": p.worktree.as_ref().map(|w| w.base.clone()),
        "worktree_removed": p.worktree.as_ref().map(|w| w.removed),
        "agent_state": st.as_ref().map(|s| s.0.to_string()),
        "agent_state_reason": st.map(|s| s.1),
        "conversation_id": p
            .pane
            .filter(|_| !p.released)
            .and_then(crate::server::agent_state::info)
            .and_then(|i| i.conversation_id),
    })
}

/// A layout as JSON.
pub fn layout_json(id: LayoutId) -> Json {
    state::layouts(|l| {
        let Some(lay) = l.layout(id) else {
            return Json::Null;
        };
        let counts: serde_json::Map<String, Json> = l
            .counts(id)
            .iter()
            .map(|(s, n)| (s.to_string(), json!(n)))
            .collect();
        json!({
            "id": lay.id.to_string(),
            "session_id": lay.session.to_string(),
            "session_name": session::name(lay.session),
            "template": lay.template,
            "group": lay.group,
            "key": lay.key,
            "state": l.state(id).to_string(),
            "created": lay.created,
            "counts": counts,
        })
    })
}

/// A tmux pane named by a managed-pane form (`M7`, `LAYOUT:LABEL`) or by any
/// tmux pane target (`None`: the current pane). An id form is always the id
/// ([`layout::parse_pane_target`]): its managed pane must have a live pane.
pub fn resolve_tmux_pane(item: &Item, target: Option<&str>) -> Result<PaneId, CmdError> {
    let shown = target.unwrap_or("(current pane)");
    let live = |m: ManagedId| {
        state::layouts(|l| l.pane(m).and_then(|p| p.pane)).filter(|p| tmux::pane::exists(*p))
    };
    let mut tmux_target = target.map(std::borrow::Cow::Borrowed);
    if let Some(t) = target {
        match layout::parse_pane_target(t) {
            PaneTarget::Managed(m) => {
                if state::layouts(|l| l.pane(m).is_none()) {
                    return Err(CmdError::not_found("managed pane", shown));
                }
                return live(m).ok_or_else(|| CmdError::not_found("pane", shown));
            }
            PaneTarget::Layout(_) => return Err(CmdError::not_found("pane", shown)),
            PaneTarget::Label { layout, label } => {
                let by_id = matches!(layout, LayoutRef::Id(_));
                if let Some(id) = layout_of_ref(layout)? {
                    let m = state::layouts(|l| l.find_label(id, label).map(|p| p.id));
                    if let Some(p) = m.and_then(live) {
                        return Ok(p);
                    }
                    if by_id {
                        return Err(match m {
                            Some(_) => CmdError::not_found("pane", shown),
                            None => not_in_layout(id, label),
                        });
                    }
                }
            }
            PaneTarget::Tmux(t) => tmux_target = Some(tmux_pane_target(t)),
        }
    }
    item.find_pane(tmux_target.as_deref())
        .ok_or_else(|| CmdError::not_found("pane", shown))
}

/// What a new managed pane runs.
pub enum Launch<'a> {
    /// No process (a pane that could not really be made, kept as a place).
    Empty,
    /// A shell command (or the default shell), optionally in a directory.
    Command {
        dir: Option<&'a str>,
        command: Option<&'a str>,
    },
}

/// Split pane `%from` to make managed pane `m`'s tmux pane with upstream's
/// split-window: record it, keep its output readable when its process exits
/// (remain-on-exit) and title it with its label. If no pane could be made,
/// `m` becomes failed (stage pane_create) and `None` is returned. Starting
/// the settle timer is left to the caller.
pub fn split_managed(
    item: &Item,
    from: PaneId,
    m: ManagedId,
    label: &str,
    launch: Launch<'_>,
) -> Option<PaneId> {
    let made = split_pane(item, from, m, label, launch);
    if made.is_err() {
        server::apply_layouts(|l| l.pane_create_failed(m, "split-window failed"));
    }
    made.ok()
}

/// [`split_managed`] without recording a failure: `Err` says why no pane
/// was made ([`CmdError::Reported`] when split-window already printed why).
pub fn split_pane(
    item: &Item,
    from: PaneId,
    m: ManagedId,
    label: &str,
    launch: Launch<'_>,
) -> Result<PaneId, CmdError> {
    let before = tmux::pane::window_panes(from);
    let mut argv = vec!["split-window", "-d"];
    match launch {
        Launch::Empty => argv.push(""),
        Launch::Command { dir, command } => {
            if let Some(d) = dir {
                argv.extend(["-c", d]);
            }
            // `--`: a command starting with '-' must not become a flag.
            if let Some(c) = command {
                argv.extend(["--", c]);
            }
        }
    }
    item.run(At::Pane(from), &argv)?;
    let p = tmux::pane::window_panes(from)
        .into_iter()
        .find(|p| !before.contains(p))
        .ok_or_else(|| CmdError::Failed("split-window made no pane".to_string()))?;
    server::apply_layouts(|l| l.pane_created(m, p));
    let _ = item.run(At::Pane(p), &["set-option", "-p", "remain-on-exit", "on"]);
    let _ = item.run(At::Pane(p), &["select-pane", "-T", label]);
    Ok(p)
}

/// The worktree removing managed pane `m` should clean up: its own, not yet
/// removed, and not taken over by a recreate of it.
pub fn worktree_to_clean(m: ManagedId) -> Option<layout::Worktree> {
    state::layouts(|l| {
        let p = l.pane(m)?;
        if p.successor.is_some() {
            return None;
        }
        p.worktree.clone().filter(|w| !w.removed)
    })
}
