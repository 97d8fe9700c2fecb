//! `iaf_psc_delta`'s population: its state, structure of arrays, and its
//! lane step; the shared lane driver ([`crate::lanes`]) does the rest.

use spindle_core::Resolution;

use super::{IafPscDelta, IafPscDeltaParams, Propagators};
use crate::lanes::{LaneChunk, LaneModel, LanePopulation, VariantVisitor};

/// A population of `iaf_psc_delta` neurons sharing one parameter set, as
/// structure of arrays. It occupies `offset..offset + len` of its shard's
/// local indices (and input ring).
pub type IafPscDeltaPopulation = LanePopulation<IafPscDelta>;

/// The neurons' state.
#[derive(Debug, Clone)]
pub struct State {
    /// Membrane potential relative to `E_L` [mV] (NEST's `y3_`).
    v_m: Vec<f64>,
    /// Input kept from the refractory period [mV] (NEST's
    /// `refr_spikes_buffer_`).
    refr: Vec<f64>,
    /// Refractory steps left.
    pub(super) r: Vec<u32>,
    /// Steps until the next forced spike (NEST's `steps_until_spike_`),
    /// counted down with `ignore_and_spike` only.
    left: Vec<i64>,
}

impl IafPscDeltaPopulation {
    /// `len` neurons at local indices `offset..`, all starting at the
    /// parameters' `v_m`, with propagators for `res`.
    pub fn new(params: &IafPscDeltaParams, res: Resolution, offset: u32, len: usize) -> Self {
        let props = Propagators::new(params, res);
        let state = State {
            v_m: vec![params.v_m - params.e_l; len],
            refr: vec![0.0; len],
            r: vec![0; len],
            left: vec![props.forced_offset; len],
        };
        // `exp(-r h / tau_m)` by refractory steps left `r`.
        let decay = props.refractory_decay();
        Self::from_parts(props, decay, state, len, offset)
    }

    /// Input neuron `i` keeps from its refractory period [mV].
    pub fn refractory_buffer(&self, i: usize) -> f64 {
        self.state.refr[i]
    }
}

impl LaneModel for IafPscDelta {
    type Props = Propagators;
    /// `exp(-r h / tau_m)` by refractory steps left `r`.
    type Tables = Vec<f64>;
    type State = State;
    type Chunk<const M: usize> = Chunk<M>;
    type Sample = [f64; 1];

    const STATE_BYTES_PER_NEURON: usize = 2 * 8 + 4 + 4 + 8;

    /// The step's variants ([`Chunk::step_as`]): 0 NEST's default step,
    /// 1 with `refractory_input` or `ignore_and_spike` (rare, chosen per
    /// step).
    #[inline(always)]
    fn with_variant<F: VariantVisitor>(p: &Propagators, f: F) -> F::Output {
        if p.refractory_input || p.ignore_and_spike {
            f.visit::<1>()
        } else {
            f.visit::<0>()
        }
    }

    fn parts(values: &[f64], res: Resolution) -> (Propagators, Vec<f64>) {
        let params = IafPscDeltaParams::from_values(values);
        let props = Propagators::new(&params, res);
        let decay = props.refractory_decay();
        (props, decay)
    }

    fn split_state(state: &mut State, at: usize) -> State {
        State {
            v_m: state.v_m.split_off(at),
            refr: state.refr.split_off(at),
            r: state.r.split_off(at),
            left: state.left.split_off(at),
        }
    }

    fn potentials(state: &mut State) -> &mut [f64] {
        &mut state.v_m
    }

    fn e_l(p: &Propagators) -> f64 {
        p.e_l
    }

    /// As the shared rebase for `E_L`; a new `ignore_and_spike_offset`
    /// also restarts the count of steps to the next forced spike, as
    /// NEST's `initialize_offset` does.
    fn rebase(state: &mut State, old: &Propagators, new: &Propagators) {
        let delta_el = new.e_l - old.e_l;
        if delta_el != 0.0 {
            state.v_m.iter_mut().for_each(|v| *v -= delta_el);
        }
        if new.forced_offset != old.forced_offset {
            state.left.fill(new.forced_offset);
        }
    }
}

/// The state of `M` neighbouring neurons through a slice.
pub struct Chunk<const M: usize> {
    y3: [f64; M],
    refr: [f64; M],
    r: [u32; M],
    left: [i64; M],
}

