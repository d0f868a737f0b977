//! Test support for the registry: fixtures the tests of its parts share.

use std::fmt;

use super::Registry;
use crate::agent::error::AgentError;
use crate::agent::{SessionId, Value};

pub(super) const T: i64 = 1_700_000_000;

pub(super) fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// A registry with `ids` joined to `group` in that order.
pub(super) fn with_group(group: &str, ids: &[SessionId]) -> Registry {
    let mut r = Registry::new();
    for (i, &id) in ids.iter().enumerate() {
        let _ = r.join(id, group, T + i as i64).unwrap();
    }
    r
}

pub(super) fn members(r: &Registry, group: &str) -> Vec<SessionId> {
    r.group(group).unwrap().members().collect()
}

/// Runs `op` on a copy of `r`, checks it fails with `want` and that the
/// copy is unchanged.
pub(super) fn fails<T: fmt::Debug>(
    r: &Registry,
    want: AgentError,
    op: impl FnOnce(&mut Registry) -> Result<T, AgentError>,
) {
    let mut copy = r.clone();
    assert_eq!(op(&mut copy).unwrap_err(), want);
    assert_eq!(&copy, r, "a failed operation changed the registry");
}
