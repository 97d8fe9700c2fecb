//! The current input a current generator (`dc_generator`,
//! `step_current_generator`, `ac_generator`) gives each target: NEST's
//! `CurrentEvent`s, computed where they arrive rather than sent, since a
//! generator's current is a known function of time ([`Waveform`]).
//!
//! NEST's generator sends its amplitude in every step `s` it is active (a
//! current generator is active when `s + 2` is in the device's window,
//! `t_min < s + 2 <= t_max`: `StimulationDevice::is_active`); the event
//! arrives `delay` steps later and the neuron takes it as its input current
//! for the step after (NEST's `y0_`/`i_0_`, read from the current buffer
//! at the end of a step). The lane driver ([`crate::lanes`]) makes that
//! last shift.

use spindle_core::Step;
use spindle_core::param::Draw;
use spindle_core::rng::{Purpose, stream};

/// What a current generator sends in a step while active (before the
/// connection's weight).
#[derive(Debug, Clone, PartialEq)]
pub enum Waveform {
    /// `dc_generator`: its amplitude [pA].
    Constant(f64),
    /// `step_current_generator`: `values[k]` from sending step
    /// `stamps[k] - 1` on (NEST changes the amplitude a step ahead). Stamps
    /// at or before `from` were in the past when the times were set: NEST
    /// skips them, keeping `initial`, the amplitude it had then.
    Steps {
        /// Change times [steps], increasing.
        stamps: Vec<Step>,
        /// Amplitudes [pA].
        values: Vec<f64>,
        /// The amplitude before the first change applied.
        initial: f64,
        /// The first step the times held in.
        from: Step,
    },
    /// `ac_generator`: NEST's rotation of `(y_0, y_1)` by `omega h` each
    /// step, sending `y_1 + offset`. NEST restarts the rotation from the
    /// closed form at every `Prepare` (`pre_run_hook`) and continues it
    /// over the `Run`s after, so the values are computed run by run
    /// ([`Waveform::start_run`]) and kept per sending step from `first`.
    Oscillator {
        /// Amplitude [pA].
        amplitude: f64,
        /// Offset [pA].
        offset: f64,
        /// Frequency [Hz].
        frequency: f64,
        /// Phase [degrees].
        phase: f64,
        /// The first sending step in `y1`.
        first: Step,
        /// `y_1` after each step's rotation.
        y1: Vec<f64>,
        /// `(y_0, y_1)` after the last step computed.
        last: (f64, f64),
    },
    /// `noise_generator`, for one target: `mean + std * N(0, 1)`, a new
    /// value every `dt` steps from `anchor` (its first active step, as
    /// NEST's `next_step_` counts), each drawn from a stream of its own
    /// keyed by the generator, the target and the interval, so the value
    /// does not depend on threads, ranks or when it is asked for.
    Noise {
        /// Mean [pA].
        mean: f64,
        /// Standard deviation [pA].
        std: f64,
        /// Steps each value holds.
        dt: Step,
        /// The first step of the first interval.
        anchor: Step,
        /// The network's seed.
        seed: u64,
        /// The generator's and the target's node ids, `generator << 32 |
        /// target`.
        key: u64,
    },
}

impl Waveform {
    /// An oscillator with no step computed yet.
    pub fn oscillator(amplitude: f64, offset: f64, frequency: f64, phase: f64) -> Self {
        Waveform::Oscillator {
            amplitude,
            offset,
            frequency,
            phase,
            first: 0,
            y1: Vec::new(),
            last: (0.0, 0.0),
        }
    }

    /// The value sent in step `s`.
    #[inline]
    fn at(&self, s: Step) -> f64 {
        match self {
            Waveform::Constant(a) => *a,
            Waveform::Steps {
                stamps,
                values,
                initial,
                from,
            } => {
                // The last change with from < stamp <= s + 1.
                let k = stamps.partition_point(|&t| t <= s + 1);
                if k > 0 && stamps[k - 1] > *from {
                    values[k - 1]
                } else {
                    *initial
                }
            }
            Waveform::Oscillator {
                offset, first, y1, ..
            } => s
                .checked_sub(*first)
                .and_then(|i| y1.get(i as usize))
                .map_or(0.0, |y| y + offset),
            Waveform::Noise {
                mean,
                std,
                dt,
                anchor,
                seed,
                key,
            } => {
                if *std == 0.0 {
                    return *mean;
                }
                let k = s.saturating_sub(*anchor) / (*dt).max(1);
                let mut draw = Draw::new(stream(*seed, Purpose::NoiseGenerator, *key, k));
                mean + std * draw.normal()
            }
        }
    }

