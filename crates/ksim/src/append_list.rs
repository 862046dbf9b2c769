//! An append-only list whose clones share what they have in common: full chunks sit behind
//! `Arc`s, so cloning copies pointers, and the open chunk is copied by the next push, once.
//! The console's output is one: it only grows (or is cleared), and every checkpoint of a
//! long session holds a clone.

use std::sync::Arc;

/// Items per chunk: what a clone copies at most after its first push.
const CHUNK_ITEMS: usize = 256;

/// An append-only list (see the module docs).
#[derive(Clone, Debug)]
pub struct AppendList<T> {
    /// Full chunks, oldest first, then the open one (never empty of chunks).
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for AppendList<T> {
    fn default() -> AppendList<T> {
        AppendList { chunks: vec![Arc::new(Vec::new())], len: 0 }
    }
}

impl<T: Clone> AppendList<T> {
    pub(crate) fn push(&mut self, item: T) {
        if self.chunks.last().is_none_or(|c| c.len() >= CHUNK_ITEMS) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK_ITEMS)));
        }
        if let Some(open) = self.chunks.last_mut() {
            Arc::make_mut(open).push(item);
            self.len += 1;
        }
    }

    pub(crate) fn clear(&mut self) {
        *self = AppendList::default();
    }
}

impl<T> AppendList<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The items from index `from` on (none when `from` is past the end).
    pub fn since(&self, from: usize) -> impl DoubleEndedIterator<Item = &T> {
        // Every chunk but the open one is full, so an index finds its chunk by division.
        let first = (from / CHUNK_ITEMS).min(self.chunks.len());
        let skip = if first < self.chunks.len() { from - first * CHUNK_ITEMS } else { 0 };
        self.chunks[first..]
            .iter()
            .enumerate()
            .flat_map(move |(i, c)| c.get(if i == 0 { skip.min(c.len()) } else { 0 }..).unwrap_or_default())
    }

    pub fn last(&self) -> Option<&T> {
        self.iter().next_back()
    }
}

impl<T: Clone> FromIterator<T> for AppendList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> AppendList<T> {
        let mut list = AppendList::default();
        for item in items {
            list.push(item);
        }
        list
    }
}

impl<T: PartialEq> PartialEq for AppendList<T> {
    fn eq(&self, other: &AppendList<T>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for AppendList<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_read_back_in_order_from_any_index() {
        let mut list = AppendList::default();
        for i in 0..CHUNK_ITEMS * 2 + 7 {
            list.push(i);
        }
        assert_eq!(list.len(), CHUNK_ITEMS * 2 + 7);
        assert!(list.iter().copied().eq(0..CHUNK_ITEMS * 2 + 7));
        for from in [0, 1, CHUNK_ITEMS - 1, CHUNK_ITEMS, CHUNK_ITEMS * 2 + 6, CHUNK_ITEMS * 2 + 7, usize::MAX / 2] {
            assert!(list.since(from).copied().eq(from.min(list.len())..list.len()), "from {from}");
        }
        assert_eq!(list.last(), Some(&(CHUNK_ITEMS * 2 + 6)));
    }

    #[test]
    fn clones_share_full_chunks_and_grow_apart() {
        let mut live = AppendList::default();
        for i in 0..CHUNK_ITEMS + 1 {
            live.push(i);
        }
        let kept = live.clone();
        assert!(Arc::ptr_eq(&live.chunks[0], &kept.chunks[0]));
        live.push(1000);
        assert_eq!((kept.len(), kept.last()), (CHUNK_ITEMS + 1, Some(&CHUNK_ITEMS)));
        assert_eq!((live.len(), live.last()), (CHUNK_ITEMS + 2, Some(&1000)));
        live.clear();
        assert!(live.is_empty() && live.iter().next().is_none());
        assert_eq!(kept.len(), CHUNK_ITEMS + 1);
    }
}
