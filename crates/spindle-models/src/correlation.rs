//! NEST's `correlation_detector`: the cross-correlation histogram of the
//! spikes arriving on its two receptor ports, weighted and counted.
//!
//! NEST updates the histograms spike by spike as they arrive
//! (`correlation_detector::handle`); Spindle keeps the detector's spikes
//! and computes the same histograms from them, in time order, when they
//! are read (see [`CorrelationDetectorParams::histograms`]).

use spindle_core::{Resolution, Step};

use crate::devices::{DeviceError, RecordWindow};

/// `correlation_detector`'s parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelationDetectorParams {
    /// Bin width [ms] (`None`: NEST's default, five steps).
    pub delta_tau: Option<f64>,
    /// One-sided width of the histogram [ms], a multiple of `delta_tau`.
    pub tau_max: f64,
    /// Spikes count from this time on [ms] (`Tstart`).
    pub t_start: f64,
    /// ... up to this time [ms] (`Tstop`).
    pub t_stop: f64,
    /// When it is active at all (`start`, `stop`, `origin`).
    pub window: RecordWindow,
}

impl Default for CorrelationDetectorParams {
    fn default() -> Self {
        Self {
            delta_tau: None,
            tau_max: 5.0,
            t_start: 0.0,
            t_stop: f64::INFINITY,
            window: RecordWindow::default(),
        }
    }
}

/// One spike that reached the detector: its stamp [steps] and its weight
/// times its multiplicity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectedSpike {
    /// The grid point it is stamped at.
    pub stamp: Step,
    /// Connection weight times multiplicity.
    pub weight: f64,
    /// Multiplicity.
    pub multiplicity: u64,
}

/// What a detector holds, by NEST's names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CorrelationHistograms {
    /// Spikes counted per port.
    pub n_events: [u64; 2],
    /// Weighted histogram (Kahan summed).
    pub histogram: Vec<f64>,
    /// The Kahan corrections.
    pub histogram_correction: Vec<f64>,
    /// Pairs counted per bin.
    pub count_histogram: Vec<u64>,
}

impl CorrelationDetectorParams {
    /// The bin width [ms].
    pub fn delta_tau(&self, res: Resolution) -> f64 {
        self.delta_tau.unwrap_or(5.0 * res.ms_per_step())
    }

    /// NEST's checks: `delta_tau` a whole number of steps, `tau_max` a
    /// multiple of it.
    pub fn validate(&self, res: Resolution) -> Result<(), DeviceError> {
        let dt = self.delta_tau(res);
        let steps = |ms: f64| {
            let s = ms / res.ms_per_step();
            ((s - s.round()).abs() < 1e-9 * s.abs().max(1.0)).then_some(s.round() as i64)
        };
        let d = steps(dt).filter(|&d| d > 0).ok_or_else(|| {
            DeviceError::Invalid(format!(
                "correlation_detector: delta_tau = {dt} ms must be a multiple of the resolution \
                 {} ms.",
                res.h()
            ))
        })?;
        match steps(self.tau_max) {
            Some(t) if t >= 0 && t % d == 0 => {}
            _ => {
                return Err(DeviceError::Invalid(format!(
                    "correlation_detector: tau_max = {} ms must be a multiple of delta_tau = {dt} \
                     ms.",
                    self.tau_max
                )));
            }
        }
        self.window.validate("correlation_detector")
    }

    /// Bins in each histogram: `1 + 2 tau_max / delta_tau`.
    pub fn bins(&self, res: Resolution) -> usize {
        let d = (self.delta_tau(res) / res.ms_per_step()).round() as i64;
        let t = (self.tau_max / res.ms_per_step()).round() as i64;
        (1 + 2 * t / d.max(1)) as usize
    }

