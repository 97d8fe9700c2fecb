//! `iaf_psc_alpha_multisynapse`'s step; the port driver
//! ([`crate::ports`]) does the rest.

use spindle_core::Resolution;

use super::{IafPscAlphaMultisynapse, IafPscAlphaMultisynapseParams, Propagators};
use crate::ports::PortModel;

impl PortModel for IafPscAlphaMultisynapse {
    type Props = Propagators;

    /// A port's current's derivative (`y1_syn_`), then the current
    /// (`y2_syn_`, `I_syn_k`).
    const VARS: usize = 2;
    const CURRENT: usize = 1;

    fn parts(values: &[f64], res: Resolution) -> Propagators {
        Propagators::new(&IafPscAlphaMultisynapseParams::from_values(values), res)
    }

    fn ports(p: &Propagators) -> usize {
        p.p11.len()
    }

    fn e_l(p: &Propagators) -> f64 {
        p.e_l
    }

    /// NEST's `iaf_psc_alpha_multisynapse::update`, one step, lane by lane.
    #[inline(always)]
    fn step<const N: usize>(
        p: &Propagators,
        v: &mut [f64; N],
        r: &mut [u32; N],
        syn: &mut [f64],
        input: &[f64],
        i0: Option<&[f64; N]>,
    ) -> u32 {
        let ports = p.p11.len();
        let (y1, y2) = syn.split_at_mut(ports * N);
        // P30 * (I_const + I_e) + P33 * V_m, then each port's
        // P31_k * y1_k + P32_k * y2_k added in port order, bounded below.
        let mut next = [0.0; N];
        for l in 0..N {
            let drive = match i0 {
                None => p.p30_i_e,
                Some(i0) => p.p30 * (i0[l] + p.i_e),
            };
            next[l] = drive + p.p33 * v[l];
        }
        for k in 0..ports {
            let a: &[f64; N] = y1[k * N..k * N + N].try_into().expect("N lanes");
            let b: &[f64; N] = y2[k * N..k * N + N].try_into().expect("N lanes");
            let (p31, p32) = (p.p31[k], p.p32[k]);
            for l in 0..N {
                next[l] += p31 * a[l] + p32 * b[l];
            }
        }
        for l in 0..N {
            next[l] = if next[l] < p.lower_bound {
                p.lower_bound
            } else {
                next[l]
            };
            let refractory = r[l] != 0;
            v[l] = if refractory { v[l] } else { next[l] };
            r[l] -= u32::from(refractory);
        }
        // The alpha currents propagate; this step's spikes join the
        // derivatives.
        for k in 0..ports {
            let a: &mut [f64; N] = (&mut y1[k * N..k * N + N]).try_into().expect("N lanes");
            let b: &mut [f64; N] = (&mut y2[k * N..k * N + N]).try_into().expect("N lanes");
            let x: &[f64; N] = input[k * N..k * N + N].try_into().expect("N lanes");
            let (p11, p21, psc) = (p.p11[k], p.p21[k], p.psc_initial[k]);
            for l in 0..N {
                b[l] = p21 * a[l] + p11 * b[l];
                a[l] = a[l] * p11 + psc * x[l];
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