    /// A run starts at step `start` and ends before `end`, at `h` ms per
    /// step: an oscillator computes its values for the run, from the
    /// closed form after a `Prepare` (`restart`, as NEST's `pre_run_hook`),
    /// else going on from where the last run stopped.
    pub fn start_run(&mut self, start: Step, end: Step, h: f64, restart: bool) {
        let Waveform::Oscillator {
            amplitude,
            frequency,
            phase,
            first,
            y1,
            last,
            ..
        } = self
        else {
            return;
        };
        let restart = restart || y1.is_empty() || start != *first + y1.len() as Step;
        if y1.is_empty() || start < *first {
            *first = start;
            y1.clear();
        }
        // Values from an earlier run are kept for events still in flight.
        y1.truncate((start - *first) as usize);
        y1.resize((start - *first) as usize, 0.0);
        let t = start as f64 * h;
        let omega = 2.0 * std::f64::consts::PI * *frequency / 1000.0;
        let phi = *phase * 2.0 * std::f64::consts::PI / 360.0;
        let (mut y_0, mut y_1) = if restart {
            (
                *amplitude * (omega * t + phi).cos(),
                *amplitude * (omega * t + phi).sin(),
            )
        } else {
            *last
        };
        let (a00, a01, a10, a11) = (
            (omega * h).cos(),
            -(omega * h).sin(),
            (omega * h).sin(),
            (omega * h).cos(),
        );
        for _ in start..end {
            let y0 = y_0;
            y_0 = a00 * y0 + a01 * y_1;
            y_1 = a10 * y0 + a11 * y_1;
            y1.push(y_1);
        }
        *last = (y_0, y_1);
    }
}

/// One generator's drive of its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentDrive {
    /// The generator's node id.
    pub generator: u32,
    /// What it sends while active.
    pub wave: Waveform,
    /// Connection weight (NEST multiplies the current by it).
    pub weight: f64,
    /// Connection delay [steps].
    pub delay: Step,
    /// Active in sending steps `s` with `t_min < s + 2 <= t_max`.
    pub t_min: Step,
    /// See `t_min`.
    pub t_max: Step,
    /// Earlier settings, for events sent before a change and still in
    /// flight: (first step the setting no longer holds, waveform, t_min,
    /// t_max), oldest first.
    pub earlier: Vec<(Step, Waveform, Step, Step)>,
}

impl CurrentDrive {
    /// The current this drive makes arrive in step `step`: what the
    /// generator sent `delay` steps before, with the settings then.
    #[inline]
    fn arriving(&self, step: Step) -> f64 {
        let Some(s) = step.checked_sub(self.delay) else {
            return 0.0;
        };
        let (wave, t_min, t_max) = self
            .earlier
            .iter()
            .find(|e| s < e.0)
            .map_or((&self.wave, self.t_min, self.t_max), |e| (&e.1, e.2, e.3));
        if t_min < s + 2 && s + 2 <= t_max {
            self.weight * wave.at(s)
        } else {
            0.0
        }
    }
}

/// The current input of every neuron of a shard: which drives reach which
/// neuron, as compressed rows by local index.
#[derive(Debug, Clone, Default)]
pub struct CurrentInput {
    drives: Vec<CurrentDrive>,
    start: Vec<u32>,
    drive_of: Vec<u32>,
    /// A `Prepare` came since the last run: the next restarts what
    /// restarts with it.
    prepared: bool,
}

impl CurrentInput {
    /// No current input for `n` neurons.
    pub fn empty(n: usize) -> Self {
        Self::new(Vec::new(), vec![Vec::new(); n])
    }

    /// Build from `drives` and, per local neuron in order, the indices of
    /// the drives that reach it (summed in that order).
    pub fn new(drives: Vec<CurrentDrive>, per_neuron: Vec<Vec<u32>>) -> Self {
        let mut start = Vec::with_capacity(per_neuron.len() + 1);
        let mut drive_of = Vec::new();
        start.push(0);
        for list in per_neuron {
            assert!(list.iter().all(|&d| (d as usize) < drives.len()));
            drive_of.extend(list);
            start.push(drive_of.len() as u32);
        }
        Self {
            drives,
            start,
            drive_of,
            prepared: true,
        }
    }

    /// Whether any drive reaches local neurons `offset..offset + len`.
    pub fn reaches(&self, offset: u32, len: usize) -> bool {
        let (a, b) = (offset as usize, offset as usize + len);
        b < self.start.len() && self.start[b] > self.start[a]
    }

    /// Whether every drive delivers +0.0 in each of the steps
    /// `first..end`: none is inside its window then.
    /// A dc_generator switched on for a moment (NEST's
    /// `sensitivity_to_perturbation.py`) keeps its targets off the
    /// current path for the rest of the run.
    pub fn silent(&self, first: Step, end: Step) -> bool {
        self.drives.iter().all(|d| {
            // Steps `step` send `s = step - delay`; `arriving` is non-zero
            // only where `t_min < s + 2 <= t_max`.
            let (lo, hi) = (
                first as i128 - d.delay as i128 + 2,
                end as i128 - d.delay as i128 + 1,
            );
            d.earlier.is_empty() && (hi <= d.t_min as i128 || lo > d.t_max as i128)
        })
    }

