//! A digest of a spike train, to compare whole runs cheaply.

/// FNV-1a (64 bit) over the little-endian bytes of each spike's
/// `(step: u64, sender: u64)`, fed in sorted (step, sender) order. FNV is
/// specified byte for byte, so a digest printed today can be compared with
/// one printed by any later version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpikeDigest {
    hash: u64,
    count: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for SpikeDigest {
    fn default() -> Self {
        Self {
            hash: FNV_OFFSET,
            count: 0,
        }
    }
}

impl SpikeDigest {
    /// Feed the next spike; callers feed spikes in (step, sender) order.
    #[inline]
    pub fn push(&mut self, step: u64, sender: u64) {
        let mut h = self.hash;
        for byte in step.to_le_bytes().into_iter().chain(sender.to_le_bytes()) {
            h ^= byte as u64;
            h = h.wrapping_mul(FNV_PRIME);
        }
        self.hash = h;
        self.count += 1;
    }

    /// Spikes fed so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The digest as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_matters_and_is_stable() {
        let mut a = SpikeDigest::default();
        a.push(1, 2);
        a.push(3, 4);
        let mut b = SpikeDigest::default();
        b.push(3, 4);
        b.push(1, 2);
        assert_ne!(a, b);
        assert_eq!(a.count(), 2);
        // The empty digest is FNV's offset basis.
        assert_eq!(SpikeDigest::default().hex(), "cbf29ce484222325");
    }
}
