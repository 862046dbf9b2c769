//! The trace: a timeline's explained state changes, oldest first, as the narration panel,
//! `ksim run --trace` and exercise checks read them.
//!
//! It only grows along a timeline, so it is held once, in chunks that the live world and
//! every checkpoint share (`Arc`): a checkpoint's trace is a prefix of the timeline's, and
//! cloning a trace copies pointers only (the open chunk is copied by the next append, once).
//! A chunk packs its entries: every text in one string, the actors in a small table, times
//! and event counts as offsets from the chunk's first. Chunk boundaries depend only on the
//! entries (every `CHUNK_ENTRIES`), so a replay cuts its chunks where the live run did.
//!
//! Past the session's budget the oldest chunks go (`drop_before`): indices stay those of the
//! whole timeline (`first` says where the kept part starts), so the narration's keys and a
//! baseline's `len` keep their meaning.

use std::fmt;
use std::sync::Arc;

/// Entries per chunk: what a checkpoint copies at most (the open chunk) and the grain of
/// dropping old history.
const CHUNK_ENTRIES: usize = 256;

/// One explained state change, for the narration panel and `--trace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEntry<'a> {
    pub at_ms: u64,
    /// Events processed when it happened: `Session::travel_to` this count shows the state
    /// just after it.
    pub event: u64,
    /// Who changed: `Broker 1`, `Controller 1`, `console-producer`, `Network`.
    pub actor: &'a str,
    pub text: &'a str,
}

#[derive(Clone, Default)]
struct Chunk {
    /// The timeline index of its first entry.
    start: usize,
    at_ms_base: u64,
    event_base: u64,
    /// Per entry: offsets from the bases.
    at_ms: Vec<u32>,
    events: Vec<u32>,
    /// Per entry: an index into `actor_names` (a chunk has a handful of actors).
    actors: Vec<u16>,
    actor_names: Vec<Box<str>>,
    /// Every entry's text, one after another; `text_ends` says where each ends.
    text: String,
    text_ends: Vec<u32>,
}

impl Chunk {
    fn starting_at(start: usize) -> Chunk {
        Chunk { start, ..Chunk::default() }
    }

    fn len(&self) -> usize {
        self.text_ends.len()
    }

    fn end(&self) -> usize {
        self.start + self.len()
    }

    /// False when the entry does not fit this chunk's offsets (or the chunk is full).
    fn fits(&self, at_ms: u64, event: u64, text: &str) -> bool {
        if self.len() == 0 {
            return true;
        }
        self.len() < CHUNK_ENTRIES
            && at_ms.checked_sub(self.at_ms_base).is_some_and(|d| u32::try_from(d).is_ok())
            && event.checked_sub(self.event_base).is_some_and(|d| u32::try_from(d).is_ok())
            && u32::try_from(self.text.len() + text.len()).is_ok()
            && (self.actor_names.len() < usize::from(u16::MAX))
    }

    /// Appends an entry that `fits`.
    fn push(&mut self, at_ms: u64, event: u64, actor: &str, text: &str) {
        if self.len() == 0 {
            self.at_ms_base = at_ms;
            self.event_base = event;
        }
        let offset = |value: u64, base: u64| u32::try_from(value - base).unwrap_or(u32::MAX);
        self.at_ms.push(offset(at_ms, self.at_ms_base));
        self.events.push(offset(event, self.event_base));
        let actor = match self.actor_names.iter().position(|a| **a == *actor) {
            Some(i) => i,
            None => {
                self.actor_names.push(actor.into());
                self.actor_names.len() - 1
            }
        };
        self.actors.push(u16::try_from(actor).unwrap_or(u16::MAX));
        self.text.push_str(text);
        self.text_ends.push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    /// The `i`th entry of the chunk (`i < len`).
    fn entry(&self, i: usize) -> TraceEntry<'_> {
        let from = if i == 0 { 0 } else { self.text_ends[i - 1] as usize };
        TraceEntry {
            at_ms: self.at_ms_base + u64::from(self.at_ms[i]),
            event: self.event_base + u64::from(self.events[i]),
            actor: &self.actor_names[usize::from(self.actors[i])],
            text: &self.text[from..self.text_ends[i] as usize],
        }
    }

