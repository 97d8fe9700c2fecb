//! `iaf_psc_exp`'s population: its state, structure of arrays, and its
//! lane step; the shared lane driver ([`crate::lanes`]) does the rest.

use spindle_core::Resolution;

use super::{IafPscExp, IafPscExpParams, Propagators};
use crate::lanes::{LaneChunk, LaneModel, LanePopulation};

/// A population of `iaf_psc_exp` neurons sharing one parameter set, as
/// structure of arrays. It occupies `offset..offset + len` of its shard's
/// local indices (and input ring).
pub type IafPscExpPopulation = LanePopulation<IafPscExp>;

/// The neurons' state.
#[derive(Debug, Clone)]
pub struct State {
    /// Membrane potential relative to `E_L` [mV] (NEST's `V_m_`).
    v_m: Vec<f64>,
    /// Excitatory synaptic current [pA] (`i_syn_ex_`).
    i_ex: Vec<f64>,
    /// Inhibitory synaptic current [pA] (`i_syn_in_`).
    i_in: Vec<f64>,
    /// Refractory steps left.
    r: Vec<u32>,
}

impl IafPscExpPopulation {
    /// `len` neurons at local indices `offset..`, all starting at the
    /// parameters' `v_m`, with propagators for `res`.
    pub fn new(params: &IafPscExpParams, res: Resolution, offset: u32, len: usize) -> Self {
        let state = State {
            v_m: vec![params.v_m - params.e_l; len],
            i_ex: vec![0.0; len],
            i_in: vec![0.0; len],
            r: vec![0; len],
        };
        Self::from_parts(Propagators::new(params, res), (), state, len, offset)
    }
}

impl LaneModel for IafPscExp {
    type Props = Propagators;
    type Tables = ();
    type State = State;
    type Chunk<const M: usize> = Chunk<M>;
    type Sample = [f64; 3];

    const STATE_BYTES_PER_NEURON: usize = 3 * 8 + 4 + 4;

    fn parts(values: &[f64], res: Resolution) -> (Propagators, ()) {
        (
            Propagators::new(&IafPscExpParams::from_values(values), res),
            (),
        )
    }

    fn split_state(state: &mut State, at: usize) -> State {
        State {
            v_m: state.v_m.split_off(at),
            i_ex: state.i_ex.split_off(at),
            i_in: state.i_in.split_off(at),
            r: state.r.split_off(at),
        }
    }

    fn potentials(state: &mut State) -> &mut [f64] {
        &mut state.v_m
    }

    fn e_l(p: &Propagators) -> f64 {
        p.e_l
    }
}

/// The state of `M` neighbouring neurons through a slice.
pub struct Chunk<const M: usize> {
    v: [f64; M],
    i_ex: [f64; M],
    i_in: [f64; M],
    r: [u32; M],
}

impl<const M: usize> LaneChunk<IafPscExp, M> for Chunk<M> {
    #[inline(always)]
    fn load(pop: &State, i: usize) -> Self {
        let get = |v: &[f64]| -> [f64; M] { v[i..i + M].try_into().expect("a chunk") };
        Self {
            v: get(&pop.v_m),
            i_ex: get(&pop.i_ex),
            i_in: get(&pop.i_in),
            r: pop.r[i..i + M].try_into().expect("a chunk"),
        }
    }

    #[inline(always)]
    fn store(&self, pop: &mut State, i: usize) {
        pop.v_m[i..i + M].copy_from_slice(&self.v);
        pop.i_ex[i..i + M].copy_from_slice(&self.i_ex);
        pop.i_in[i..i + M].copy_from_slice(&self.i_in);
        pop.r[i..i + M].copy_from_slice(&self.r);
    }

    /// One step of NEST's update (`iaf_psc_exp::update`), its operations
    /// in its order for every lane, for input `ex[..M]`, `inh[..M]`; marks
    /// who fired: bit `l` of the result for lane `l`.
    #[inline(always)]
    fn step(
        &mut self,
        p: &Propagators,
        _: &(),
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        let mut fired = 0;
        for l in 0..M {
            // NEST: V_m * P22 + i_syn_ex * P21ex + i_syn_in * P21in
            // + (I_e + i_0) * P20, added left to right.
            let drive = match i0 {
                None => p.p20_i_e,
                Some(i0) => (p.i_e + i0[l]) * p.p20,
            };
            let v = self.v[l] * p.p22 + self.i_ex[l] * p.p21_ex + self.i_in[l] * p.p21_in + drive;
            let refractory = self.r[l] != 0;
            self.v[l] = if refractory { self.v[l] } else { v };
            self.r[l] -= u32::from(refractory);

            // The currents decay, then this step's spikes join them (NEST's
            // `+= (1 - P11ex) * i_1` in between adds +0.0: no current port).
            self.i_ex[l] = self.i_ex[l] * p.p11_ex + ex[l];
            self.i_in[l] = self.i_in[l] * p.p11_in + inh[l];

            let fire = self.v[l] >= p.theta;
            fired |= u32::from(fire) << l;
            self.r[l] = if fire { p.refractory_steps } else { self.r[l] };
            self.v[l] = if fire { p.v_reset } else { self.v[l] };
        }
        fired
    }

    #[inline(always)]
    fn sample(&self, p: &Propagators) -> [f64; 3] {
        [self.v[0] + p.e_l, self.i_ex[0], self.i_in[0]]
    }
}