    /// The current arriving at local neuron `local` in step `step` [pA]:
    /// the sum over its drives, in connection order, as NEST's buffer adds
    /// the events.
    #[inline]
    pub fn arriving(&self, local: usize, step: Step) -> f64 {
        let (a, b) = (self.start[local] as usize, self.start[local + 1] as usize);
        let mut sum = 0.0;
        for &d in &self.drive_of[a..b] {
            sum += self.drives[d as usize].arriving(step);
        }
        sum
    }

    /// A new waveform and window for every drive of generator
    /// `generator`, for events sent from step `from` on. A step current's
    /// amplitude carries over to the new times until their first change
    /// (as NEST's does).
    pub fn set_generator(
        &mut self,
        generator: u32,
        wave: &Waveform,
        (t_min, t_max): (Step, Step),
        from: Step,
    ) {
        for d in self.drives.iter_mut().filter(|d| d.generator == generator) {
            // Settings whose events have all arrived are forgotten.
            d.earlier.retain(|e| e.0 + d.delay > from);
            let mut new = wave.clone();
            // A noise generator's new values keep each drive's target and
            // its intervals.
            if let (
                Waveform::Noise {
                    key, anchor, seed, ..
                },
                Waveform::Noise {
                    key: old_key,
                    anchor: old_anchor,
                    seed: old_seed,
                    ..
                },
            ) = (&mut new, &d.wave)
            {
                (*key, *anchor, *seed) = (*old_key, *old_anchor, *old_seed);
            }
            if let Waveform::Steps {
                initial, from: f, ..
            } = &mut new
            {
                *initial = match &d.wave {
                    Waveform::Steps { .. } => d.wave.at(from.saturating_sub(1)),
                    _ => 0.0,
                };
                *f = from;
            }
            let old = std::mem::replace(&mut d.wave, new);
            d.earlier.push((from, old, d.t_min, d.t_max));
            d.t_min = t_min;
            d.t_max = t_max;
        }
    }

    /// NEST's `Prepare`: the next run restarts the oscillators.
    pub fn prepare(&mut self) {
        self.prepared = true;
    }

