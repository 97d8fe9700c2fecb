//! CPU dispatch: which vector unit the hot loops are compiled for.
//!
//! The neuron updates and the ring's bit-plane arithmetic are compiled once
//! per [`Isa`] (`#[target_feature]` copies of the same code). The engine
//! chooses one per run ([`Isa::detect`]) and passes it down to every
//! vector path, so `SPINDLE_ISA` forces all of them at once. Every copy
//! makes the same operations in the same order, with no fused multiply-add
//! (Rust never contracts `a * b + c`), so all give the same bits.

/// The vector units a hot loop can be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// The target's baseline (SSE2 on x86-64).
    Portable,
    /// AVX2 with FMA (4 doubles per instruction).
    Avx2,
    /// AVX-512 F and BW (8 doubles per instruction).
    Avx512,
}

impl Isa {
    /// Whether this CPU has it.
    pub fn available(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                Isa::Avx2.available()
                    && std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest available.
    pub fn widest() -> Isa {
        [Isa::Avx512, Isa::Avx2, Isa::Portable]
            .into_iter()
            .find(|i| i.available())
            .expect("portable is always available")
    }

    /// NEST-style lower-case name (`portable`, `avx2`, `avx512`).
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// Parse a [`name`](Self::name).
    pub fn parse(name: &str) -> Option<Isa> {
        [Isa::Portable, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .find(|i| i.name() == name)
    }

    /// The path a run uses: `SPINDLE_ISA=portable|avx2|avx512` if set and
    /// available on this CPU (to compare paths), else the widest.
    pub fn detect() -> Isa {
        std::env::var("SPINDLE_ISA")
            .ok()
            .and_then(|s| Isa::parse(&s))
            .filter(|i| i.available())
            .unwrap_or_else(Isa::widest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_portable_is_always_there() {
        for isa in [Isa::Portable, Isa::Avx2, Isa::Avx512] {
            assert_eq!(Isa::parse(isa.name()), Some(isa));
        }
        assert!(Isa::Portable.available());
        assert!(Isa::widest().available());
        assert_eq!(Isa::parse("sse9"), None);
    }
}