    fn entries(&self) -> impl DoubleEndedIterator<Item = TraceEntry<'_>> {
        (0..self.len()).map(|i| self.entry(i))
    }

    fn shrink(&mut self) {
        self.at_ms.shrink_to_fit();
        self.events.shrink_to_fit();
        self.actors.shrink_to_fit();
        self.actor_names.shrink_to_fit();
        self.text.shrink_to_fit();
        self.text_ends.shrink_to_fit();
    }

    fn bytes(&self) -> usize {
        std::mem::size_of::<Chunk>()
            + self.len() * (4 + 4 + 2 + 4)
            + self.actor_names.iter().map(|a| a.len() + std::mem::size_of::<Box<str>>()).sum::<usize>()
            + self.text.len()
    }
}

/// A timeline's trace (see the module docs).
#[derive(Clone)]
pub struct Trace {
    /// Full chunks, oldest first.
    full: Vec<Arc<Chunk>>,
    /// The chunk entries are appended to.
    open: Arc<Chunk>,
}

impl Default for Trace {
    fn default() -> Trace {
        Trace { full: Vec::new(), open: Arc::new(Chunk::starting_at(0)) }
    }
}

impl Trace {
    fn chunks(&self) -> impl DoubleEndedIterator<Item = &Chunk> {
        self.full.iter().chain(std::iter::once(&self.open)).map(|c| &**c)
    }

    pub(crate) fn push(&mut self, at_ms: u64, event: u64, actor: &str, text: &str) {
        if !self.open.fits(at_ms, event, text) {
            let next = Arc::new(Chunk::starting_at(self.open.end()));
            let mut full = std::mem::replace(&mut self.open, next);
            Arc::make_mut(&mut full).shrink();
            self.full.push(full);
        }
        Arc::make_mut(&mut self.open).push(at_ms, event, actor, text);
    }

    /// Entries in the whole timeline so far, dropped ones included: the next entry's index.
    pub fn len(&self) -> usize {
        self.open.end()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index of the oldest entry kept (0 unless old history was dropped).
    pub fn first(&self) -> usize {
        self.full.first().unwrap_or(&self.open).start
    }

    /// The kept entries, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = TraceEntry<'_>> {
        self.chunks().flat_map(|c| c.entries())
    }

    /// The kept entries from index `from` on (from the oldest kept if `from` was dropped).
    pub fn since(&self, from: usize) -> impl DoubleEndedIterator<Item = TraceEntry<'_>> {
        let at = self.full.partition_point(|c| c.end() <= from);
        let chunks = self.full[at..].iter().chain(std::iter::once(&self.open));
        chunks.flat_map(move |c| (from.saturating_sub(c.start)..c.len()).map(|i| c.entry(i)))
    }

    /// The entry at timeline index `index`, if kept.
    pub fn get(&self, index: usize) -> Option<TraceEntry<'_>> {
        let chunk = self.full.get(self.full.partition_point(|c| c.end() <= index)).unwrap_or(&self.open);
        (chunk.start <= index && index < chunk.end()).then(|| chunk.entry(index - chunk.start))
    }

    pub fn last(&self) -> Option<TraceEntry<'_>> {
        self.iter().next_back()
    }

    /// Drops the full chunks that end at or before `index` (the open chunk stays).
    pub(crate) fn drop_before(&mut self, index: usize) {
        let gone = self.full.partition_point(|c| c.end() <= index);
        self.full.drain(..gone);
    }

    /// The timeline index where the oldest chunk that keeps at most `budget` bytes of the
    /// newest history begins (`first` when everything fits).
    pub(crate) fn cut_for(&self, budget: usize) -> usize {
        let mut kept = 0;
        for c in self.chunks().rev() {
            kept += c.bytes();
            if kept > budget {
                return c.end();
            }
        }
        self.first()
    }

    /// Bytes the kept entries take (from lengths, not capacities, so a replay counts what
    /// the live run counted).
    pub(crate) fn bytes(&self) -> usize {
        self.chunks().map(Chunk::bytes).sum::<usize>() + self.full.len() * std::mem::size_of::<Arc<Chunk>>()
    }
}

