//! Step detection in one figure's series over commits.
//!
//! A shared 2-core guest drifts by several per cent within minutes and a
//! single set can be an outlier, so a step must pass two tests:
//! - **between neighbours**, `compare`'s rule: the two sets' repeats do not
//!   overlap and the medians differ by more than the threshold plus both
//!   sets' relative spread (and an absolute floor);
//! - **it persists**: the median of the later sets (up to the next jump
//!   back) stays beyond the threshold from the level before (the median of
//!   the sets since the last step), and the very next set does not jump
//!   straight back (that is a one-set excursion, not a step).
//!
//! A step on the newest set cannot be checked for persistence yet; it is
//! kept and marked provisional.

use crate::compare::{Verdict, verdict};
use crate::summary::Spread;

/// A step found before `index` (between sets `index - 1` and `index`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// The first set after the step.
    pub index: usize,
    /// Slower or faster.
    pub verdict: Verdict,
    /// The level before: the median of the sets' medians since the last
    /// step.
    pub before: f64,
    /// The level after: the median of the sets' medians from `index` to the
    /// next jump back.
    pub after: f64,
    /// The step is on the newest set: its persistence is not known yet.
    pub provisional: bool,
}

fn median(v: &[f64]) -> f64 {
    Spread::of(v).map_or(f64::NAN, |s| s.median)
}

fn opposite(v: Verdict) -> Verdict {
    match v {
        Verdict::Faster => Verdict::Slower,
        Verdict::Slower => Verdict::Faster,
        Verdict::Noise => Verdict::Noise,
    }
}

/// The steps of a series in time order.
pub fn find(points: &[Spread], threshold: f64, floor: f64) -> Vec<Step> {
    let n = points.len();
    let medians: Vec<f64> = points.iter().map(|p| p.median).collect();
    let jump = |k: usize| verdict(&points[k - 1], &points[k], threshold, floor);
    let mut steps = Vec::new();
    let mut start = 0;
    for k in 1..n {
        let v = jump(k);
        if v == Verdict::Noise {
            continue;
        }
        let end = (k + 1..n).find(|&j| jump(j) == opposite(v)).unwrap_or(n);
        let (before, after) = (median(&medians[start..k]), median(&medians[k..end]));
        let persists = match v {
            Verdict::Slower => after > before * (1.0 + threshold),
            _ => after < before * (1.0 - threshold),
        };
        let excursion = end == k + 1 && end < n;
        if persists && !excursion {
            steps.push(Step {
                index: k,
                verdict: v,
                before,
                after,
                provisional: k == n - 1,
            });
            start = k;
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(levels: &[f64]) -> Vec<Spread> {
        // Three repeats within ±1 % of each level.
        levels
            .iter()
            .map(|&m| Spread::of(&[m * 0.99, m, m * 1.01]).unwrap())
            .collect()
    }

    #[test]
    fn a_lasting_speed_up_is_one_step_at_the_first_set_after_it() {
        let s = find(&series(&[0.85, 0.84, 0.86, 0.50, 0.49, 0.51]), 0.05, 0.005);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!((s[0].index, s[0].verdict), (3, Verdict::Faster));
        assert!(!s[0].provisional);
        assert!((s[0].before - 0.85).abs() < 1e-12 && (s[0].after - 0.50).abs() < 1e-12);
    }

    #[test]
    fn an_excursion_is_not_a_step() {
        assert!(find(&series(&[1.0, 1.0, 1.5, 1.0, 1.0]), 0.05, 0.005).is_empty());
    }

    #[test]
    fn drift_within_the_spread_is_not_a_step() {
        let wide: Vec<Spread> = [1.0, 1.06, 0.97, 1.08, 1.02]
            .iter()
            .map(|&m| Spread::of(&[m * 0.95, m, m * 1.05]).unwrap())
            .collect();
        assert!(find(&wide, 0.05, 0.005).is_empty());
    }

    #[test]
    fn a_regression_then_its_fix_are_two_steps() {
        let s = find(&series(&[1.0, 1.0, 1.4, 1.4, 1.4, 1.0, 1.0]), 0.05, 0.005);
        let found: Vec<_> = s.iter().map(|s| (s.index, s.verdict)).collect();
        assert_eq!(found, [(2, Verdict::Slower), (5, Verdict::Faster)]);
    }

    #[test]
    fn a_step_on_the_newest_set_is_provisional() {
        let s = find(&series(&[1.0, 1.0, 1.3]), 0.05, 0.005);
        assert_eq!(s.len(), 1);
        assert!(s[0].provisional && s[0].verdict == Verdict::Slower);
    }

    #[test]
    fn below_the_floor_nothing_steps() {
        assert!(find(&series(&[0.001, 0.001, 0.002, 0.002]), 0.05, 0.005).is_empty());
    }
}
