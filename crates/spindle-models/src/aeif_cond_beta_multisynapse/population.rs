//! The population of `aeif_cond_beta_multisynapse` neurons: one neuron at
//! a time, each with NEST's state vector (its length set by the number of
//! ports), its carried step size and refractory count, reading one ring
//! channel per port as the port driver ([`crate::ports`]) does. The
//! adaptive steps differ from neuron to neuron, so lanes would share no
//! control flow; the state stays neuron-major, each neuron's vector the
//! slice the solver works on.

use spindle_core::{Resolution, Step};

use super::Props;
use crate::model::{NO_PROBE, ParamError, Population, SliceInput, SliceOutput};
use crate::odeint::SliceWork;
use crate::{CurrentInput, Isa};

/// A population of `aeif_cond_beta_multisynapse` neurons sharing one
/// parameter set, at local indices `offset..offset + len` of its shard
/// (and ring).
#[derive(Debug, Clone)]
pub struct AeifCondBetaMultisynapsePopulation {
    props: Props,
    offset: u32,
    /// The state vectors, neuron by neuron (`Props::dim` values each).
    y: Vec<f64>,
    /// Refractory steps left.
    r: Vec<u32>,
    /// Each neuron's carried integration step (NEST's
    /// `B_.IntegrationStep_`).
    step: Vec<f64>,
    /// Multimeter probe per neuron, or `NO_PROBE`.
    probe: Vec<u32>,
    /// Multimeter sampling interval in steps.
    probe_interval: Step,
    /// Each neuron's input current [pA] (NEST's `B_.I_stim_`), where
    /// current generators reach the population (else empty).
    i_stim: Vec<f64>,
    scratch: Scratch,
}

/// Working memory of one update call.
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// Ring row of each lag.
    rows: Vec<usize>,
    /// A step's input per port.
    input: Vec<f64>,
    /// A sample's values.
    sample: Vec<f64>,
    work: SliceWork,
}

impl AeifCondBetaMultisynapsePopulation {
    /// `len` neurons at local indices `offset..` in the initial state of
    /// parameters `values` (validated) on grid `res`.
    pub fn new(values: &[f64], res: Resolution, offset: u32, len: usize) -> Self {
        let props = Props::new(values, res);
        let y = props.initial().repeat(len);
        Self {
            offset,
            y,
            r: vec![0; len],
            step: vec![props.h; len],
            probe: vec![NO_PROBE; len],
            probe_interval: 0,
            i_stim: Vec::new(),
            scratch: Scratch {
                work: SliceWork::new(props.dim()),
                ..Scratch::default()
            },
            props,
        }
    }

    /// The props in use.
    pub fn props(&self) -> &Props {
        &self.props
    }

    /// Neuron `i`'s state vector.
    fn state(&self, i: usize) -> &[f64] {
        let dim = self.props.dim();
        &self.y[i * dim..(i + 1) * dim]
    }

    /// The recordables of neuron `i` now: `V_m`, `w`, `g_1..`.
    pub fn sample(&self, i: usize) -> Vec<f64> {
        let mut out = Vec::new();
        self.props.sample(self.state(i), &mut out);
        out
    }
}

impl Population for AeifCondBetaMultisynapsePopulation {
    fn len(&self) -> usize {
        self.r.len()
    }

    fn offset(&self) -> u32 {
        self.offset
    }

    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        self.probe[i] = probe;
        self.probe_interval = interval.max(1);
    }

    /// NEST's update, neuron by neuron. The solver's operations are the
    /// same on every vector unit (no fused multiply-add: Rust never
    /// contracts), so `isa` changes no bit and the portable code serves.
    fn update(
        &mut self,
        _isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        let (ring, poisson) = (&mut *input.ring, &mut *input.poisson);
        let currents: Option<&CurrentInput> = input
            .currents
            .reaches(self.offset, self.len())
            .then_some(input.currents);
        if currents.is_some() {
            self.i_stim.resize(self.len(), 0.0);
        }
        ring.fold_planes(origin, from, to);
        let s = &mut self.scratch;
        ring.row_offsets(origin, from, to, &mut s.rows);
        let p = &self.props;
        let (ports, dim) = (p.ports(), p.dim());
        // Ports the ring lacks (a neuron given more after the ring was
        // built, which nothing connects to) get no input.
        let read = ports.min(ring.ports());
        s.input.clear();
        s.input.resize(read, 0.0);
        for i in 0..self.r.len() {
            let base = self.offset as usize + i;
            // The Poisson input joins the ring's cells before they are read.
            let rows = &s.rows;
            poisson.fill_ports(base, origin, from, to, |port, lag, x| {
                ring.add_port_at(rows[lag], port, base, x)
            });
            let y = &mut self.y[i * dim..(i + 1) * dim];
            for lag in from as usize..to as usize {
                let row = s.rows[lag];
                for (k, x) in s.input.iter_mut().enumerate() {
                    *x = ring.take_port_lanes::<1>(row, k, base)[0];
                }
                let step = origin + lag as Step;
                let i_stim = self.i_stim.get(i).copied().unwrap_or(0.0);
                let fired = p.step(
                    y,
                    &mut self.r[i],
                    &mut self.step[i],
                    &s.input,
                    i_stim,
                    &mut s.work,
                );
                // NEST reads the current buffer at the end of the step.
                if let Some(c) = currents {
                    self.i_stim[i] = c.arriving(base, step);
                }
                if fired {
                    out.spike(base as u32, lag as u32);
                }
                if self.probe[i] != NO_PROBE && (step + 1).is_multiple_of(self.probe_interval) {
                    p.sample(y, &mut s.sample);
                    out.sample(self.probe[i], step, &s.sample);
                }
            }
        }
    }

    fn recordable(&self, i: usize, r: usize) -> f64 {
        self.sample(i).get(r).copied().unwrap_or(f64::NAN)
    }

    fn set_state(&mut self, i: usize, name: &str, value: f64) -> Result<(), ParamError> {
        let dim = self.props.dim();
        let at = match name {
            "V_m" => 0,
            "w" => super::W,
            _ => return Err(ParamError::Unknown(name.into())),
        };
        self.y[i * dim + at] = value;
        Ok(())
    }

    fn split_off(&mut self, at: usize) -> Box<dyn Population> {
        assert!(0 < at && at < self.len(), "a split inside the population");
        let i_stim = if self.i_stim.is_empty() {
            Vec::new()
        } else {
            self.i_stim.split_off(at)
        };
        Box::new(Self {
            props: self.props.clone(),
            offset: self.offset + at as u32,
            y: self.y.split_off(at * self.props.dim()),
            r: self.r.split_off(at),
            step: self.step.split_off(at),
            probe: self.probe.split_off(at),
            probe_interval: self.probe_interval,
            i_stim,
            scratch: Scratch::default(),
        })
    }

    /// NEST's `set_status` between runs: `V_m` stays where it is when `E_L`
    /// moves (NEST holds it absolute); a new number of ports keeps the
    /// first ports' state and starts the others at rest (NEST resizes its
    /// state vector).
    fn set_params(&mut self, values: &[f64], res: Resolution) {
        let props = Props::new(values, res);
        let (old, new) = (self.props.dim(), props.dim());
        if old != new {
            let keep = old.min(new);
            let mut y = vec![0.0; new * self.len()];
            for i in 0..self.len() {
                y[i * new..i * new + keep].copy_from_slice(&self.y[i * old..i * old + keep]);
            }
            self.y = y;
        }
        self.props = props;
    }

    fn bytes(&self) -> usize {
        self.len() * super::state_bytes(self.props.ports()) + self.i_stim.len() * size_of::<f64>()
    }
}