/// Two traces are equal when they keep the same entries at the same indices.
impl PartialEq for Trace {
    fn eq(&self, other: &Trace) -> bool {
        self.first() == other.first() && self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Trace {}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Trace from {} ", self.first())?;
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(entries: usize) -> Trace {
        let mut t = Trace::default();
        for i in 0..entries as u64 {
            t.push(1000 * i, 3 * i, &format!("Broker {}", i % 3), &format!("entry {i}"));
        }
        t
    }

    #[test]
    fn entries_read_back_as_pushed_across_chunks() {
        let t = filled(CHUNK_ENTRIES * 2 + 5);
        assert_eq!(t.len(), CHUNK_ENTRIES * 2 + 5);
        for (i, e) in t.iter().enumerate() {
            let i = i as u64;
            assert_eq!(
                e,
                TraceEntry {
                    at_ms: 1000 * i,
                    event: 3 * i,
                    actor: &format!("Broker {}", i % 3),
                    text: &format!("entry {i}")
                }
            );
        }
        assert_eq!(t.get(CHUNK_ENTRIES + 1).map(|e| e.text), Some(format!("entry {}", CHUNK_ENTRIES + 1).as_str()));
        assert_eq!(t.last().map(|e| e.event), Some(3 * (CHUNK_ENTRIES as u64 * 2 + 4)));
        let since: Vec<_> = t.since(CHUNK_ENTRIES - 1).map(|e| e.event / 3).collect();
        assert_eq!(since, (CHUNK_ENTRIES as u64 - 1..CHUNK_ENTRIES as u64 * 2 + 5).collect::<Vec<_>>());
    }

    #[test]
    fn a_jump_in_time_past_the_offsets_starts_a_chunk() {
        let mut t = Trace::default();
        t.push(5, 1, "Network", "before");
        t.push(5 + (1 << 40), 2, "Network", "after a long wait");
        assert_eq!(t.full.len(), 1);
        let times: Vec<u64> = t.iter().map(|e| e.at_ms).collect();
        assert_eq!(times, [5, 5 + (1 << 40)]);
    }

    #[test]
    fn a_clone_shares_the_full_chunks_and_grows_apart() {
        let mut live = filled(CHUNK_ENTRIES + 3);
        let kept = live.clone();
        assert!(Arc::ptr_eq(&live.full[0], &kept.full[0]));
        live.push(1, 1_000_000, "Network", "later");
        assert_eq!(kept.len(), CHUNK_ENTRIES + 3);
        assert_eq!(live.len(), CHUNK_ENTRIES + 4);
        assert!(kept.iter().eq(live.iter().take(kept.len())));
    }

    #[test]
    fn dropping_old_history_keeps_indices_and_the_open_chunk() {
        let mut t = filled(CHUNK_ENTRIES * 3 + 1);
        t.drop_before(CHUNK_ENTRIES + 1);
        assert_eq!((t.first(), t.len()), (CHUNK_ENTRIES, CHUNK_ENTRIES * 3 + 1));
        assert_eq!(t.get(CHUNK_ENTRIES - 1), None);
        assert_eq!(t.get(CHUNK_ENTRIES).map(|e| e.event), Some(3 * CHUNK_ENTRIES as u64));
        assert_eq!(t.since(0).next().map(|e| e.event), Some(3 * CHUNK_ENTRIES as u64));
        assert_eq!(t.cut_for(usize::MAX), CHUNK_ENTRIES, "everything fits");
        // The open chunk and the newest full one fit in their own bytes, not the one before.
        let newest_two = t.open.bytes() + t.full[1].bytes();
        assert_eq!(t.cut_for(newest_two), CHUNK_ENTRIES * 2);
        t.drop_before(usize::MAX);
        assert_eq!((t.first(), t.iter().count()), (CHUNK_ENTRIES * 3, 1));
    }
}
