//! The shared context of a session's group: writing a key
//! ([`Registry::share`]), removing one ([`Registry::unshare`]) and reading
//! one ([`Registry::get`]). Every write and removal makes the group's next
//! context version.

use crate::agent::context::{Entry, Value};
use crate::agent::error::AgentError;
use crate::agent::event::Event;
use crate::agent::validate;
use crate::agent::SessionId;

use super::{group_name_in, Registry};

/// What [`Registry::share`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "its events must be delivered"]
pub struct ShareOutcome {
    /// The group whose context was written.
    pub group: String,
    /// The key written.
    pub key: String,
    /// The context version the write made.
    pub version: u64,
    /// The key had a value, which was replaced.
    pub replaced: bool,
    /// One `ContextChanged`.
    pub events: Vec<Event>,
}

/// What [`Registry::unshare`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "its events must be delivered"]
pub struct UnshareOutcome {
    /// The group whose context lost the key.
    pub group: String,
    /// The key removed.
    pub key: String,
    /// The context version the removal made.
    pub version: u64,
    /// One `ContextChanged`.
    pub events: Vec<Event>,
}

impl Registry {
    /// Writes `key` in the context of `id`'s group, replacing any value it
    /// had. Each write makes the group's next context version.
    pub fn share(
        &mut self,
        id: SessionId,
        key: &str,
        value: Value,
        now: i64,
    ) -> Result<ShareOutcome, AgentError> {
        validate::key(key)?;
        let size = value.check()?;
        let name = group_name_in(&self.agents, id)?;
        let group = self
            .groups
            .get_mut(name)
            .ok_or(AgentError::NotInGroup(id))?;
        group.check_fit(key, size)?;
        let (version, replaced) = group.write(key, value, size, id, now);
        Ok(ShareOutcome {
            group: name.to_owned(),
            key: key.to_owned(),
            version,
            replaced,
            events: vec![context_event(name, key, version, id)],
        })
    }

    /// Removes `key` from the context of `id`'s group. The removal makes the
    /// group's next context version.
    pub fn unshare(
        &mut self,
        id: SessionId,
        key: &str,
        now: i64,
    ) -> Result<UnshareOutcome, AgentError> {
        validate::key(key)?;
        let name = group_name_in(&self.agents, id)?;
        let group = self
            .groups
            .get_mut(name)
            .ok_or(AgentError::NotInGroup(id))?;
        let version = group
            .erase(key, now)
            .ok_or_else(|| AgentError::KeyNotFound(key.to_owned()))?;
        Ok(UnshareOutcome {
            group: name.to_owned(),
            key: key.to_owned(),
            version,
            events: vec![context_event(name, key, version, id)],
        })
    }

    /// The entry of `key` in the context of `id`'s group.
    pub fn get(&self, id: SessionId, key: &str) -> Result<&Entry, AgentError> {
        validate::key(key)?;
        self.group_of_checked(id)?
            .entry(key)
            .ok_or_else(|| AgentError::KeyNotFound(key.to_owned()))
    }
}