    /// A run over steps `start..end` begins (`h` ms per step).
    pub fn start_run(&mut self, start: Step, end: Step, h: f64) {
        let restart = std::mem::take(&mut self.prepared);
        for d in &mut self.drives {
            d.wave.start_run(start, end, h, restart);
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.start.len() * 4
            + self.drive_of.len() * 4
            + self.drives.len() * size_of::<CurrentDrive>()
            + self
                .drives
                .iter()
                .map(|d| match &d.wave {
                    Waveform::Steps { stamps, values, .. } => stamps.len() * 8 + values.len() * 8,
                    Waveform::Oscillator { y1, .. } => y1.len() * 8,
                    Waveform::Constant(_) | Waveform::Noise { .. } => 0,
                })
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drive(
        generator: u32,
        amplitude: f64,
        delay: Step,
        t_min: Step,
        t_max: Step,
    ) -> CurrentDrive {
        CurrentDrive {
            generator,
            wave: Waveform::Constant(amplitude),
            weight: 1.0,
            delay,
            t_min,
            t_max,
            earlier: Vec::new(),
        }
    }

    #[test]
    fn noise_holds_each_value_for_dt_and_draws_per_target() {
        let noise = |key| Waveform::Noise {
            mean: 5.0,
            std: 2.0,
            dt: 4,
            anchor: 3,
            seed: 11,
            key,
        };
        let (a, b) = (noise(1 << 32 | 7), noise(1 << 32 | 8));
        // Steps 3..7 are one interval, 7..11 the next.
        assert_eq!(a.at(3), a.at(6));
        assert_ne!(a.at(6), a.at(7));
        assert_ne!(a.at(3), b.at(3));
        let v: Vec<f64> = (0..40_000).map(|k| a.at(3 + 4 * k)).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!((mean - 5.0).abs() < 0.05, "{mean}");
        assert!((var.sqrt() - 2.0).abs() < 0.05, "{var}");
    }

    #[test]
    fn arrives_delay_steps_after_each_active_step() {
        // Sent in steps 4, 5 and 6 (4 + 2 > 5, 6 + 2 <= 8).
        let input = CurrentInput::new(vec![drive(7, 2.5, 10, 5, 8)], vec![vec![0], vec![]]);
        let at: Vec<f64> = (0..20).map(|s| input.arriving(0, s)).collect();
        for (s, v) in at.iter().enumerate() {
            let expect = if (14..17).contains(&s) { 2.5 } else { 0.0 };
            assert_eq!(*v, expect, "step {s}");
        }
        assert_eq!(input.arriving(1, 16), 0.0);
        assert!(input.reaches(0, 1));
        assert!(!input.reaches(1, 1));
    }

    #[test]
    fn silent_exactly_where_nothing_arrives() {
        let input = CurrentInput::new(
            vec![drive(7, 2.5, 10, 5, 8), drive(8, -1.0, 3, 20, 22)],
            vec![vec![0, 1]],
        );
        let arrives: Vec<bool> = (0..40).map(|s| input.arriving(0, s) != 0.0).collect();
        for first in 0..40 {
            for end in first + 1..=40 {
                let any = arrives[first as usize..end as usize].iter().any(|&a| a);
                assert_eq!(input.silent(first, end), !any, "steps {first}..{end}");
            }
        }
    }

    #[test]
    fn drives_sum_and_change() {
        let mut input = CurrentInput::new(
            vec![
                drive(3, 1.0, 1, 0, Step::MAX),
                drive(4, -0.25, 1, 0, Step::MAX),
            ],
            vec![vec![0, 1]],
        );
        assert_eq!(input.arriving(0, 5), 0.75);
        // Events sent before step 6 keep the old settings.
        input.set_generator(4, &Waveform::Constant(2.0), (0, 9), 6);
        assert_eq!(input.arriving(0, 6), 0.75);
        assert_eq!(input.arriving(0, 7), 3.0);
        assert_eq!(input.arriving(0, 8), 3.0);
        assert_eq!(input.arriving(0, 9), 1.0);
    }

    #[test]
    fn a_step_current_changes_a_step_ahead_and_keeps_its_amplitude_over_new_times() {
        let steps = |stamps: Vec<Step>, values: Vec<f64>| Waveform::Steps {
            stamps,
            values,
            initial: 0.0,
            from: 0,
        };
        let mut d = drive(1, 0.0, 1, 0, Step::MAX);
        d.wave = steps(vec![3, 6], vec![2.0, -1.0]);
        let mut input = CurrentInput::new(vec![d], vec![vec![0]]);
        // Sent: 0 until step 1, 2 in steps 2..4, -1 from step 5; arriving a step later.
        let at: Vec<f64> = (0..8).map(|s| input.arriving(0, s)).collect();
        assert_eq!(at, [0.0, 0.0, 0.0, 2.0, 2.0, 2.0, -1.0, -1.0]);
        // New times from step 10: the one in the past (8) is skipped, the
        // amplitude stays -1 until the change at 12 (sent from step 11).
        input.set_generator(1, &steps(vec![8, 12], vec![5.0, 7.0]), (0, Step::MAX), 10);
        let at: Vec<f64> = (9..14).map(|s| input.arriving(0, s)).collect();
        assert_eq!(at, [-1.0, -1.0, -1.0, 7.0, 7.0]);
    }

    #[test]
    fn an_oscillator_restarts_at_each_run_as_nest_does() {
        let mut d = drive(1, 0.0, 1, 0, Step::MAX);
        d.wave = Waveform::oscillator(10.0, 1.0, 50.0, 30.0);
        let mut input = CurrentInput::new(vec![d], vec![vec![0]]);
        input.start_run(0, 100, 0.1);
        let omega = 2.0 * std::f64::consts::PI * 50.0 / 1000.0;
        let phi = 30.0f64.to_radians();
        for s in [0u64, 10, 99] {
            let t = (s + 1) as f64 * 0.1;
            let expect = 10.0 * (omega * t + phi).sin() + 1.0;
            assert!((input.arriving(0, s + 1) - expect).abs() < 1e-9, "step {s}");
        }
        let before = input.arriving(0, 100);
        input.prepare();
        input.start_run(100, 200, 0.1);
        assert_eq!(input.arriving(0, 100), before, "in flight: kept");
        let t = 150.0 * 0.1;
        let restarted = input.arriving(0, 150);
        assert!((restarted - (10.0 * (omega * t + phi).sin() + 1.0)).abs() < 1e-9);
        // Without a Prepare (NEST's Run after Run) the rotation goes on:
        // the same to rounding, not the same bits.
        let mut d = drive(1, 0.0, 1, 0, Step::MAX);
        d.wave = Waveform::oscillator(10.0, 1.0, 50.0, 30.0);
        let mut cont = CurrentInput::new(vec![d], vec![vec![0]]);
        cont.start_run(0, 100, 0.1);
        cont.start_run(100, 200, 0.1);
        assert!((cont.arriving(0, 150) - restarted).abs() < 1e-9);
    }
}
