//! The current input a `dc_generator` gives each target: NEST's
//! `CurrentEvent`s, computed where they arrive rather than sent, since a
//! generator's current is a known function of time.
//!
//! NEST's generator sends its amplitude in every step `s` it is active (a
//! current generator is active when `s + 2` is in the device's window,
//! `t_min < s + 2 <= t_max`: `StimulationDevice::is_active`); the event
//! arrives `delay` steps later and the neuron takes it as its input current
//! for the step after (NEST's `y0_`/`i_0_`, read from the current buffer
//! at the end of a step). The lane driver ([`crate::lanes`]) makes that
//! last shift.

use spindle_core::Step;

/// One generator's drive of its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentDrive {
    /// The generator's node id.
    pub generator: u32,
    /// Current while active [pA].
    pub amplitude: f64,
    /// Connection weight (NEST multiplies the current by it).
    pub weight: f64,
    /// Connection delay [steps].
    pub delay: Step,
    /// Active in sending steps `s` with `t_min < s + 2 <= t_max`.
    pub t_min: Step,
    /// See `t_min`.
    pub t_max: Step,
    /// Earlier settings, for events sent before a change and still in
    /// flight: (first step the setting no longer holds, amplitude, t_min,
    /// t_max), oldest first.
    pub earlier: Vec<(Step, f64, Step, Step)>,
}

impl CurrentDrive {
    /// The current this drive makes arrive in step `step`: what the
    /// generator sent `delay` steps before, with the settings then.
    #[inline]
    fn arriving(&self, step: Step) -> f64 {
        let Some(s) = step.checked_sub(self.delay) else {
            return 0.0;
        };
        let (amplitude, t_min, t_max) = self
            .earlier
            .iter()
            .find(|e| s < e.0)
            .map_or((self.amplitude, self.t_min, self.t_max), |e| {
                (e.1, e.2, e.3)
            });
        if t_min < s + 2 && s + 2 <= t_max {
            self.weight * amplitude
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
        }
    }

    /// Whether any drive reaches local neurons `offset..offset + len`.
    pub fn reaches(&self, offset: u32, len: usize) -> bool {
        let (a, b) = (offset as usize, offset as usize + len);
        b < self.start.len() && self.start[b] > self.start[a]
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

    /// New amplitude and window for every drive of generator `generator`,
    /// for events sent from step `from` on.
    pub fn set_generator(
        &mut self,
        generator: u32,
        amplitude: f64,
        (t_min, t_max): (Step, Step),
        from: Step,
    ) {
        for d in self.drives.iter_mut().filter(|d| d.generator == generator) {
            // Settings whose events have all arrived are forgotten.
            d.earlier.retain(|e| e.0 + d.delay > from);
            d.earlier.push((from, d.amplitude, d.t_min, d.t_max));
            d.amplitude = amplitude;
            d.t_min = t_min;
            d.t_max = t_max;
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.start.len() * 4
            + self.drive_of.len() * 4
            + self.drives.len() * size_of::<CurrentDrive>()
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
            amplitude,
            weight: 1.0,
            delay,
            t_min,
            t_max,
            earlier: Vec::new(),
        }
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
        input.set_generator(4, 2.0, (0, 9), 6);
        assert_eq!(input.arriving(0, 6), 0.75);
        assert_eq!(input.arriving(0, 7), 3.0);
        assert_eq!(input.arriving(0, 8), 3.0);
        assert_eq!(input.arriving(0, 9), 1.0);
    }
}
