//! NEST's own numerical helpers (`libnestutil/numerics.h`), where they give
//! other bits than Rust's standard library.

/// `exp(x) - 1` as NEST 3.10's `numerics::expm1` computes it.
///
/// NEST's CMake check for the C library's `expm1`
/// (`check_function_exists( expm1 "math.h" HAVE_EXPM1 )`, which passes
/// `"math.h"` as the result variable) never defines `HAVE_EXPM1`, so every
/// NEST build takes the fallback below: `exp(x) - 1` where `|x| > ln 2`,
/// else the Taylor series summed until a term falls below the sum's
/// precision. It differs from `f64::exp_m1` in the last bits for some `x`,
/// and propagators built on it differ from NEST's by as much: the
/// disassembled NEST 3.10 wheel (`nestkernel_api.so`) has this series
/// inlined in `IAFPropagator::evaluate_P32_`.
pub fn expm1(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    if x.abs() > std::f64::consts::LN_2 {
        return x.exp() - 1.0;
    }
    let mut sum = x;
    let mut term = x * x / 2.0;
    let mut n: i64 = 2;
    while term.abs() > sum.abs() * f64::EPSILON {
        sum += term;
        n += 1;
        term *= x / n as f64;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_the_library_and_exact_at_the_edges() {
        assert_eq!(expm1(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(expm1(-0.0).to_bits(), 0.0f64.to_bits());
        assert!(expm1(f64::NAN).is_nan());
        assert_eq!(expm1(1.0), 1.0f64.exp() - 1.0);
        let mut differ = 0;
        for i in 1..2000 {
            let x = i as f64 * 3.3e-4 - 0.33;
            let (a, b) = (expm1(x), x.exp_m1());
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b.abs(), "{x}");
            differ += usize::from(a != b);
        }
        // The series is not the library's algorithm: some bits differ.
        assert!(differ > 0);
    }

    #[test]
    fn the_bits_nest_gives() {
        // x = h (tau_m - tau_syn) / (tau_syn tau_m) for h = 0.1 ms,
        // tau_m = 10 ms, tau_syn = 1 ms: NEST's series, not libm's.
        let x = 0.1 * ((10.0 - 1.0) / (1.0 * 10.0));
        assert_eq!(expm1(x), 0.094_174_283_705_210_36);
    }
}
