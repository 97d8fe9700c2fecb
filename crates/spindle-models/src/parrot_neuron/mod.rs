//! NEST's `parrot_neuron`: it repeats every spike it receives, one step
//! later, as many times as it received it in that step (NEST sends one
//! event with that multiplicity; Spindle sends the spike that many times,
//! which every target, recorder and archive reads alike). The weights of
//! the connections onto it are ignored: the network stores them as 1
//! ([`NeuronModel::counts_spikes`]), so that the input ring holds counts.
//! It has no parameters but the spike archive's, no state and no
//! recordables, and takes spikes on receptor 0 only.

use spindle_core::{Resolution, Step};

use crate::Isa;
use crate::model::{
    NeuronModel, ParamError, ParamSpec, Population, RecordableSpec, SliceInput, SliceOutput,
};

/// The model.
#[derive(Debug)]
pub struct ParrotNeuron;

/// The one instance the network and the registry refer to.
pub static PARROT_NEURON: ParrotNeuron = ParrotNeuron;

impl NeuronModel for ParrotNeuron {
    fn name(&self) -> &'static str {
        "parrot_neuron"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &[]
    }

    fn recordables(&self) -> &'static [RecordableSpec] {
        &[]
    }

    fn validate(&self, _: &[f64]) -> Result<(), ParamError> {
        Ok(())
    }

    fn population(&self, _: &[f64], _: Resolution, offset: u32, len: usize) -> Box<dyn Population> {
        Box::new(ParrotPopulation {
            offset,
            len,
            ..ParrotPopulation::default()
        })
    }

    fn state_bytes_per_neuron(&self) -> usize {
        0
    }

    fn state_params(&self) -> &'static [&'static str] {
        &[]
    }

    fn counts_spikes(&self) -> bool {
        true
    }
}

/// Parrots at local indices `offset..offset + len`, and the buffers of a
/// slice's input.
#[derive(Debug, Clone, Default)]
pub struct ParrotPopulation {
    offset: u32,
    len: usize,
    rows: Vec<usize>,
    ex: Vec<f64>,
    inh: Vec<f64>,
    sums: Vec<f64>,
}

impl Population for ParrotPopulation {
    fn len(&self) -> usize {
        self.len
    }

    fn offset(&self) -> u32 {
        self.offset
    }

    fn attach_probe(&mut self, _: usize, _: u32, _: Step) {
        unreachable!("a parrot_neuron has no recordables to sample")
    }

    fn update(
        &mut self,
        _: Isa,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        let ring = &mut *input.ring;
        ring.fold_planes(origin, from, to);
        ring.row_offsets(origin, from, to, &mut self.rows);
        let n = to as usize;
        self.ex.resize(n, 0.0);
        self.inh.resize(n, 0.0);
        self.sums.resize(2 * n, 0.0);
        for i in 0..self.len {
            let local = self.offset as usize + i;
            input
                .poisson
                .fill_block::<1>(local, origin, from, to, &mut self.ex, &mut self.inh);
            ring.take_slice::<1>(
                &self.rows,
                local,
                from,
                to,
                &mut self.ex,
                &mut self.inh,
                &mut self.sums,
            );
            for lag in from as usize..n {
                // Every weight onto a parrot is 1: the sum is a count.
                let count = (self.ex[lag] - self.inh[lag]).round() as u64;
                for _ in 0..count {
                    out.spike(local as u32, lag as u32);
                }
            }
        }
    }

    fn recordable(&self, _: usize, _: usize) -> f64 {
        unreachable!("a parrot_neuron has no recordables")
    }

    fn set_state(&mut self, _: usize, name: &str, _: f64) -> Result<(), ParamError> {
        Err(ParamError::Unknown(name.into()))
    }

    fn split_off(&mut self, at: usize) -> Box<dyn Population> {
        assert!(0 < at && at < self.len, "split inside the population");
        let rest = ParrotPopulation {
            offset: self.offset + at as u32,
            len: self.len - at,
            ..ParrotPopulation::default()
        };
        self.len = at;
        Box::new(rest)
    }

    fn set_params(&mut self, _: &[f64], _: Resolution) {}

    fn bytes(&self) -> usize {
        size_of::<Self>()
            + (self.ex.capacity() + self.inh.capacity() + self.sums.capacity()) * size_of::<f64>()
            + self.rows.capacity() * size_of::<usize>()
    }
}
