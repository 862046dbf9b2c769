//! A list whose clones share what they have in common: full chunks sit behind `Arc`s, so
//! cloning copies one pointer per chunk, and the open (last) chunk is copied by the next
//! change to it, once. Every checkpoint of a long session is a clone of the world and the
//! console, so the lists that grow with the session live in chunks: the console's output
//! (which only grows, or is cleared) and each replica's batches (which also lose their
//! tail to a follower's truncation, their head to retention, and are rebuilt by the cleaner).

use std::ops::Range;
use std::sync::Arc;

/// Items per chunk: what a clone copies at most after its first change. A power of two, so
/// finding an item's chunk is a shift.
const CHUNK_ITEMS: usize = 256;

/// A chunked list (see the module docs).
#[derive(Clone, Debug)]
pub struct ChunkList<T> {
    /// Oldest first. Every chunk but the last holds `CHUNK_ITEMS` items, so an index finds
    /// its chunk by division; none is empty.
    chunks: Vec<Arc<Vec<T>>>,
    /// Items at the head of the first chunk that were dropped from the list but stay in the
    /// chunk (clones share it) until the whole chunk goes.
    front: usize,
    len: usize,
}

impl<T> Default for ChunkList<T> {
    fn default() -> ChunkList<T> {
        ChunkList { chunks: Vec::new(), front: 0, len: 0 }
    }
}

impl<T: Clone> ChunkList<T> {
    pub(crate) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(open) if open.len() < CHUNK_ITEMS => Arc::make_mut(open).push(item),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK_ITEMS);
                chunk.push(item);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
    }

    /// Keeps the first `len` items (a follower cutting its log back).
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        if len == 0 {
            return self.clear();
        }
        let end = self.front + len;
        self.chunks.truncate(end.div_ceil(CHUNK_ITEMS));
        let in_last = end - (self.chunks.len() - 1) * CHUNK_ITEMS;
        if let Some(last) = self.chunks.last_mut() {
            if last.len() > in_last {
                Arc::make_mut(last).truncate(in_last);
            }
        }
        self.len = len;
    }
}

impl<T> ChunkList<T> {
    pub(crate) fn clear(&mut self) {
        *self = ChunkList::default();
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        let at = self.front + index;
        self.chunks.get(at / CHUNK_ITEMS)?.get(at % CHUNK_ITEMS)
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.range(0..self.len)
    }

    /// The items from index `from` on (none when `from` is past the end).
    pub fn since(&self, from: usize) -> Iter<'_, T> {
        self.range(from..self.len)
    }

    /// The items in `range`, clamped to the list.
    pub fn range(&self, range: Range<usize>) -> Iter<'_, T> {
        Iter::new(self, range)
    }

    /// The index of the first item `pred` rejects, all before it accepted (as
    /// `slice::partition_point`: the items must be partitioned by `pred`).
    pub(crate) fn partition_point(&self, pred: impl Fn(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).is_some_and(&pred) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Drops the first `count` items (a log start moving forward); a chunk is freed once
    /// all its items are gone.
    pub(crate) fn drop_front(&mut self, count: usize) {
        if count >= self.len {
            return self.clear();
        }
        self.front += count;
        self.len -= count;
        self.chunks.drain(..self.front / CHUNK_ITEMS);
        self.front %= CHUNK_ITEMS;
    }

    /// Bytes a clone copies now and on its first change: a pointer per chunk, and the open
    /// chunk's items (the only chunk a change copies).
    pub(crate) fn clone_bytes(&self) -> usize {
        let open = self.chunks.last().map_or(0, |c| if c.len() < CHUNK_ITEMS { c.len() } else { 0 });
        self.chunks.len() * std::mem::size_of::<Arc<Vec<T>>>() + open * std::mem::size_of::<T>()
    }
}

impl<T: Clone> FromIterator<T> for ChunkList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> ChunkList<T> {
        let mut list = ChunkList::default();
        list.extend(items);
        list
    }
}

impl<T: Clone> Extend<T> for ChunkList<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.push(item);
        }
    }
}

