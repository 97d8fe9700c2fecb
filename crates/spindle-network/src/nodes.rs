//! Nodes and collections of them.

use spindle_core::{NodeId, Resolution, Step};
use spindle_models::ModelRef;
use spindle_models::correlation::CorrelationDetectorParams;
use spindle_models::current::Waveform;
use spindle_models::devices::{
    AcGeneratorParams, DcGeneratorParams, MultimeterParams, NoiseGeneratorParams,
    PoissonGeneratorParams, SpikeGeneratorParams, SpikeRecorderParams, StepCurrentGeneratorParams,
    WeightRecorderParams, window_steps,
};
use spindle_models::sources::SpikeSourceParams;

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A neuron of model `model`, in population `population`.
    Neuron {
        /// Its model.
        model: ModelRef,
        /// Index of the population (one `create` call).
        population: u32,
    },
    /// A `poisson_generator`.
    PoissonGenerator(PoissonGeneratorParams),
    /// A `spike_generator`.
    SpikeGenerator(SpikeGeneratorParams),
    /// A `dc_generator`.
    DcGenerator(DcGeneratorParams),
    /// A `step_current_generator`.
    StepCurrentGenerator(StepCurrentGeneratorParams),
    /// An `ac_generator`.
    AcGenerator(AcGeneratorParams),
    /// A `noise_generator`.
    NoiseGenerator(NoiseGeneratorParams),
    /// A stochastic or pulse spike source (`sinusoidal_poisson_generator`,
    /// `mip_generator`, ...: [`spindle_models::sources`]).
    SpikeSource(SpikeSourceParams),
    /// A `spike_recorder`.
    SpikeRecorder(SpikeRecorderParams),
    /// A `multimeter`.
    Multimeter(MultimeterParams),
    /// A `weight_recorder`.
    WeightRecorder(WeightRecorderParams),
    /// A `correlation_detector`.
    CorrelationDetector(CorrelationDetectorParams),
}

impl NodeKind {
    /// NEST's model name.
    pub fn model_name(&self) -> &'static str {
        match self {
            Self::Neuron { model, .. } => model.name(),
            Self::PoissonGenerator(_) => "poisson_generator",
            Self::SpikeGenerator(_) => "spike_generator",
            Self::DcGenerator(_) => "dc_generator",
            Self::StepCurrentGenerator(_) => "step_current_generator",
            Self::AcGenerator(_) => "ac_generator",
            Self::NoiseGenerator(_) => "noise_generator",
            Self::SpikeSource(p) => p.name(),
            Self::SpikeRecorder(_) => "spike_recorder",
            Self::Multimeter(_) => "multimeter",
            Self::WeightRecorder(_) => "weight_recorder",
            Self::CorrelationDetector(_) => "correlation_detector",
        }
    }

    /// A current generator's waveform and active window (`None` for other
    /// nodes, and for step times the resolution cannot place, which
    /// `create` and `set` refuse first).
    pub fn current_waveform(&self, res: Resolution) -> Option<(Waveform, (Step, Step))> {
        let (wave, start, stop, origin) = match self {
            Self::DcGenerator(p) => (Waveform::Constant(p.amplitude), p.start, p.stop, p.origin),
            Self::StepCurrentGenerator(p) => (
                Waveform::Steps {
                    stamps: p.stamps(res).ok()?,
                    values: p.amplitude_values.clone(),
                    initial: 0.0,
                    from: 0,
                },
                p.start,
                p.stop,
                p.origin,
            ),
            Self::AcGenerator(p) => (
                Waveform::oscillator(p.amplitude, p.offset, p.frequency, p.phase),
                p.start,
                p.stop,
                p.origin,
            ),
            Self::NoiseGenerator(p) => {
                let (t_min, t_max) = window_steps(p.start, p.stop, p.origin, res);
                let wave = Waveform::Noise {
                    mean: p.mean,
                    std: p.std,
                    dt: p.dt_steps(res).ok()?,
                    // The first sending step s with t_min < s + 2.
                    anchor: t_min.saturating_sub(1),
                    // Set per target by whoever drives it.
                    seed: 0,
                    key: 0,
                };
                return Some((wave, (t_min, t_max)));
            }
            _ => return None,
        };
        Some((wave, window_steps(start, stop, origin, res)))
    }

    /// Whether the node is a current generator.
    pub fn is_current_generator(&self) -> bool {
        matches!(
            self,
            Self::DcGenerator(_)
                | Self::StepCurrentGenerator(_)
                | Self::AcGenerator(_)
                | Self::NoiseGenerator(_)
        )
    }

    /// Whether the node sends spikes to neurons as a generator does
    /// (drawn or given, never a current).
    pub fn is_spike_generator(&self) -> bool {
        matches!(
            self,
            Self::PoissonGenerator(_) | Self::SpikeGenerator(_) | Self::SpikeSource(_)
        )
    }

    /// Whether the node is a neuron.
    pub fn is_neuron(&self) -> bool {
        matches!(self, Self::Neuron { .. })
    }
}

