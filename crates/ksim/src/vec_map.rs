//! Small ordered maps and sets: a sorted `Vec` searched by bisection.
//!
//! `BTreeMap`/`BTreeSet` compile their node code (search, insert with splits, remove with
//! rebalancing, the range iterators) once per key and value type: the ~120 instantiations
//! in the page's bundle were an eighth of its code. Most of the simulator's maps hold a
//! handful of entries (a broker's listeners, a group's members, a topic's partitions) or
//! are filled in key order, and for those a sorted `Vec` is as fast or faster and far
//! smaller: a lookup is `binary_search_by`, an insert or a remove one `memmove`.
//!
//! `VecMap` and `VecSet` mirror the parts of the `BTreeMap`/`BTreeSet` API the code uses,
//! with the same semantics: iteration in ascending key order, `insert` returning the old
//! value (and keeping the old key, as `BTreeMap` does), `Debug` printing a map or a set.
//! Maps that can grow large with inserts and removes in the middle (the event queue,
//! per-record or per-offset maps, the Streams and ksqlDB stores) stay `BTreeMap`: a sorted
//! `Vec` makes each such insert linear in the map's size.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Bound, Index, RangeBounds};

/// An ordered map over a `Vec` of entries kept sorted by key (see the module docs).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

/// An ordered set over a `Vec` kept sorted (see the module docs).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecSet<T> {
    items: Vec<T>,
}

type Pair<K, V> = (K, V);
pub type Iter<'a, K, V> = std::iter::Map<std::slice::Iter<'a, Pair<K, V>>, fn(&'a Pair<K, V>) -> (&'a K, &'a V)>;
pub type IterMut<'a, K, V> =
    std::iter::Map<std::slice::IterMut<'a, Pair<K, V>>, fn(&'a mut Pair<K, V>) -> (&'a K, &'a mut V)>;
pub type IntoIter<K, V> = std::vec::IntoIter<Pair<K, V>>;

/// The half-open index range `[start, end)` of the sorted `len` keys inside `range`.
fn range_indices<'a, Q: Ord + ?Sized + 'a>(
    len: usize,
    range: &impl RangeBounds<Q>,
    key_at: &mut dyn FnMut(usize) -> &'a Q,
) -> (usize, usize) {
    // The first index whose key is not below the start bound, then the first index whose
    // key is past the end bound.
    let start = match range.start_bound() {
        Bound::Included(low) => partition(len, &mut |i| key_at(i) < low),
        Bound::Excluded(low) => partition(len, &mut |i| key_at(i) <= low),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(high) => partition(len, &mut |i| key_at(i) <= high),
        Bound::Excluded(high) => partition(len, &mut |i| key_at(i) < high),
        Bound::Unbounded => len,
    };
    assert!(start <= end, "range start is greater than range end");
    (start, end)
}

