//! `iaf_tum_2000`'s population: an `iaf_psc_exp` population for the
//! membrane, and each neuron's short-term plasticity state, advanced at
//! the spikes that population reports.

use spindle_core::{Resolution, Step};

use super::{IafTum2000Params, MEMBRANE, Release};
use crate::Isa;
use crate::iaf_psc_exp::IAF_PSC_EXP;
use crate::model::{NeuronModel, ParamError, Population, SliceInput, SliceOutput};

/// A population of `iaf_tum_2000` neurons sharing one parameter set.
pub struct IafTum2000Population {
    /// The membranes: `iaf_psc_exp`'s population with the first
    /// parameters, whose lane step and current port NEST's update shares.
    membrane: Box<dyn Population>,
    /// The short-term plasticity's rule.
    release: Release,
    /// The grid, to stamp spikes in ms as NEST does.
    res: Resolution,
    /// (`u`, `x`, `y`) of each neuron (NEST's `u_`, `x_`, `y_`).
    state: Vec<[f64; 3]>,
    /// The time of each neuron's last spike [ms]; 0 before the first, as
    /// NEST starts from it (not from its archive's -1).
    t_last: Vec<f64>,
}

impl IafTum2000Population {
    /// Bytes of state per neuron: the membrane's, (`u`, `x`, `y`) and the
    /// last spike's time.
    pub const STATE_BYTES_PER_NEURON: usize = 3 * 8 + 4 + 4 + 4 * 8;

    /// `len` neurons with parameters `values` (validated) at local
    /// indices `offset..`, on grid `res`.
    pub fn new(values: &[f64], res: Resolution, offset: u32, len: usize) -> Self {
        let p = IafTum2000Params::from_values(values);
        Self {
            membrane: IAF_PSC_EXP.population(&values[..MEMBRANE], res, offset, len),
            release: p.release(),
            res,
            state: vec![[p.u, p.x, p.y]; len],
            t_last: vec![0.0; len],
        }
    }

    /// Neuron `i`'s (`u`, `x`, `y`).
    pub fn release_state(&self, i: usize) -> [f64; 3] {
        self.state[i]
    }
}

impl Population for IafTum2000Population {
    fn len(&self) -> usize {
        self.state.len()
    }

    fn offset(&self) -> u32 {
        self.membrane.offset()
    }

    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        self.membrane.attach_probe(i, probe, interval);
    }

    fn update(
        &mut self,
        isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        let first = out.spikes.len();
        self.membrane.update(isa, origin, from, to, input, out);
        // NEST advances the state in the step of the spike, before the
        // next; spikes of one neuron come in the order of their lags, and
        // nothing else reads the state within the slice.
        let offset = self.membrane.offset();
        for &(local, lag) in &out.spikes[first..] {
            let i = (local - offset) as usize;
            // NEST's `set_spiketime(Time::step(origin + lag + 1))`, in ms.
            let t_spike = self.res.ms(origin + Step::from(lag) + 1);
            self.release
                .send(&mut self.state[i], t_spike - self.t_last[i]);
            self.t_last[i] = t_spike;
        }
    }

    fn recordable(&self, i: usize, r: usize) -> f64 {
        self.membrane.recordable(i, r)
    }

    fn state(&self, i: usize, name: &str) -> Option<f64> {
        let [u, x, y] = self.state[i];
        match name {
            "u" => Some(u),
            "x" => Some(x),
            "y" => Some(y),
            _ => None,
        }
    }

    /// `V_m` as `iaf_psc_exp`; `x`, `y` and `u` as given (the network
    /// checked the whole parameter set, `x + y <= 1` and `u` in [0, 1],
    /// before; checking one at a time here would refuse a valid pair set
    /// in the wrong order).
    fn set_state(&mut self, i: usize, name: &str, value: f64) -> Result<(), ParamError> {
        let [u, x, y] = &mut self.state[i];
        match name {
            "u" => *u = value,
            "x" => *x = value,
            "y" => *y = value,
            _ => return self.membrane.set_state(i, name, value),
        }
        Ok(())
    }

    fn split_off(&mut self, at: usize) -> Box<dyn Population> {
        Box::new(Self {
            membrane: self.membrane.split_off(at),
            release: self.release,
            res: self.res,
            state: self.state.split_off(at),
            t_last: self.t_last.split_off(at),
        })
    }

    fn set_params(&mut self, values: &[f64], res: Resolution) {
        self.membrane.set_params(&values[..MEMBRANE], res);
        self.release = IafTum2000Params::from_values(values).release();
        self.res = res;
    }

    fn bytes(&self) -> usize {
        self.membrane.bytes() + self.len() * (4 * 8)
    }
}
