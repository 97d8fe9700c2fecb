//! Tsodyks' short-term plasticity (Tsodyks, Uziel & Markram 2000): the
//! release `u x` of a spike and the state's way to the next one, as NEST
//! 3.10 computes it in `tsodyks_synapse::send` and, with the same
//! expressions in the same order, in `iaf_tum_2000::update`.

/// The rule's parameters, NEST's names in snake case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Release {
    /// `U`: the increment of `u` at a spike, in [0, 1].
    pub u0: f64,
    /// `tau_psc` [ms]: the decay of the active fraction `y`.
    pub tau_psc: f64,
    /// `tau_rec` [ms]: the recovery of the inactive fraction.
    pub tau_rec: f64,
    /// `tau_fac` [ms]: the decay of `u` (0: no facilitation).
    pub tau_fac: f64,
}

impl Release {
    /// A spike `h` ms after the last one (NEST starts from a last spike at
    /// 0 ms): propagates `state` (`u`, `x`, `y`) over `h`, applies the
    /// spike to it, and returns its release `u x` (NEST's
    /// `delta_y_tsp`), the factor on each synapse's weight.
    #[inline]
    pub fn send(&self, state: &mut [f64; 3], h: f64) -> f64 {
        let [u, x, y] = state;
        let puu = if self.tau_fac == 0.0 {
            0.0
        } else {
            (-h / self.tau_fac).exp()
        };
        let pyy = (-h / self.tau_psc).exp();
        // `std::expm1`, as NEST (not its own `numerics::expm1`).
        let pzz = (-h / self.tau_rec).exp_m1();
        let pxy = (pzz * self.tau_rec - (pyy - 1.0) * self.tau_psc) / (self.tau_psc - self.tau_rec);
        let z = 1.0 - *x - *y;
        // NEST: "don't change the order !"
        *u *= puu;
        *x += pxy * *y - pzz * z;
        *y *= pyy;
        *u += self.u0 * (1.0 - *u);
        let delta_y = *u * *x;
        *x -= delta_y;
        *y += delta_y;
        delta_y
    }
}