impl<const M: usize> LaneChunk<IafPscDelta, M> for Chunk<M> {
    #[inline(always)]
    fn load(pop: &State, i: usize) -> Self {
        Self {
            y3: pop.v_m[i..i + M].try_into().expect("a chunk"),
            refr: pop.refr[i..i + M].try_into().expect("a chunk"),
            r: pop.r[i..i + M].try_into().expect("a chunk"),
            left: pop.left[i..i + M].try_into().expect("a chunk"),
        }
    }

    #[inline(always)]
    fn store(&self, pop: &mut State, i: usize) {
        pop.v_m[i..i + M].copy_from_slice(&self.y3);
        pop.refr[i..i + M].copy_from_slice(&self.refr);
        pop.r[i..i + M].copy_from_slice(&self.r);
        pop.left[i..i + M].copy_from_slice(&self.left);
    }

    /// One step of NEST's update (`iaf_psc_delta::update`), its operations
    /// in its order for every lane, for input `ex[..M]`, `inh[..M]` (their
    /// sum is NEST's `B_.spikes_.get_value(lag)`); marks who fired: bit `l`
    /// of the result for lane `l`.
    #[inline(always)]
    fn step(
        &mut self,
        p: &Propagators,
        decay: &Vec<f64>,
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        // Copies of the lanes' loop: with `refractory_input` off (the
        // default) it has no table lookup and vectorises as the other
        // models' do; with the lookup in it (even unused) it ran scalar,
        // 2.6x slower. The lane driver picks one per slice (`step_as`):
        // chosen here, in every step, the choice kept the lanes' state on
        // the stack (the delta network's update took twice as long).
        match (p.refractory_input, p.ignore_and_spike) {
            (false, false) => self.lanes::<false, false>(p, decay, ex, inh, i0),
            (true, false) => self.lanes::<true, false>(p, decay, ex, inh, i0),
            (false, true) => self.lanes::<false, true>(p, decay, ex, inh, i0),
            (true, true) => self.lanes::<true, true>(p, decay, ex, inh, i0),
        }
    }

    #[inline(always)]
    fn step_as<const V: u8>(
        &mut self,
        p: &Propagators,
        decay: &Vec<f64>,
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        match V {
            0 => self.lanes::<false, false>(p, decay, ex, inh, i0),
            _ => self.step(p, decay, ex, inh, i0),
        }
    }

    #[inline(always)]
    fn sample(&self, p: &Propagators) -> [f64; 1] {
        [self.y3[0] + p.e_l]
    }
}

impl<const M: usize> Chunk<M> {
    /// The step of [`LaneChunk::step`], with NEST's `refractory_input` as
    /// `KEEP` and its `ignore_and_spike` as `FORCED`.
    #[inline(always)]
    fn lanes<const KEEP: bool, const FORCED: bool>(
        &mut self,
        p: &Propagators,
        decay: &[f64],
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        let mut fired = 0;
        for l in 0..M {
            let input = ex[l] + inh[l];
            let refractory = self.r[l] != 0;
            // Not refractory: y3 = P30 * (y0 + I_e) + P33 * y3 + spikes.
            let drive = match i0 {
                None => p.p30_i_e,
                Some(i0) => p.p30 * (i0[l] + p.i_e),
            };
            let mut v = drive + p.p33 * self.y3[l] + input;
            if KEEP {
                // Not refractory: the kept input joins (if any) and the
                // buffer empties. Refractory: the input joins the buffer,
                // discounted by exp(-r h / tau_m). (The buffer is never
                // -0.0: it starts at +0.0 and only gains sums.)
                let kept = self.refr[l];
                v = if kept != 0.0 { v + kept } else { v };
                let r = self.r[l];
                let discount = decay.get(r as usize).copied().unwrap_or_else(|| p.decay(r));
                self.refr[l] = if refractory {
                    kept + input * discount
                } else {
                    0.0
                };
            }
            let v = if v < p.lower_bound { p.lower_bound } else { v };
            self.y3[l] = if refractory { self.y3[l] } else { v };
            self.r[l] -= u32::from(refractory);

            let fire = if FORCED {
                // NEST's `spike_event_is_due`: the threshold is ignored.
                self.left[l] -= 1;
                let due = self.left[l] == 0;
                if due {
                    self.left[l] = p.forced_interval;
                }
                due
            } else {
                self.y3[l] >= p.theta
            };
            fired |= u32::from(fire) << l;
            self.r[l] = if fire { p.refractory_steps } else { self.r[l] };
            self.y3[l] = if fire { p.v_reset } else { self.y3[l] };
        }
        fired
    }
}