    /// The histograms of `spikes`, per port, in arrival order (by stamp),
    /// as NEST's `handle` builds them: each spike is paired with the
    /// other port's earlier spikes within `tau_max + delta_tau / 2`
    /// (the bin edges closed on the left), if stamped within
    /// `[Tstart, Tstop]`; spikes outside the detector's window are
    /// ignored.
    pub fn histograms(
        &self,
        res: Resolution,
        spikes: [&[DetectedSpike]; 2],
    ) -> CorrelationHistograms {
        let bins = self.bins(res);
        let d = (self.delta_tau(res) / res.ms_per_step()).round() as i64;
        let t_max = (self.tau_max / res.ms_per_step()).round() as i64;
        let tau_edge = t_max as f64 + 0.5 * d as f64;
        let (w_min, w_max) = self.window.steps(res);
        let mut out = CorrelationHistograms {
            histogram: vec![0.0; bins],
            histogram_correction: vec![0.0; bins],
            count_histogram: vec![0; bins],
            ..Default::default()
        };
        // Merge the ports by stamp; port 0 first on a tie, as NEST's
        // delivery gives them.
        let mut all: Vec<(Step, usize, DetectedSpike)> = spikes
            .iter()
            .enumerate()
            .flat_map(|(port, s)| s.iter().map(move |sp| (sp.stamp, port, *sp)))
            .collect();
        all.sort_by_key(|a| (a.0, a.1));
        let mut incoming: [std::collections::VecDeque<(i64, f64)>; 2] = Default::default();
        for (stamp, sender, sp) in all {
            if !(w_min < stamp && stamp <= w_max) {
                continue;
            }
            let spike_i = stamp as i64;
            let other = 1 - sender;
            let others = &mut incoming[other];
            while let Some(&(t, _)) = others.front() {
                if (spike_i - t) as f64 - 0.5 * other as f64 >= tau_edge {
                    others.pop_front();
                } else {
                    break;
                }
            }
            let t_ms = res.ms(stamp);
            if self.t_start <= t_ms && t_ms <= self.t_stop {
                out.n_events[sender] += 1;
                let sign = 2.0 * sender as f64 - 1.0;
                for &(t_j, w_j) in others.iter() {
                    let bin = ((tau_edge + sign * (spike_i - t_j) as f64) / d as f64).floor();
                    let bin = bin as usize;
                    if bin >= bins {
                        continue;
                    }
                    // Kahan summation, as NEST sums.
                    let y = sp.weight * w_j - out.histogram_correction[bin];
                    let t = out.histogram[bin] + y;
                    out.histogram_correction[bin] = (t - out.histogram[bin]) - y;
                    out.histogram[bin] = t;
                    out.count_histogram[bin] += sp.multiplicity;
                }
            }
            incoming[sender].push_back((spike_i, sp.weight));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spikes(stamps: &[Step]) -> Vec<DetectedSpike> {
        stamps
            .iter()
            .map(|&stamp| DetectedSpike {
                stamp,
                weight: 1.0,
                multiplicity: 1,
            })
            .collect()
    }

    #[test]
    fn pairs_fall_in_their_bins() {
        let res = Resolution::new(0.1).unwrap();
        let p = CorrelationDetectorParams {
            delta_tau: Some(1.0),
            tau_max: 3.0,
            ..Default::default()
        };
        assert_eq!(p.bins(res), 7);
        // Port 1 fires 2 ms after port 0: the bin 2 right of the middle.
        let h = p.histograms(res, [&spikes(&[100]), &spikes(&[120])]);
        assert_eq!(h.count_histogram, vec![0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(h.n_events, [1, 1]);
        // Coincident spikes count once, in the middle.
        let h = p.histograms(res, [&spikes(&[100]), &spikes(&[100])]);
        assert_eq!(h.count_histogram, vec![0, 0, 0, 1, 0, 0, 0]);
        // Port 1 first, by 3 ms: the left edge; beyond tau_max: nowhere.
        let h = p.histograms(res, [&spikes(&[130, 200]), &spikes(&[100])]);
        assert_eq!(h.count_histogram, vec![1, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn bad_widths_are_refused() {
        let res = Resolution::new(0.1).unwrap();
        let p = |dt: f64, tm: f64| CorrelationDetectorParams {
            delta_tau: Some(dt),
            tau_max: tm,
            ..Default::default()
        };
        assert!(p(0.25, 5.0).validate(res).is_err());
        assert!(p(1.0, 2.5).validate(res).is_err());
        assert!(p(0.5, 5.0).validate(res).is_ok());
    }
}
