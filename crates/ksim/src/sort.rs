//! Stable sorting that compiles once instead of once per call site.
//!
//! `slice::sort_by` is generic over the element and the comparator, so every call site with
//! its own closure gets its own copy of the standard library's driftsort, about 4 KB of
//! wasm each: with sixty call sites, sorting was an eighth of the page's code. The tools,
//! admin answers and assignors sort short lists rarely, so they sort positions instead:
//! one `sort_by` over `usize` behind a `dyn` comparator (one copy in the binary), then the
//! elements are swapped into place. It is stable like `slice::sort_by`, so every order
//! (and every transcript) stays the same. Hot paths with big inputs keep the standard sort.

use std::cmp::Ordering;

/// `items.sort_by(compare)`, stable.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let destinations = destinations(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    apply(destinations, &mut |a, b| items.swap(a, b));
}

/// `items.sort_by_key(key)`, stable.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// `items.sort()`, stable.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Where each of `len` positions goes in sorted order (`compare` compares two positions'
/// elements). The one instance of the standard sort behind every call above.
#[inline(never)]
fn destinations(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    let mut destinations = vec![0; len];
    for (to, &from) in order.iter().enumerate() {
        destinations[from] = to;
    }
    destinations
}

/// Moves every element to its destination with swaps: each swap puts one element where
/// it belongs, so at most `len` of them.
#[inline(never)]
fn apply(mut destinations: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    for at in 0..destinations.len() {
        while destinations[at] != at {
            let to = destinations[at];
            swap(at, to);
            destinations.swap(at, to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn orders_like_the_standard_stable_sort() {
        let mut rng = SimRng::for_stream(7, 0);
        for len in [0, 1, 2, 3, 10, 33, 200] {
            let items: Vec<(u64, usize)> = (0..len).map(|i| (rng.below(5), i)).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|&(k, _)| k);
            let mut got = items.clone();
            sort_by_key(&mut got, |&(k, _)| k);
            assert_eq!(got, expected, "stable: equal keys keep their order (len {len})");
            let mut reversed = items.clone();
            sort_by(&mut reversed, |a, b| b.cmp(a));
            let mut expected = items;
            expected.sort_by(|a, b| b.cmp(a));
            assert_eq!(reversed, expected);
        }
        let mut words = vec!["icu", "bed-7", "ward", "bed-10"];
        sort(&mut words);
        assert_eq!(words, ["bed-10", "bed-7", "icu", "ward"]);
    }
}
