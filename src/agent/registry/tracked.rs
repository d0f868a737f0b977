//! A map that remembers which of its keys were reached for a change, so a
//! copy kept elsewhere (the server's persistent store) can catch up with
//! what changed alone instead of comparing everything.
//!
//! Reads go through `Deref` to the map; every way to change it is a method
//! here that records the key, so no change can be missed. A key is
//! recorded as *replaced* when its value was inserted or removed whole (a
//! copy must then take it whole), else as *changed* (reached through
//! [`Tracked::get_mut`], perhaps without an actual change: recording is
//! conservative).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// The keys a [`Tracked`] map recorded since they were last taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched<K: Ord> {
    /// Reached for a change.
    pub changed: BTreeSet<K>,
    /// Inserted or removed whole (also in `changed`).
    pub replaced: BTreeSet<K>,
}

impl<K: Ord> Default for Touched<K> {
    fn default() -> Self {
        Touched {
            changed: BTreeSet::new(),
            replaced: BTreeSet::new(),
        }
    }
}

impl<K: Ord> Touched<K> {
    /// Nothing recorded?
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }

    /// Adds what `other` recorded.
    pub fn extend(&mut self, other: Touched<K>) {
        self.changed.extend(other.changed);
        self.replaced.extend(other.replaced);
    }
}

/// An ordered map recording the keys of its changes. Equality is that of
/// the maps (what was recorded is bookkeeping, not state).
#[derive(Debug, Clone)]
pub struct Tracked<K: Ord, V> {
    map: BTreeMap<K, V>,
    touched: Touched<K>,
}

impl<K: Ord, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Tracked {
            map: BTreeMap::new(),
            touched: Touched::default(),
        }
    }
}

impl<K: Ord, V: PartialEq> PartialEq for Tracked<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<K: Ord, V> Deref for Tracked<K, V> {
    type Target = BTreeMap<K, V>;
    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

impl<K: Ord + Clone, V> Tracked<K, V> {
    /// The value of `k`, to change it; `k` is recorded if it is present.
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized + ToOwned<Owned = K>,
    {
        let v = self.map.get_mut(k)?;
        self.touched.changed.insert(k.to_owned());
        Some(v)
    }

    /// Inserts `v` under `k`, replacing any value it had.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.touched.changed.insert(k.clone());
        self.touched.replaced.insert(k.clone());
        self.map.insert(k, v)
    }

    /// Removes `k`'s value; `k` is recorded if it was present.
    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized + ToOwned<Owned = K>,
    {
        let v = self.map.remove(k)?;
        self.touched.changed.insert(k.to_owned());
        self.touched.replaced.insert(k.to_owned());
        Some(v)
    }

    /// The value of `k`, made with `make` if it has none.
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        if !self.map.contains_key(&k) {
            self.touched.replaced.insert(k.clone());
        }
        self.touched.changed.insert(k.clone());
        self.map.entry(k).or_insert_with(make)
    }

    /// What was recorded since the last call; recording starts afresh.
    pub fn take_touched(&mut self) -> Touched<K> {
        std::mem::take(&mut self.touched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_recorded_and_reads_are_not() {
        let mut m: Tracked<String, u32> = Tracked::default();
        m.insert("a".into(), 1);
        let _ = m.get_or_insert_with("b".into(), || 2);
        let t = m.take_touched();
        assert_eq!(t.changed, ["a", "b"].map(String::from).into());
        assert_eq!(t.replaced, t.changed);
        assert_eq!(m.get("a"), Some(&1));
        assert!(m.take_touched().is_empty(), "reads record nothing");
        *m.get_mut("a").unwrap() += 1;
        assert!(m.get_mut("zz").is_none());
        let _ = m.get_or_insert_with("b".into(), || 9);
        let t = m.take_touched();
        assert_eq!(t.changed, ["a", "b"].map(String::from).into());
        assert!(t.replaced.is_empty(), "changed in place");
        assert_eq!(m.remove("b"), Some(2));
        assert_eq!(m.remove("b"), None);
        let t = m.take_touched();
        assert_eq!(t.replaced, ["b"].map(String::from).into());
    }

    #[test]
    fn equality_ignores_what_was_recorded() {
        let mut a: Tracked<u32, u32> = Tracked::default();
        let mut b = a.clone();
        a.insert(1, 1);
        b.insert(1, 1);
        let _ = b.take_touched();
        assert_eq!(a, b);
    }
}