/// The first index in `0..len` for which `before` is false (`before` is true then false).
#[inline(never)]
fn partition(len: usize, before: &mut dyn FnMut(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let mid = low + (high - low) / 2;
        if before(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// `&(k, v)` as `(&k, &v)`, the item of `iter`.
fn pair_ref<K, V>((k, v): &(K, V)) -> (&K, &V) {
    (k, v)
}

/// `&mut (k, v)` as `(&k, &mut v)`, the item of `iter_mut`.
fn pair_mut<K, V>((k, v): &mut (K, V)) -> (&K, &mut V) {
    (k, v)
}

fn iter_of<K, V>(entries: &[(K, V)]) -> Iter<'_, K, V> {
    entries.iter().map(pair_ref as fn(&(K, V)) -> (&K, &V))
}

fn iter_mut_of<K, V>(entries: &mut [(K, V)]) -> IterMut<'_, K, V> {
    entries.iter_mut().map(pair_mut as fn(&mut (K, V)) -> (&K, &mut V))
}

impl<K, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap { entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        iter_of(&self.entries)
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        iter_mut_of(&mut self.entries)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// Keeps the entries for which `keep` is true, visiting them in key order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        // `binary_search_by` is inlined per type: a few hundred bytes each, and the
        // engine's lookups (the network's per-link clocks, the producer's batches) stay as
        // fast as the B-tree's.
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Inserts `value` under `key`; an existing entry keeps its key and gets the new value,
    /// and the old value is returned (as `BTreeMap::insert`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        // Filling in key order is the common case: append without a search.
        if self.entries.last().is_none_or(|(last, _)| *last < key) {
            self.entries.push((key, value));
            return None;
        }
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = match self.entries.last() {
            Some((last, _)) if *last < key => Err(self.entries.len()),
            None => Err(0),
            Some(_) => self.find(&key),
        };
        Entry { map: self, key, at }
    }

    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (start, end) = range_indices(self.entries.len(), &range, &mut |i| self.entries[i].0.borrow());
        iter_of(&self.entries[start..end])
    }

    /// Moves every entry whose key is `>= key` into the returned map.
    pub fn split_off<Q: Ord + ?Sized>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).unwrap_or_else(|i| i);
        VecMap { entries: self.entries.split_off(at) }
    }

    /// Moves every entry of `other` into `self`; on equal keys `other`'s value wins.
    pub fn append(&mut self, other: &mut Self) {
        self.extend(std::mem::take(other));
    }
}

/// A view into one key's place in a `VecMap`, as `btree_map::Entry`'s common methods.
pub struct Entry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    key: K,
    /// `Ok(i)`: the key is at `i`; `Err(i)`: it would be inserted at `i`.
    at: Result<usize, usize>,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn key(&self) -> &K {
        match self.at {
            Ok(i) => &self.map.entries[i].0,
            Err(_) => &self.key,
        }
    }

    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.map.entries.insert(i, (self.key, default()));
                i
            }
        };
        &mut self.map.entries[i].1
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for VecMap<K, V> {
    type Output = V;

    /// Panics when the key is missing, as `BTreeMap`'s `Index`.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl<'a, K: Ord + Copy, V: Copy> Extend<(&'a K, &'a V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, items: I) {
        self.extend(items.into_iter().map(|(&k, &v)| (k, v)));
    }
}

/// Built by insertion, so a repeated key keeps its last value (as `BTreeMap`'s).
impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut map = VecMap::new();
        map.extend(items);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for VecMap<K, V> {
    fn from(items: [(K, V); N]) -> Self {
        items.into_iter().collect()
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T> VecSet<T> {
    pub const fn new() -> Self {
        VecSet { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// Keeps the items for which `keep` is true, visiting them in order.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> VecSet<T> {
    fn find<Q: Ord + ?Sized>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        self.items.binary_search_by(|x| x.borrow().cmp(item))
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    pub fn get<Q: Ord + ?Sized>(&self, item: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
    {
        self.find(item).ok().map(|i| &self.items[i])
    }

    /// Adds `item`; false (and the set unchanged) when an equal item is already there.
    pub fn insert(&mut self, item: T) -> bool {
        if self.items.last().is_none_or(|last| *last < item) {
            self.items.push(item);
            return true;
        }
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.take(item).is_some()
    }

    pub fn take<Q: Ord + ?Sized>(&mut self, item: &Q) -> Option<T>
    where
        T: Borrow<Q>,
    {
        self.find(item).ok().map(|i| self.items.remove(i))
    }

    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> std::slice::Iter<'_, T>
    where
        T: Borrow<Q>,
    {
        let (start, end) = range_indices(self.items.len(), &range, &mut |i| self.items[i].borrow());
        self.items[start..end].iter()
    }

    /// The items of `self` not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + Clone {
        self.items.iter().filter(move |item| !other.contains(*item))
    }

    /// The items in both sets, in order.
    pub fn intersection<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + Clone {
        self.items.iter().filter(move |item| other.contains(*item))
    }

    /// The items in either set, each once, in order.
    pub fn union<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + Clone {
        let (mut a, mut b) = (self.items.iter().peekable(), other.items.iter().peekable());
        let mut merged = Vec::with_capacity(self.len() + other.len());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.cmp(y) {
                    Ordering::Less => a.next(),
                    Ordering::Greater => b.next(),
                    Ordering::Equal => {
                        b.next();
                        a.next()
                    }
                },
                (Some(_), None) => a.next(),
                (None, _) => b.next(),
            };
            match next {
                Some(item) => merged.push(item),
                None => break,
            }
        }
        merged.into_iter()
    }

    /// Moves every item of `other` into `self`.
    pub fn append(&mut self, other: &mut Self) {
        self.extend(std::mem::take(other));
    }
}

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for VecSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Ord> Extend<T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<'a, T: Ord + Copy + 'a> Extend<&'a T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, items: I) {
        self.extend(items.into_iter().copied());
    }
}

