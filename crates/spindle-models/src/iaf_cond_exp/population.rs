//! `iaf_cond_exp`'s population: its state, structure of arrays, and its
//! lane step; the shared lane driver ([`crate::lanes`]) does the rest.
//!
//! Its own population rather than the adaptive models' one
//! ([`crate::adaptive::Adaptive`], a value per neuron): in the COBA
//! benchmark nearly every step of every lane is one trial step in vector
//! registers (`super::simd`'s `whole_step`) and the update after it
//! (`after`), which read the chunk's state as it lies here,
//! component by component. Gathering it from one value per neuron and
//! scattering it back was part of the third of the time the lane driver
//! took around the trial.

use spindle_core::Resolution;

use super::{Lanes, Props};
use crate::lanes::{LaneChunk, LaneModel, LanePopulation};
use crate::model::{ParamError, Population};
use crate::odeint::integrate_lanes;

/// `iaf_cond_exp` behind the lane driver.
#[derive(Debug, Clone, Copy)]
pub struct CondExp;

/// The neurons' state: NEST's state vector `[V_M, G_EXC, G_INH]`
/// component by component, the refractory counts and the integration
/// step sizes (NEST's `B_.IntegrationStep_`).
#[derive(Debug, Clone)]
pub struct State {
    /// `V_m` [mV] (absolute, as NEST holds it), `g_ex`, `g_in` [nS].
    pub(super) y: [Vec<f64>; 3],
    /// Refractory steps left.
    pub(super) r: Vec<u32>,
    /// The step size each neuron's solver carries [ms].
    pub(super) h: Vec<f64>,
}

/// `len` neurons of parameters `values` (validated) at local indices
/// `offset..` of their shard, on grid `res`, in NEST's initial state.
pub(super) fn population(
    values: &[f64],
    res: Resolution,
    offset: u32,
    len: usize,
) -> Box<dyn Population> {
    let p = Props::new(values, res);
    let state = State {
        y: [vec![p.p.v_m; len], vec![p.p.g_ex; len], vec![p.p.g_in; len]],
        r: vec![0; len],
        h: vec![p.h; len],
    };
    Box::new(LanePopulation::<CondExp>::from_parts(
        p,
        (),
        state,
        len,
        offset,
    ))
}

impl LaneModel for CondExp {
    type Props = Props;
    type Tables = ();
    type State = State;
    type Chunk<const M: usize> = Chunk<M>;
    type Sample = [f64; 3];

    const STATE_BYTES_PER_NEURON: usize = 3 * 8 + 4 + 8;

    fn parts(values: &[f64], res: Resolution) -> (Props, ()) {
        (Props::new(values, res), ())
    }

    fn split_state(state: &mut State, at: usize) -> State {
        State {
            y: state.y.each_mut().map(|c| c.split_off(at)),
            r: state.r.split_off(at),
            h: state.h.split_off(at),
        }
    }

    /// Absolute potentials, as NEST holds them.
    fn potentials(state: &mut State) -> &mut [f64] {
        &mut state.y[0]
    }

    fn e_l(_: &Props) -> f64 {
        0.0
    }

    /// NEST keeps the absolute `V_m` when `E_L` changes.
    fn rebase(_: &mut State, _: &Props, _: &Props) {}

    fn set_state(
        state: &mut State,
        _: &Props,
        i: usize,
        name: &str,
        value: f64,
    ) -> Result<(), ParamError> {
        let k = match name {
            "V_m" => 0,
            "g_ex" => 1,
            "g_in" => 2,
            _ => return Err(ParamError::Unknown(name.into())),
        };
        state.y[k][i] = value;
        Ok(())
    }
}

/// The state of `M` neighbouring neurons through a slice.
pub struct Chunk<const M: usize> {
    y: [[f64; M]; 3],
    r: [u32; M],
    h: [f64; M],
}

impl<const M: usize> LaneChunk<CondExp, M> for Chunk<M> {
    #[inline(always)]
    fn load(pop: &State, i: usize) -> Self {
        let get = |v: &[f64]| -> [f64; M] { v[i..i + M].try_into().expect("a chunk") };
        Self {
            y: [get(&pop.y[0]), get(&pop.y[1]), get(&pop.y[2])],
            r: pop.r[i..i + M].try_into().expect("a chunk"),
            h: get(&pop.h),
        }
    }