/// A contiguous range of node ids, as `nest.Create` returns. Slicing and
/// joining adjacent collections keep it contiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeCollection {
    first: NodeId,
    len: u32,
}

impl NodeCollection {
    pub(crate) fn new(first: NodeId, len: u32) -> Self {
        Self { first, len }
    }

    /// The ids `first .. first + len`, if they are valid ids (from 1).
    pub fn from_range(first: NodeId, len: u32) -> Option<Self> {
        (first >= 1 && len >= 1 && first.checked_add(len).is_some()).then(|| Self::new(first, len))
    }

    /// First node id.
    pub fn first(&self) -> NodeId {
        self.first
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`-th node id.
    pub fn get(&self, i: usize) -> NodeId {
        assert!(i < self.len());
        self.first + i as NodeId
    }

    /// Whether `id` is in the collection.
    pub fn contains(&self, id: NodeId) -> bool {
        id >= self.first && id - self.first < self.len
    }

    /// Position of `id` in the collection.
    pub fn position(&self, id: NodeId) -> Option<usize> {
        self.contains(id).then(|| (id - self.first) as usize)
    }

    /// The node ids.
    pub fn iter(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.first..self.first + self.len
    }

    /// `nodes[range]`, like slicing a NEST NodeCollection; `None` if the
    /// range does not fit.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Option<Self> {
        (range.start <= range.end && range.end <= self.len()).then(|| {
            Self::new(
                self.first + range.start as NodeId,
                (range.end - range.start) as u32,
            )
        })
    }

    /// `a + b`: joins two collections that are adjacent (`b` directly after
    /// `a`); `None` otherwise.
    pub fn join(&self, other: &Self) -> Option<Self> {
        (self.first + self.len == other.first).then(|| Self::new(self.first, self.len + other.len))
    }

    /// The ids in both collections, if any.
    pub fn intersection(&self, other: &Self) -> Option<Self> {
        let lo = self.first.max(other.first);
        let n = self.overlap(other) as u32;
        (n > 0).then(|| Self::new(lo, n))
    }

    /// Number of ids in both collections.
    pub fn overlap(&self, other: &Self) -> usize {
        let lo = self.first.max(other.first);
        let hi = (self.first + self.len).min(other.first + other.len);
        hi.saturating_sub(lo) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicing_and_joining() {
        let a = NodeCollection::new(1, 10);
        let b = NodeCollection::new(11, 5);
        assert_eq!(a.join(&b), Some(NodeCollection::new(1, 15)));
        assert_eq!(b.join(&a), None);
        assert_eq!(a.slice(0..3), Some(NodeCollection::new(1, 3)));
        assert_eq!(a.slice(0..11), None);
        assert_eq!(a.overlap(&NodeCollection::new(5, 20)), 6);
        assert_eq!(a.overlap(&b), 0);
        assert_eq!(
            a.intersection(&NodeCollection::new(5, 20)),
            Some(NodeCollection::new(5, 6))
        );
        assert_eq!(a.intersection(&b), None);
        assert_eq!(a.position(10), Some(9));
        assert_eq!(a.position(11), None);
    }
}