/// Built by insertion, so a repeated item is kept once (as `BTreeSet`'s).
impl<T: Ord> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = VecSet::new();
        set.extend(items);
        set
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for VecSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T> IntoIterator for VecSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a VecSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// One call on a map (or, with the value ignored, on a set).
    #[derive(Clone, Debug)]
    enum Op {
        Insert(u8, u16),
        Remove(u8),
        Entry(u8, u16),
        Retain(u8),
        SplitOffAppend(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        // Keys from a small range so inserts hit existing keys and the middle often.
        let key = 0u8..40;
        prop_oneof![
            4 => (key.clone(), any::<u16>()).prop_map(|(k, v)| Op::Insert(k, v)),
            2 => key.clone().prop_map(Op::Remove),
            2 => (key.clone(), any::<u16>()).prop_map(|(k, v)| Op::Entry(k, v)),
            1 => (2u8..5).prop_map(Op::Retain),
            1 => key.prop_map(Op::SplitOffAppend),
        ]
    }

    /// Every read of the API agrees with the model.
    fn same_map(map: &VecMap<u8, u16>, model: &BTreeMap<u8, u16>) {
        assert_eq!(map.len(), model.len());
        assert_eq!(map.is_empty(), model.is_empty());
        assert!(map.iter().eq(model.iter()));
        assert!(map.iter().rev().eq(model.iter().rev()));
        assert!(map.keys().eq(model.keys()));
        assert!(map.values().eq(model.values()));
        assert_eq!(format!("{map:?}"), format!("{model:?}"));
        for k in 0..42u8 {
            assert_eq!(map.get(&k), model.get(&k));
            assert_eq!(map.contains_key(&k), model.contains_key(&k));
            assert!(map.range(k..).eq(model.range(k..)));
            assert!(map.range(..k).eq(model.range(..k)));
            assert!(map.range(..=k).eq(model.range(..=k)));
            let high = k.saturating_add(7);
            assert!(map.range(k..high).eq(model.range(k..high)));
            assert!(map.range(k..=high).eq(model.range(k..=high)));
            let bounds = (Bound::Excluded(k), Bound::Included(high));
            assert!(map.range(bounds).eq(model.range(bounds)));
        }
    }

    proptest! {
        #[test]
        fn a_vec_map_behaves_like_a_btree_map(ops in prop::collection::vec(op(), 0..120)) {
            let mut map = VecMap::new();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(map.insert(k, v), model.insert(k, v)),
                    Op::Remove(k) => prop_assert_eq!(map.remove(&k), model.remove(&k)),
                    Op::Entry(k, v) => {
                        let got = *map.entry(k).or_insert(v);
                        let want = *model.entry(k).or_insert(v);
                        prop_assert_eq!(got, want);
                        *map.entry(k).or_default() ^= v;
                        *model.entry(k).or_default() ^= v;
                    }
                    Op::Retain(m) => {
                        map.retain(|k, v| !(*k as u16 ^ *v).is_multiple_of(m as u16));
                        model.retain(|k, v| !(*k as u16 ^ *v).is_multiple_of(m as u16));
                    }
                    Op::SplitOffAppend(k) => {
                        let mut tail = map.split_off(&k);
                        let mut model_tail = model.split_off(&k);
                        same_map(&map, &model);
                        same_map(&tail, &model_tail);
                        map.append(&mut tail);
                        model.append(&mut model_tail);
                        prop_assert!(tail.is_empty());
                    }
                }
                same_map(&map, &model);
            }
            for (_, v) in map.iter_mut() {
                *v = v.wrapping_mul(3);
            }
            for v in model.values_mut() {
                *v = v.wrapping_mul(3);
            }
            same_map(&map, &model);
            let rebuilt: VecMap<u8, u16> = model.clone().into_iter().rev().collect();
            prop_assert_eq!(&rebuilt, &map);
            prop_assert!(map.clone().into_iter().eq(model.clone()));
            prop_assert!(map.into_values().eq(model.into_values()));
        }

        #[test]
        fn a_vec_set_behaves_like_a_btree_set(
            ops in prop::collection::vec(op(), 0..120),
            other in prop::collection::vec(0u8..40, 0..20),
        ) {
            let mut set = VecSet::new();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(k, _) | Op::Entry(k, _) => prop_assert_eq!(set.insert(k), model.insert(k)),
                    Op::Remove(k) => prop_assert_eq!(set.remove(&k), model.remove(&k)),
                    Op::Retain(m) => {
                        set.retain(|k| !k.is_multiple_of(m));
                        model.retain(|k| !k.is_multiple_of(m));
                    }
                    Op::SplitOffAppend(k) => prop_assert_eq!(set.take(&k), model.take(&k)),
                }
                prop_assert!(set.iter().eq(model.iter()));
                prop_assert_eq!(set.first(), model.first());
                prop_assert_eq!(set.last(), model.last());
                prop_assert_eq!(format!("{set:?}"), format!("{model:?}"));
                for k in 0..42u8 {
                    prop_assert_eq!(set.contains(&k), model.contains(&k));
                    prop_assert_eq!(set.get(&k), model.get(&k));
                    prop_assert!(set.range(k..).eq(model.range(k..)));
                    prop_assert!(set.range(..k).eq(model.range(..k)));
                }
            }
            let other_set: VecSet<u8> = other.iter().copied().collect();
            let other_model: BTreeSet<u8> = other.iter().copied().collect();
            prop_assert!(other_set.iter().eq(other_model.iter()), "collect sorts and drops repeats");
            prop_assert!(set.difference(&other_set).eq(model.difference(&other_model)));
            prop_assert!(set.intersection(&other_set).eq(model.intersection(&other_model)));
            prop_assert!(set.union(&other_set).eq(model.union(&other_model)));
            let mut appended = set.clone();
            appended.append(&mut other_set.clone());
            prop_assert!(appended.into_iter().eq(model.union(&other_model).copied()));
        }
    }

    #[test]
    fn insert_keeps_the_first_key_and_index_finds_values() {
        // Keys equal by `Ord` but told apart by `Debug`: `BTreeMap` keeps the first one.
        #[derive(Debug)]
        struct Key(u8, #[allow(dead_code)] &'static str);
        impl PartialEq for Key {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl Eq for Key {}
        impl PartialOrd for Key {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Key {
            fn cmp(&self, other: &Self) -> Ordering {
                self.0.cmp(&other.0)
            }
        }
        let mut map = VecMap::new();
        map.insert(Key(1, "first"), 'a');
        assert_eq!(map.insert(Key(1, "second"), 'b'), Some('a'));
        assert_eq!(format!("{map:?}"), r#"{Key(1, "first"): 'b'}"#);
        let map: VecMap<&str, u8> = [("ward", 2), ("bed", 1)].into();
        assert_eq!(map["bed"], 1);
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), ["bed", "ward"]);
    }
}
