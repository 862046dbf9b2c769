//! The Java producer's default partitioner for keyed records: murmur2 of the serialized
//! key, made positive with `& 0x7fffffff` (not `abs`), modulo the partition count.

/// Kafka's `Utils.murmur2`, bit for bit (32-bit wrap-around arithmetic).
pub(crate) fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h: u32 = SEED ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit.
pub(crate) fn to_positive(x: i32) -> u32 {
    (x & 0x7fff_ffff) as u32
}

/// `BuiltInPartitioner.partitionForKey`.
pub(crate) fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    assert!(partitions > 0, "a topic has at least one partition");
    to_positive(murmur2(key)) % partitions
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_kafkas_utils_test_vectors() {
        assert_eq!(murmur2(b"21"), -973_932_308);
        assert_eq!(murmur2(b"foobar"), -790_332_482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985_981_536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1_486_304_829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58_897_971);
        assert_eq!(murmur2(b"abc"), 479_470_107);
    }

    #[test]
    fn matches_librdkafka_vectors() {
        assert_eq!(murmur2(b"kafka"), -798_503_068);
        assert_eq!(murmur2(b"giberish123456789"), -1_890_243_828);
        assert_eq!(murmur2(b"1234"), -1_614_185_708);
        assert_eq!(murmur2(b"234"), -406_844_982);
        assert_eq!(murmur2(b"34"), -2_026_295_078);
        assert_eq!(murmur2(b"4"), 1_514_888_353);
        assert_eq!(murmur2(b"PreAmbleWillBeRemoved,ThePrePartThatIs"), 2_017_611_548);
        assert_eq!(murmur2(b""), 275_646_681);
    }

    #[test]
    fn to_positive_is_not_abs() {
        assert_eq!(to_positive(murmur2(b"21")), 1_173_551_340);
        assert_eq!(partition_for_key(b"key0", 3), 1);
        assert_eq!(partition_for_key(b"key0", 6), 4);
        assert_eq!(partition_for_key(b"key2", 6), 5);
        assert_eq!(partition_for_key(b"bar", 3), 0);
        assert_eq!(partition_for_key(b"hello", 6), 3);
    }

    proptest! {
        #[test]
        fn same_key_same_partition(key in proptest::collection::vec(any::<u8>(), 0..64), n in 1u32..100) {
            let p = partition_for_key(&key, n);
            prop_assert!(p < n);
            prop_assert_eq!(p, partition_for_key(&key, n));
        }
    }
}