    #[inline(always)]
    fn store(&self, pop: &mut State, i: usize) {
        for (c, y) in pop.y.iter_mut().zip(&self.y) {
            c[i..i + M].copy_from_slice(y);
        }
        pop.r[i..i + M].copy_from_slice(&self.r);
        pop.h[i..i + M].copy_from_slice(&self.h);
    }

    /// One step of NEST's update (`iaf_cond_exp::update`) for every lane:
    /// GSL's adaptive integration over the step, then [`after`]: in vector
    /// registers where it applies ([`whole_step`]), otherwise by GSL's loop
    /// ([`integrate_lanes`]). Each lane gets the bits of the scalar step
    /// (`super::Neuron` in the tests).
    #[inline(always)]
    fn step(&mut self, props: &Props, _: &(), ex: &[f64], inh: &[f64], i0: Option<&[f64]>) -> u32 {
        let mut i_stim = [0.0; M];
        if let Some(i0) = i0 {
            i_stim.copy_from_slice(&i0[..M]);
        }
        if let Some(fired) = whole_step(self, props, &i_stim, ex, inh) {
            return fired;
        }
        let mut f = Lanes {
            p: &props.p,
            refractory: [false; M],
            i_stim,
        };
        for l in 0..M {
            f.refractory[l] = self.r[l] > 0;
        }
        // A step too small to advance (NEST: GSLSolverFailure) leaves the
        // state where the solver stopped.
        let _ = integrate_lanes(&props.control, &f, props.h, &mut self.h, &mut self.y);
        after(self, props, ex, inh)
    }

    /// With eight lanes a chunk and AVX-512, both chunks' trial in one
    /// call ([`pair_step`]): one chunk's stages wait on each other, the
    /// two's overlap. Where the pair's trial is refused, each chunk's step
    /// as it would be alone.
    #[inline(always)]
    fn step_pair_as<const V: u8>(
        &mut self,
        other: &mut Self,
        props: &Props,
        t: &(),
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        if let Some(fired) = pair_step(self, other, props, ex, inh, i0) {
            return fired;
        }
        self.step(props, t, ex, inh, i0)
            | other.step(props, t, &ex[M..], &inh[M..], i0.map(|i0| &i0[M..])) << M
    }

    #[inline(always)]
    fn sample(&self, _: &Props) -> [f64; 3] {
        [self.y[0][0], self.y[1][0], self.y[2][0]]
    }
}

/// The step in vector registers where it applies: the integration as one
/// trial step (`super::simd`'s `whole_step`; the run has a vector kernel,
/// the lanes fill its registers, each lane carries at least the step's
/// size, and the control accepts every lane's trial), then [`after`]'s
/// operations (`super::simd`'s `after`). The lanes then carry the step's
/// size, as GSL's loop leaves them, and the result is who fired; otherwise
/// they are untouched and the result is `None`.
#[inline(always)]
pub(super) fn whole_step<const M: usize>(
    c: &mut Chunk<M>,
    props: &Props,
    i_stim: &[f64; M],
    ex: &[f64],
    inh: &[f64],
) -> Option<u32> {
    #[cfg(target_arch = "x86_64")]
    {
        use super::Kernel;
        use super::simd::{v4, v8};
        // A NaN size takes GSL's loop too.
        let carried = c.h.iter().all(|&h| h >= props.h);
        let width = match props.kernel {
            Kernel::Scalar => return None,
            Kernel::V4(_) => 4,
            Kernel::V8(_) => 8,
        };
        if !M.is_multiple_of(width) || !carried {
            return None;
        }
        let mut refractory = [0.0; M];
        for (m, &r) in refractory.iter_mut().zip(&c.r) {
            // All ones: a lane of the mask.
            *m = f64::from_bits(if r > 0 { u64::MAX } else { 0 });
        }
        let (p, control, h) = (&props.p, &props.control, props.h);
        let mut y = c.y.each_mut().map(|c| &mut c[..]);
        let (refr, y) = (&refractory, &mut y);
        // SAFETY: `Kernel::on` chose the kernel by a vector unit the
        // CPU has (`Isa::detect` or `Isa::available`): AVX2 and FMA for `V4`, AVX-512F too for
        // `V8`.
        #[allow(unsafe_code)]
        let fired = unsafe {
            match (props.kernel, M / width) {
                (Kernel::V4(d), 4) => v4::whole_step::<4>(p, &d, control, h, refr, i_stim, y)
                    .then(|| v4::after::<4>(p, refr, ex, inh, y)),
                (Kernel::V4(d), 2) => v4::whole_step::<2>(p, &d, control, h, refr, i_stim, y)
                    .then(|| v4::after::<2>(p, refr, ex, inh, y)),
                (Kernel::V4(d), 1) => v4::whole_step::<1>(p, &d, control, h, refr, i_stim, y)
                    .then(|| v4::after::<1>(p, refr, ex, inh, y)),
                (Kernel::V8(d), 2) => v8::whole_step::<2>(p, &d, control, h, refr, i_stim, y)
                    .then(|| v8::after::<2>(p, refr, ex, inh, y)),
                (Kernel::V8(d), 1) => v8::whole_step::<1>(p, &d, control, h, refr, i_stim, y)
                    .then(|| v8::after::<1>(p, refr, ex, inh, y)),
                _ => None,
            }
        }?;
        c.h = [h; M];
        // A refractory lane counts down; one that fired starts its count.
        for r in &mut c.r {
            *r -= u32::from(*r > 0);
        }
        let mut bits = fired;
        while bits != 0 {
            c.r[bits.trailing_zeros() as usize] = props.refractory_steps;
            bits &= bits - 1;
        }
        Some(fired)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (c, props, i_stim, ex, inh);
        None
    }
}

