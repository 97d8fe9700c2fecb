//! `iaf_psc_alpha`'s population: its state, structure of arrays, and its
//! lane step; the shared lane driver ([`crate::lanes`]) does the rest.

use spindle_core::Resolution;

use super::{IafPscAlpha, IafPscAlphaParams, Propagators};
use crate::lanes::{LaneChunk, LaneModel, LanePopulation};

/// A population of `iaf_psc_alpha` neurons sharing one parameter set, as
/// structure of arrays. It occupies `offset..offset + len` of its shard's
/// local indices (and input ring).
pub type IafPscAlphaPopulation = LanePopulation<IafPscAlpha>;

/// The neurons' state.
#[derive(Debug, Clone)]
pub struct State {
    /// Membrane potential relative to `E_L` [mV] (NEST's `y3_`).
    v_m: Vec<f64>,
    i_ex: Vec<f64>,
    di_ex: Vec<f64>,
    i_in: Vec<f64>,
    di_in: Vec<f64>,
    /// Refractory steps left.
    r: Vec<u32>,
}

impl IafPscAlphaPopulation {
    /// `len` neurons at local indices `offset..`, all starting at the
    /// parameters' `v_m`, with propagators for `res`.
    pub fn new(params: &IafPscAlphaParams, res: Resolution, offset: u32, len: usize) -> Self {
        let state = State {
            v_m: vec![params.v_m - params.e_l; len],
            i_ex: vec![0.0; len],
            di_ex: vec![0.0; len],
            i_in: vec![0.0; len],
            di_in: vec![0.0; len],
            r: vec![0; len],
        };
        Self::from_parts(Propagators::new(params, res), (), state, len, offset)
    }
}

impl LaneModel for IafPscAlpha {
    type Props = Propagators;
    type Tables = ();
    type State = State;
    type Chunk<const M: usize> = Chunk<M>;
    type Sample = [f64; 3];

    const STATE_BYTES_PER_NEURON: usize = 5 * 8 + 4 + 4;

    fn parts(values: &[f64], res: Resolution) -> (Propagators, ()) {
        (
            Propagators::new(&IafPscAlphaParams::from_values(values), res),
            (),
        )
    }

    fn split_state(state: &mut State, at: usize) -> State {
        State {
            v_m: state.v_m.split_off(at),
            i_ex: state.i_ex.split_off(at),
            di_ex: state.di_ex.split_off(at),
            i_in: state.i_in.split_off(at),
            di_in: state.di_in.split_off(at),
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
    y3: [f64; M],
    i_ex: [f64; M],
    di_ex: [f64; M],
    i_in: [f64; M],
    di_in: [f64; M],
    r: [u32; M],
}

impl<const M: usize> LaneChunk<IafPscAlpha, M> for Chunk<M> {
    #[inline(always)]
    fn load(pop: &State, i: usize) -> Self {
        let get = |v: &[f64]| -> [f64; M] { v[i..i + M].try_into().expect("a chunk") };
        Self {
            y3: get(&pop.v_m),
            i_ex: get(&pop.i_ex),
            di_ex: get(&pop.di_ex),
            i_in: get(&pop.i_in),
            di_in: get(&pop.di_in),
            r: pop.r[i..i + M].try_into().expect("a chunk"),
        }
    }

    #[inline(always)]
    fn store(&self, pop: &mut State, i: usize) {
        pop.v_m[i..i + M].copy_from_slice(&self.y3);
        pop.i_ex[i..i + M].copy_from_slice(&self.i_ex);
        pop.di_ex[i..i + M].copy_from_slice(&self.di_ex);
        pop.i_in[i..i + M].copy_from_slice(&self.i_in);
        pop.di_in[i..i + M].copy_from_slice(&self.di_in);
        pop.r[i..i + M].copy_from_slice(&self.r);
    }

    /// One step of NEST's update (`iaf_psc_alpha::update`), its operations
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
        // As the current path with y0 = +0.0 (the same bits for I_e = -0.0).
        let p30_i_e = p.p30 * (0.0 + p.i_e);
        for l in 0..M {
            // NEST: P30 * (y0 + I_e), with y0 zero unless a current
            // generator reaches the neuron.
            let drive = match i0 {
                None => p30_i_e,
                Some(i0) => p.p30 * (i0[l] + p.i_e),
            };
            let v = drive
                + p.p31_ex * self.di_ex[l]
                + p.p32_ex * self.i_ex[l]
                + p.p31_in * self.di_in[l]
                + p.p32_in * self.i_in[l]
                + p.expm1_tau_m * self.y3[l]
                + self.y3[l];
            let v = if v < p.lower_bound { p.lower_bound } else { v };
            let refractory = self.r[l] != 0;
            self.y3[l] = if refractory { self.y3[l] } else { v };
            self.r[l] -= u32::from(refractory);

            self.i_ex[l] = p.p21_ex * self.di_ex[l] + p.p11_ex * self.i_ex[l];
            self.di_ex[l] = self.di_ex[l] * p.p11_ex + p.epsc_initial * ex[l];
            self.i_in[l] = p.p21_in * self.di_in[l] + p.p11_in * self.i_in[l];
            self.di_in[l] = self.di_in[l] * p.p11_in + p.ipsc_initial * inh[l];

            let fire = self.y3[l] >= p.theta;
            fired |= u32::from(fire) << l;
            self.r[l] = if fire { p.refractory_steps } else { self.r[l] };
            self.y3[l] = if fire { p.v_reset } else { self.y3[l] };
        }
        fired
    }

    #[inline(always)]
    fn sample(&self, p: &Propagators) -> [f64; 3] {
        [self.y3[0] + p.e_l, self.i_ex[0], self.i_in[0]]
    }
}
