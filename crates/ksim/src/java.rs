//! Java behaviour that Kafka's observable output depends on, reproduced bit for bit:
//! `String.hashCode`, `TopicPartition.hashCode`, and the order a `java.util.HashMap`
//! iterates its keys in (which decides row orders in tools and choices in assignors).

/// `String.hashCode`: over UTF-16 code units, with 32-bit wrap-around.
pub(crate) fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
pub(crate) fn topic_partition_hash(topic: &str, partition: u32) -> i32 {
    31i32.wrapping_mul(31i32.wrapping_add(partition as i32)).wrapping_add(string_hash(topic))
}

/// The order a default-constructed `java.util.HashMap` holding `items` iterates them in:
/// by bucket of the spread hash (`(h ^ h >>> 16) & (capacity - 1)`, the capacity doubling
/// from 16 while the size exceeds 3/4 of it). Items sharing a bucket keep the order they
/// came in (Java's insertion order).
pub(crate) fn hash_map_order<T>(items: Vec<T>, hash: impl Fn(&T) -> i32) -> Vec<T> {
    let mut capacity: usize = 16;
    while items.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let mut keyed: Vec<(usize, T)> = items
        .into_iter()
        .map(|item| {
            let h = hash(&item) as u32;
            (((h ^ (h >> 16)) as usize) & (capacity - 1), item)
        })
        .collect();
    crate::sort::sort_by_key(&mut keyed, |(bucket, _)| *bucket);
    keyed.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_the_jvm() {
        // Values from `"...".hashCode()` on a JVM.
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("test"), 3556498);
        assert_eq!(string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(string_hash("ab"), 97 * 31 + 98);
        // TopicPartition("t", 0): 31 * (31 + 0) + "t".hashCode().
        assert_eq!(topic_partition_hash("t", 0), 961 + 116);
    }

    #[test]
    fn hash_map_order_follows_buckets_then_insertion() {
        // Buckets of a 16-slot table: "a1" = 3056 -> 0, "q" = 113 -> 1, "b" = 98 -> 2.
        let order = hash_map_order(vec!["b", "q", "a1"], |s| string_hash(s));
        assert_eq!(order, ["a1", "q", "b"]);
        // 13 keys exceed 3/4 of 16: the table doubles to 32 slots.
        let keys: Vec<String> = (0..13).map(|i| i.to_string()).collect();
        let order = hash_map_order(keys.clone(), |s| string_hash(s));
        let mut sorted = order.clone();
        sorted.sort_by_key(|s| (string_hash(s) as u32 ^ (string_hash(s) as u32 >> 16)) & 31);
        assert_eq!(order, sorted);
    }
}