/// [`whole_step`] of chunks `a` and `b` of eight lanes each as one of
/// sixteen, where the run's kernel is AVX-512's (two registers a
/// component); `None`, both untouched, otherwise. Bits `0..8` of the
/// result for `a`'s lanes, `8..16` for `b`'s. With AVX2 the pair (four
/// registers a component) spilled, and COBA ran slower (paired runs: B/A
/// 1.04 on 2 threads, 1.13 on 1), so each chunk keeps its own step there.
#[inline(always)]
fn pair_step<const M: usize>(
    a: &mut Chunk<M>,
    b: &mut Chunk<M>,
    props: &Props,
    ex: &[f64],
    inh: &[f64],
    i0: Option<&[f64]>,
) -> Option<u32> {
    const PAIR: usize = 16;
    if 2 * M != PAIR || !matches!(props.kernel, super::Kernel::V8(_)) {
        return None;
    }
    let mut c = Chunk::<PAIR> {
        y: [[0.0; PAIR]; 3],
        r: [0; PAIR],
        h: [0.0; PAIR],
    };
    for i in 0..3 {
        c.y[i][..M].copy_from_slice(&a.y[i]);
        c.y[i][M..].copy_from_slice(&b.y[i]);
    }
    c.r[..M].copy_from_slice(&a.r);
    c.r[M..].copy_from_slice(&b.r);
    c.h[..M].copy_from_slice(&a.h);
    c.h[M..].copy_from_slice(&b.h);
    let mut i_stim = [0.0; PAIR];
    if let Some(i0) = i0 {
        i_stim.copy_from_slice(&i0[..PAIR]);
    }
    let fired = whole_step(&mut c, props, &i_stim, ex, inh)?;
    for i in 0..3 {
        a.y[i].copy_from_slice(&c.y[i][..M]);
        b.y[i].copy_from_slice(&c.y[i][M..]);
    }
    a.r.copy_from_slice(&c.r[..M]);
    b.r.copy_from_slice(&c.r[M..]);
    a.h.copy_from_slice(&c.h[..M]);
    b.h.copy_from_slice(&c.h[M..]);
    Some(fired)
}

/// The rest of NEST's update after the integration, lane by lane without
/// branches: this step's spikes join the conductances, then a refractory
/// neuron counts down and is held at `V_reset`, or one at or above `V_th`
/// fires, is reset and starts its refractory count. Bit `l` of the result:
/// lane `l` fired.
#[inline(always)]
fn after<const M: usize>(c: &mut Chunk<M>, props: &Props, ex: &[f64], inh: &[f64]) -> u32 {
    let p = &props.p;
    let mut fired = 0;
    for l in 0..M {
        // NEST's buffer holds -w for an inhibitory weight w.
        c.y[1][l] += ex[l];
        c.y[2][l] += -inh[l];
        let refractory = c.r[l] > 0;
        let fire = !refractory && c.y[0][l] >= p.v_th;
        c.r[l] = if refractory {
            c.r[l] - 1
        } else if fire {
            props.refractory_steps
        } else {
            0
        };
        c.y[0][l] = if refractory || fire {
            p.v_reset
        } else {
            c.y[0][l]
        };
        fired |= u32::from(fire) << l;
    }
    fired
}
