//! How a target that may hold a layout or managed-pane id (`L<n>`, `M<n>`,
//! see [`crate::ids`]) is read.
//!
//! Ids are read as tmux reads `$N`, `@N` and `%N`: a word of the id form is
//! always the id, never a session name, and a command naming an id that
//! does not exist fails even if a session has that name. A session whose
//! name has the id form is named with tmux's exact-name prefix `=`
//! (`=L2`, `=L2:m1`).

use crate::agent::layout::{LayoutId, ManagedId};

/// The layout part of a `LAYOUT:LABEL` target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutRef<'a> {
    /// `L3`: layout 3, whatever the sessions are named.
    Id(LayoutId),
    /// `team` or `=team`: the live layout of the session named exactly so
    /// (the `=` taken off).
    Session(&'a str),
}

/// What a managed-pane target (`-t` of the commands acting on one managed
/// pane) names, before anything is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneTarget<'a> {
    /// `M7`.
    Managed(ManagedId),
    /// `L3` alone: a layout, which is not a pane.
    Layout(LayoutId),
    /// `LAYOUT:LABEL`. With a [`LayoutRef::Id`] the label must be found in
    /// that layout; with a session name a target that is no label may still
    /// be an ordinary tmux target (`team:0.1`).
    Label {
        layout: LayoutRef<'a>,
        label: &'a str,
    },
    /// Anything else: an ordinary tmux pane target.
    Tmux(&'a str),
}

/// Reads a managed-pane target by the rule above.
pub fn parse_pane_target(t: &str) -> PaneTarget<'_> {
    if let Ok(m) = t.parse() {
        return PaneTarget::Managed(m);
    }
    if let Ok(id) = t.parse() {
        return PaneTarget::Layout(id);
    }
    if let Some((lay, label)) = t.rsplit_once(':') {
        let layout = match lay.parse() {
            Ok(id) => LayoutRef::Id(id),
            Err(_) => LayoutRef::Session(lay.strip_prefix('=').unwrap_or(lay)),
        };
        return PaneTarget::Label { layout, label };
    }
    PaneTarget::Tmux(t)
}

/// The layout a layout target (`-t` of the commands acting on a layout)
/// names by id; `None`: it is a session target, for tmux.
pub fn parse_layout_target(t: &str) -> Option<LayoutId> {
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_forms_are_ids_and_equals_names_the_session() {
        use LayoutRef::*;
        use PaneTarget::*;
        assert_eq!(parse_pane_target("M7"), Managed(ManagedId(7)));
        assert_eq!(parse_pane_target("L2"), Layout(LayoutId(2)));
        assert_eq!(
            parse_pane_target("L2:m1"),
            Label {
                layout: Id(LayoutId(2)),
                label: "m1"
            }
        );
        // An id-form layout part is the id even before a tmux-like label.
        assert_eq!(
            parse_pane_target("L2:0.1"),
            Label {
                layout: Id(LayoutId(2)),
                label: "0.1"
            }
        );
        assert_eq!(
            parse_pane_target("=L2:m1"),
            Label {
                layout: Session("L2"),
                label: "m1"
            }
        );
        assert_eq!(
            parse_pane_target("team:s1"),
            Label {
                layout: Session("team"),
                label: "s1"
            }
        );
        assert_eq!(parse_pane_target("=M7"), Tmux("=M7"));
        assert_eq!(parse_pane_target("%5"), Tmux("%5"));
        assert_eq!(parse_pane_target("M0"), Tmux("M0"));
        assert_eq!(
            parse_pane_target("L0:m1").clone(),
            Label {
                layout: Session("L0"),
                label: "m1"
            }
        );
        assert_eq!(parse_layout_target("L2"), Some(LayoutId(2)));
        assert_eq!(parse_layout_target("=L2"), None);
        assert_eq!(parse_layout_target("work"), None);
    }
}