impl<T: PartialEq> PartialEq for ChunkList<T> {
    fn eq(&self, other: &ChunkList<T>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for ChunkList<T> {}

/// Iterates a range of a `ChunkList`, from either end, a chunk's slice at a time (logs
/// are walked on every fetch and every draw).
#[derive(Debug)]
pub struct Iter<'a, T> {
    /// What is left of the first chunk of the range, and of its last (empty when the range
    /// lies in one chunk); the whole chunks in between.
    front: std::slice::Iter<'a, T>,
    back: std::slice::Iter<'a, T>,
    middle: std::slice::Iter<'a, Arc<Vec<T>>>,
    left: usize,
}

impl<'a, T> Iter<'a, T> {
    fn new(list: &'a ChunkList<T>, range: Range<usize>) -> Iter<'a, T> {
        let end = range.end.min(list.len);
        let start = range.start.min(end);
        let mut iter = Iter { front: [].iter(), back: [].iter(), middle: [].iter(), left: end - start };
        if start == end {
            return iter;
        }
        let (first, last) = (list.front + start, list.front + end - 1);
        let (first_chunk, last_chunk) = (first / CHUNK_ITEMS, last / CHUNK_ITEMS);
        let slice = |chunk: usize, from: usize, to: usize| {
            list.chunks.get(chunk).and_then(|c| c.get(from..to)).unwrap_or_default().iter()
        };
        if first_chunk == last_chunk {
            iter.front = slice(first_chunk, first % CHUNK_ITEMS, last % CHUNK_ITEMS + 1);
        } else {
            iter.front = slice(first_chunk, first % CHUNK_ITEMS, CHUNK_ITEMS);
            iter.back = slice(last_chunk, 0, last % CHUNK_ITEMS + 1);
            iter.middle = list.chunks.get(first_chunk + 1..last_chunk).unwrap_or_default().iter();
        }
        iter
    }
}

// Derived `Clone` would ask `T: Clone`; the iterator only holds references.
impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter { front: self.front.clone(), back: self.back.clone(), middle: self.middle.clone(), left: self.left }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        loop {
            if let Some(item) = self.front.next() {
                self.left -= 1;
                return Some(item);
            }
            match self.middle.next() {
                Some(chunk) => self.front = chunk.iter(),
                None => {
                    let item = self.back.next()?;
                    self.left -= 1;
                    return Some(item);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.back.next_back() {
                self.left -= 1;
                return Some(item);
            }
            match self.middle.next_back() {
                Some(chunk) => self.back = chunk.iter(),
                None => {
                    let item = self.front.next_back()?;
                    self.left -= 1;
                    return Some(item);
                }
            }
        }
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn items_read_back_in_order_from_any_index() {
        let mut list = ChunkList::default();
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
        let mut live = ChunkList::default();
        for i in 0..CHUNK_ITEMS + 1 {
            live.push(i);
        }
        let kept = live.clone();
        assert!(Arc::ptr_eq(&live.chunks[0], &kept.chunks[0]));
        assert_eq!(kept.clone_bytes(), 2 * std::mem::size_of::<usize>() + std::mem::size_of::<usize>());
        live.push(1000);
        live.truncate(CHUNK_ITEMS - 1);
        assert_eq!((kept.len(), kept.last()), (CHUNK_ITEMS + 1, Some(&CHUNK_ITEMS)));
        assert_eq!(kept.get(CHUNK_ITEMS - 1), Some(&(CHUNK_ITEMS - 1)), "a truncated clone copies its chunk");
        assert_eq!((live.len(), live.last()), (CHUNK_ITEMS - 1, Some(&(CHUNK_ITEMS - 2))));
        live.clear();
        assert!(live.is_empty() && live.iter().next().is_none());
        assert_eq!(kept.len(), CHUNK_ITEMS + 1);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Push(u16),
        Truncate(usize),
        DropFront(usize),
        Clear,
        /// Goes on with a clone, checking the one left behind does not change.
        Clone,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => any::<u16>().prop_map(Op::Push),
            1 => (0..CHUNK_ITEMS * 3).prop_map(Op::Truncate),
            1 => (0..CHUNK_ITEMS * 2).prop_map(Op::DropFront),
            1 => Just(Op::Clear),
            1 => Just(Op::Clone),
        ]
    }

    fn assert_matches(list: &ChunkList<u16>, model: &[u16]) {
        assert_eq!(list.len(), model.len());
        assert!(list.iter().eq(model.iter()));
        assert!(list.iter().rev().eq(model.iter().rev()));
        assert_eq!(list.last(), model.last());
        // From both ends at once, meeting in the middle.
        let (mut items, mut expected) = (list.iter(), model.iter());
        loop {
            assert_eq!(items.len(), expected.len());
            let front = items.next();
            assert_eq!(front, expected.next());
            let back = items.next_back();
            assert_eq!(back, expected.next_back());
            if back.is_none() {
                break;
            }
        }
        for i in [0, 1, model.len() / 2, model.len().saturating_sub(1), model.len(), model.len() + 1] {
            assert_eq!(list.get(i), model.get(i), "get {i}");
            assert!(list.since(i).eq(model.get(i..).unwrap_or_default().iter()), "since {i}");
            let j = i + 300;
            assert!(list.range(i..j).eq(model.iter().skip(i).take(300)), "range {i}..{j}");
            assert_eq!(list.range(i..j).len(), model.iter().skip(i).take(300).len());
        }
    }

    proptest! {
        #[test]
        fn behaves_as_a_vec(
            seed in proptest::collection::vec(any::<u16>(), 0..CHUNK_ITEMS * 3),
            ops in proptest::collection::vec(op(), 0..60),
        ) {
            let mut list: ChunkList<u16> = seed.iter().copied().collect();
            let mut model = seed;
            let mut frozen = Vec::new();
            for op in ops {
                match op {
                    Op::Push(v) => {
                        list.push(v);
                        model.push(v);
                    }
                    Op::Truncate(n) => {
                        list.truncate(n);
                        model.truncate(n);
                    }
                    Op::DropFront(n) => {
                        list.drop_front(n);
                        model.drain(..n.min(model.len()));
                    }
                    Op::Clear => {
                        list.clear();
                        model.clear();
                    }
                    Op::Clone => frozen.push((list.clone(), model.clone())),
                }
                assert_matches(&list, &model);
                // Sorted items: `partition_point` agrees with the slice's.
                let mut sorted = model.clone();
                sorted.sort_unstable();
                let sorted_list: ChunkList<u16> = sorted.iter().copied().collect();
                let pivot = model.first().copied().unwrap_or(0);
                prop_assert_eq!(sorted_list.partition_point(|v| *v < pivot), sorted.partition_point(|v| *v < pivot));
            }
            for (list, model) in &frozen {
                assert_matches(list, model);
            }
        }
    }
}