fn context_event(group: &str, key: &str, version: u64, author: SessionId) -> Event {
    Event::ContextChanged {
        group: group.to_owned(),
        key: key.to_owned(),
        version,
        author,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::agent::validate::{MAX_CONTEXT_BYTES, MAX_CONTEXT_KEYS};
    use crate::agent::{Field, Invalid, Limit};
    use serde_json::json;

    // share / unshare / get

    #[test]
    fn share_writes_the_groups_context() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2)]);
        let out = r
            .share(SessionId(2), "plan", text("step 1"), T + 4)
            .unwrap();
        assert_eq!(
            out,
            ShareOutcome {
                group: "g".into(),
                key: "plan".into(),
                version: 1,
                replaced: false,
                events: vec![context_event("g", "plan", 1, SessionId(2))],
            }
        );
        // Every member reads the same context.
        for id in [1, 2] {
            let e = r.get(SessionId(id), "plan").unwrap();
            assert_eq!((e.author, e.time, e.version), (SessionId(2), T + 4, 1));
            assert_eq!(e.value.as_display(), "step 1");
        }
        let g = r.group("g").unwrap();
        assert_eq!((g.version(), g.last_change()), (1, T + 4));
        assert_eq!(g.context_bytes(), "plan".len() + "step 1".len());
    }

    #[test]
    fn share_replaces_a_key_instead_of_duplicating() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2)]);
        let _ = r.share(SessionId(1), "k", text("first value"), T).unwrap();
        let out = r
            .share(
                SessionId(2),
                "k",
                Value::parse_json("[1, 2]").unwrap(),
                T + 1,
            )
            .unwrap();
        assert!(out.replaced);
        assert_eq!(out.version, 2);
        let g = r.group("g").unwrap();
        assert_eq!(g.context_len(), 1);
        assert_eq!(g.context_bytes(), 1 + "[1,2]".len());
        let e = r.get(SessionId(1), "k").unwrap();
        assert_eq!((e.author, e.version), (SessionId(2), 2));
        assert!(e.value.is_json());
        assert_eq!(e.value.as_display(), "[1,2]");
    }

    #[test]
    fn versions_increase_by_one_on_every_write_and_removal() {
        let mut r = with_group("g", &[SessionId(1)]);
        let _ = r.join(SessionId(2), "other", T).unwrap();
        let versions = [
            r.share(SessionId(1), "a", text("1"), T).unwrap().version,
            r.share(SessionId(1), "b", text("2"), T).unwrap().version,
            r.share(SessionId(1), "a", text("3"), T).unwrap().version,
            r.unshare(SessionId(1), "b", T).unwrap().version,
            r.share(SessionId(1), "b", text("4"), T).unwrap().version,
        ];
        assert_eq!(versions, [1, 2, 3, 4, 5]);
        // Versions are per group.
        assert_eq!(r.share(SessionId(2), "a", text("x"), T).unwrap().version, 1);
        assert_eq!(r.group("g").unwrap().version(), 5);
    }

    #[test]
    fn context_lists_in_key_order() {
        let mut r = with_group("g", &[SessionId(1)]);
        for key in ["zeta", "alpha", "mid"] {
            let _ = r.share(SessionId(1), key, text(key), T).unwrap();
        }
        let keys: Vec<&str> = r.group("g").unwrap().context().map(|(k, _)| k).collect();
        assert_eq!(keys, ["alpha", "mid", "zeta"]);
    }

    #[test]
    fn unshare_removes_a_key() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2)]);
        let _ = r.share(SessionId(1), "k", text("v"), T).unwrap();
        let out = r.unshare(SessionId(2), "k", T + 2).unwrap();
        assert_eq!(
            out,
            UnshareOutcome {
                group: "g".into(),
                key: "k".into(),
                version: 2,
                events: vec![context_event("g", "k", 2, SessionId(2))],
            }
        );
        let g = r.group("g").unwrap();
        assert_eq!(
            (g.context_len(), g.context_bytes(), g.last_change()),
            (0, 0, T + 2)
        );
        fails(&r, AgentError::KeyNotFound("k".into()), |r| {
            r.unshare(SessionId(1), "k", T)
        });
    }

    #[test]
    fn share_unshare_get_errors_change_nothing() {
        let mut r = with_group("g", &[SessionId(1)]);
        r.set_agent(SessionId(2), None, None, T).unwrap();
        let _ = r.share(SessionId(1), "k", text("v"), T).unwrap();

        fails(&r, AgentError::NoMetadataForGroup(SessionId(3)), |r| {
            r.share(SessionId(3), "k", text("v"), T)
        });
        fails(&r, AgentError::NotInGroup(SessionId(2)), |r| {
            r.share(SessionId(2), "k", text("v"), T)
        });
        fails(&r, AgentError::NoMetadataForGroup(SessionId(3)), |r| {
            r.unshare(SessionId(3), "k", T)
        });
        fails(&r, AgentError::NotInGroup(SessionId(2)), |r| {
            r.unshare(SessionId(2), "k", T)
        });
        assert_eq!(
            r.get(SessionId(3), "k"),
            Err(AgentError::NoMetadataForGroup(SessionId(3)))
        );
        assert_eq!(
            r.get(SessionId(2), "k"),
            Err(AgentError::NotInGroup(SessionId(2)))
        );
        assert_eq!(
            r.get(SessionId(1), "nope"),
            Err(AgentError::KeyNotFound("nope".into()))
        );

        let bad_key = |k: &str| -> AgentError {
            Invalid::Name {
                field: Field::Key,
                name: k.to_owned(),
            }
            .into()
        };
        let long = "k".repeat(65);
        for k in ["", "a b", "a=b", long.as_str()] {
            fails(&r, bad_key(k), |r| r.share(SessionId(1), k, text("v"), T));
            fails(&r, bad_key(k), |r| r.unshare(SessionId(1), k, T));
            assert_eq!(r.get(SessionId(1), k), Err(bad_key(k)));
        }
        fails(
            &r,
            Invalid::Control {
                field: Field::Value,
            }
            .into(),
            |r| r.share(SessionId(1), "k", text("\u{1b}[31m"), T),
        );
        fails(
            &r,
            Invalid::Control {
                field: Field::Value,
            }
            .into(),
            |r| r.share(SessionId(1), "k", text("c1\u{85}"), T),
        );
        let _ = r
            .share(SessionId(1), &"k".repeat(64), text("v"), T)
            .unwrap();
    }

    #[test]
    fn value_size_boundary() {
        let mut r = with_group("g", &[SessionId(1)]);
        let _ = r
            .share(SessionId(1), "k", text(&"v".repeat(65536)), T)
            .unwrap();
        fails(
            &r,
            Limit::TooLong {
                field: Field::Value,
                len: 65537,
                max: 65536,
            }
            .into(),
            |r| r.share(SessionId(1), "k", text(&"v".repeat(65537)), T),
        );
        let json_long = Value::Json(json!("j".repeat(65535)));
        fails(
            &r,
            Limit::TooLong {
                field: Field::Value,
                len: 65537,
                max: 65536,
            }
            .into(),
            |r| r.share(SessionId(1), "j", json_long, T),
        );
        let _ = r
            .share(SessionId(1), "j", Value::Json(json!("j".repeat(65534))), T)
            .unwrap();
    }

    #[test]
    fn context_key_count_boundary() {
        let mut r = with_group("g", &[SessionId(1)]);
        for i in 0..MAX_CONTEXT_KEYS {
            let _ = r
                .share(SessionId(1), &format!("k{i}"), text(""), T)
                .unwrap();
        }
        assert_eq!(r.group("g").unwrap().context_len(), 1024);
        let full = Limit::ContextKeys {
            count: 1024,
            max: 1024,
        };
        assert_eq!(
            AgentError::from(full.clone()).to_string(),
            "group context full: 1024 keys (limit 1024)"
        );
        fails(&r, full.into(), |r| {
            r.share(SessionId(1), "k1024", text(""), T)
        });
        // Replacing a key is allowed, and after a removal a new key fits.
        assert!(
            r.share(SessionId(1), "k0", text("again"), T)
                .unwrap()
                .replaced
        );
        let _ = r.unshare(SessionId(1), "k1", T).unwrap();
        let _ = r.share(SessionId(1), "k1024", text(""), T).unwrap();
    }

    #[test]
    fn context_byte_boundary() {
        let mut r = with_group("g", &[SessionId(1)]);
        // 16 entries of a 2-byte key and a 65534-byte value: exactly 1 MiB.
        for i in 0..16 {
            let _ = r
                .share(
                    SessionId(1),
                    &format!("{i:02}"),
                    text(&"v".repeat(65534)),
                    T,
                )
                .unwrap();
        }
        assert_eq!(r.group("g").unwrap().context_bytes(), MAX_CONTEXT_BYTES);
        let over = Limit::ContextBytes {
            size: MAX_CONTEXT_BYTES + 1,
            max: MAX_CONTEXT_BYTES,
        };
        assert_eq!(
            AgentError::from(over.clone()).to_string(),
            "group context too large: 1048577 bytes (limit 1048576 bytes)"
        );
        fails(&r, over.into(), |r| r.share(SessionId(1), "x", text(""), T));
        // Replacing counts the old size out first.
        let _ = r
            .share(SessionId(1), "00", text(&"w".repeat(65534)), T)
            .unwrap();
        let _ = r.share(SessionId(1), "01", text("small"), T).unwrap();
        let _ = r
            .share(SessionId(1), "x", text(&"x".repeat(65529 - 1)), T)
            .unwrap();
        assert_eq!(r.group("g").unwrap().context_bytes(), MAX_CONTEXT_BYTES);
    }
}
