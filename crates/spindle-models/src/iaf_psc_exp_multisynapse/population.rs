//! `iaf_psc_exp_multisynapse`'s step; the port driver
//! ([`crate::ports`]) does the rest.

use spindle_core::Resolution;

use super::{IafPscExpMultisynapse, IafPscExpMultisynapseParams, Propagators};
use crate::ports::PortModel;

impl PortModel for IafPscExpMultisynapse {
    type Props = Propagators;

    /// A port's current, `I_syn_k`.
    const VARS: usize = 1;
    const CURRENT: usize = 0;

    fn parts(values: &[f64], res: Resolution) -> Propagators {
        Propagators::new(&IafPscExpMultisynapseParams::from_values(values), res)
    }

    fn ports(p: &Propagators) -> usize {
        p.p11.len()
    }

    fn e_l(p: &Propagators) -> f64 {
        p.e_l
    }

    /// NEST's `iaf_psc_exp_multisynapse::update`, one step, lane by lane.
    #[inline(always)]
    fn step<const N: usize>(
        p: &Propagators,
        v: &mut [f64; N],
        r: &mut [u32; N],
        syn: &mut [f64],
        input: &[f64],
        i0: Option<&[f64; N]>,
    ) -> u32 {
        // V_m * P22 + (I_e + I_const) * P20, then each port's
        // P21_k * i_syn_k added in port order.
        let mut next = [0.0; N];
        for l in 0..N {
            let drive = match i0 {
                None => p.p20_i_e,
                Some(i0) => (p.i_e + i0[l]) * p.p20,
            };
            next[l] = v[l] * p.p22 + drive;
        }
        for (k, &p21) in p.p21.iter().enumerate() {
            let i: &[f64; N] = syn[k * N..k * N + N].try_into().expect("N lanes");
            for l in 0..N {
                next[l] += p21 * i[l];
            }
        }
        for l in 0..N {
            let refractory = r[l] != 0;
            v[l] = if refractory { v[l] } else { next[l] };
            r[l] -= u32::from(refractory);
        }
        // Each current decays, then this step's spikes join it.
        for (k, &p11) in p.p11.iter().enumerate() {
            let i: &mut [f64; N] = (&mut syn[k * N..k * N + N]).try_into().expect("N lanes");
            let x: &[f64; N] = input[k * N..k * N + N].try_into().expect("N lanes");
            for l in 0..N {
                i[l] = i[l] * p11 + x[l];
            }
        }
        let mut fired = 0;
        for l in 0..N {
            let fire = v[l] >= p.theta;
            fired |= u32::from(fire) << l;
            r[l] = if fire { p.refractory_steps } else { r[l] };
            v[l] = if fire { p.v_reset } else { v[l] };
        }
        fired
    }
}
