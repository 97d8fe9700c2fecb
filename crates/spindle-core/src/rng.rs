//! Random streams, keyed by what they serve.
//!
//! NEST gives each virtual process one stream, so its spikes change with the
//! thread count. Spindle derives every stream from the entity it serves
//! instead:
//!
//! ```text
//! stream(seed, purpose, a, b) = Xoshiro256++ seeded with the 256-bit state
//!     s[i] = splitmix64_mix(K(seed, purpose, a, b) + i * GOLDEN),  i = 0..4
//! K      = splitmix64_mix(splitmix64_mix(splitmix64_mix(seed ^ P) ^ a) ^ b)
//! ```
//!
//! where `P` is a fixed constant per [`Purpose`], `a` and `b` identify the
//! user of the stream (for example the projection and the target node for
//! connection drawing, or the generator and the target node for Poisson
//! input). A shard owns the streams of its own targets, so changing the
//! number of threads only moves streams between shards and never changes a
//! number drawn from them.

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream: small (32 bytes), fast and with a
/// period of 2^256 - 1.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is used for; part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Drawing the sources of one target under a connection rule;
    /// `a` = projection index, `b` = target node id.
    Connect = 0x636f_6e6e_6563_7431,
    /// The Poisson input of one target; `a` = generator node id,
    /// `b` = target node id.
    Poisson = 0x706f_6973_736f_6e31,
    /// A random parameter of one node (`nest.random` at `Create` or `set`);
    /// `a` = node id, `b` = the call and parameter (see `param`).
    NodeValue = 0x6e6f_6465_7661_6c31,
    /// The random weights and delays of the connections one node drew
    /// under a rule; `a` = projection index, `b` = that node's id.
    SynapseValue = 0x7379_6e76_616c_7531,
    /// A value drawn per target of a device's connection (a drawn
    /// `receptor_type`); `a` = the connection's index among the device
    /// connections, `b` = the target's node id.
    DeviceValue = 0x6465_7676_616c_7531,
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Steele, Lea & Flood 2014): also how keys
/// made of several parts are folded into one.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream for `(seed, purpose, a, b)`; see the module docs.
pub fn stream(seed: u64, purpose: Purpose, a: u64, b: u64) -> Stream {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes
        .chunks_exact_mut(8)
        .zip(stream_state(seed, purpose, a, b))
    {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    Stream::from_seed(bytes)
}

/// The four state words of `stream(seed, purpose, a, b)`, for code that
/// steps many streams side by side with [`next_lanes`].
pub fn stream_state(seed: u64, purpose: Purpose, a: u64, b: u64) -> [u64; 4] {
    let key = mix(mix(mix(seed ^ purpose as u64) ^ a) ^ b);
    let mut state = [0u64; 4];
    for (i, word) in state.iter_mut().enumerate() {
        *word = mix(key.wrapping_add((i as u64 + 1).wrapping_mul(GOLDEN)));
    }
    // An all-zero state is the one xoshiro cannot leave; the mix makes it
    // practically impossible, but keep the generator valid regardless.
    if state == [0; 4] {
        state[0] = 1;
    }
    state
}

/// One xoshiro256++ step of `N` independent streams held as state words
/// `s[word][lane]`: the numbers `Stream::next_u64` gives, lane by lane.
/// Written lane-wise so that the compiler keeps each word in one vector
/// register.
#[inline(always)]
pub fn next_lanes<const N: usize>(s: &mut [[u64; N]; 4]) -> [u64; N] {
    let mut out = [0u64; N];
    for l in 0..N {
        out[l] = s[0][l]
            .wrapping_add(s[3][l])
            .rotate_left(23)
            .wrapping_add(s[0][l]);
        let t = s[1][l] << 17;
        s[2][l] ^= s[0][l];
        s[3][l] ^= s[1][l];
        s[1][l] ^= s[2][l];
        s[0][l] ^= s[3][l];
        s[2][l] ^= t;
        s[3][l] = s[3][l].rotate_left(45);
    }
    out
}

/// A uniform integer in `0..n` (n > 0), unbiased, by Lemire's multiply and
/// reject. Written here rather than taken from `rand` so the sequence never
/// changes with a crate's version.
#[inline]
pub fn below(rng: &mut Stream, n: u64) -> u64 {
    debug_assert!(n > 0);
    let mut m = (rng.next_u64() as u128) * (n as u128);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = (rng.next_u64() as u128) * (n as u128);
        }
    }
    (m >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_every_key_part() {
        let first = |s: &mut Stream| s.next_u64();
        let base = first(&mut stream(1, Purpose::Poisson, 2, 3));
        assert_eq!(base, first(&mut stream(1, Purpose::Poisson, 2, 3)));
        assert_ne!(base, first(&mut stream(2, Purpose::Poisson, 2, 3)));
        assert_ne!(base, first(&mut stream(1, Purpose::Connect, 2, 3)));
        assert_ne!(base, first(&mut stream(1, Purpose::Poisson, 3, 3)));
        assert_ne!(base, first(&mut stream(1, Purpose::Poisson, 2, 4)));
        assert_ne!(base, first(&mut stream(1, Purpose::Poisson, 3, 2)));
    }

    #[test]
    fn lanes_step_like_the_stream() {
        let mut streams: Vec<Stream> = (0..3).map(|b| stream(9, Purpose::Poisson, 4, b)).collect();
        let states: Vec<[u64; 4]> = (0..3)
            .map(|b| stream_state(9, Purpose::Poisson, 4, b))
            .collect();
        let mut lanes: [[u64; 3]; 4] =
            std::array::from_fn(|w| std::array::from_fn(|b| states[b][w]));
        for _ in 0..1000 {
            let got = next_lanes(&mut lanes);
            for (b, s) in streams.iter_mut().enumerate() {
                assert_eq!(got[b], s.next_u64());
            }
        }
    }

    #[test]
    fn below_is_uniform() {
        let mut rng = stream(7, Purpose::Connect, 0, 0);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[below(&mut rng, 10) as usize] += 1;
        }
        for c in counts {
            // 10,000 expected, sd ~95
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
        assert_eq!(below(&mut rng, 1), 0);
    }
}
