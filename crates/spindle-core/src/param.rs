//! Random parameters, as PyNEST's `nest.random` and `nest.math` build them.
//!
//! A [`Param`] is an expression over distributions and numbers:
//! `nest.math.redraw(nest.random.normal(87.8, 8.78), min=0.0, max=inf)` is
//! `Redraw(Normal { mean: 87.8, std: 8.78 }, 0.0, inf)`. It is sampled once
//! per node or connection it serves, from that node's or connection's own
//! stream ([`Draw`], over a stream of [`crate::rng`]), so the values do not
//! depend on how nodes are split over threads and ranks.
//!
//! The samplers are written here, as `rng::below` is, so that a value never
//! changes with a crate's version: uniform doubles from the top 53 bits,
//! normal deviates by the ziggurat method (Marsaglia & Tsang 2000, in
//! Doornik's 2005 form: 256 layers, the layer from the low 8 bits of a
//! draw and the abscissa from its top 53, so that the two never share a
//! bit), exponential ones by inversion.

use std::sync::{Arc, OnceLock};

use thiserror::Error;

use crate::rng::Stream;
use rand_core::Rng;

/// How many times `redraw` draws before it gives up, as NEST's
/// `RedrawParameter` (`max_redraws = 1000`).
pub const MAX_REDRAWS: u32 = 1000;

/// Why a parameter cannot be built or sampled.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamValueError {
    /// A distribution's argument out of its domain.
    #[error("{0}")]
    Domain(String),
    /// `redraw` found no value in its interval.
    #[error(
        "Number of redraws exceeded limit of {MAX_REDRAWS}: no value drawn lies in [{min}, {max}]"
    )]
    Redraws {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

/// `a < b` (false where either is NaN).
fn below(a: f64, b: f64) -> bool {
    a < b
}

/// A binary operation between two parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b`.
    Div,
    /// `a ** b`.
    Pow,
    /// `nest.math.min(a, b)`.
    Min,
    /// `nest.math.max(a, b)`.
    Max,
    /// A comparison: 1 where it holds, else 0 (PyNEST's `a < b`, ...).
    Cmp(Cmp),
}

/// A comparison of two parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `a < b`.
    Lt,
    /// `a <= b`.
    Le,
    /// `a > b`.
    Gt,
    /// `a >= b`.
    Ge,
    /// `a == b`.
    Eq,
    /// `a != b`.
    Ne,
}

impl Cmp {
    /// Whether `a` and `b` compare so.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

/// A function of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `nest.math.exp`.
    Exp,
    /// `nest.math.sin`.
    Sin,
    /// `nest.math.cos`.
    Cos,
    /// `-a`.
    Neg,
    /// `abs(a)`.
    Abs,
}

/// A value drawn per node or connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// A number.
    Const(f64),
    /// `nest.random.uniform(min, max)`: uniform in `[min, max)`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// `nest.random.uniform_int(max)`: an integer in `0..max`.
    UniformInt {
        /// Number of values.
        max: u64,
    },
    /// `nest.random.normal(mean, std)`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// `nest.random.lognormal(mean, std)`: `exp` of a normal deviate of
    /// that mean and standard deviation.
    Lognormal {
        /// Mean of the underlying normal.
        mean: f64,
        /// Standard deviation of the underlying normal.
        std: f64,
    },
    /// `nest.random.exponential(beta)`: mean `beta`.
    Exponential {
        /// Scale (the mean).
        beta: f64,
    },
    /// `a op b`.
    Bin(BinOp, Box<Param>, Box<Param>),
    /// `f(a)`.
    Func(Func, Box<Param>),
    /// `nest.math.redraw(a, min, max)`: `a` drawn again until it lies in
    /// `[min, max]`.
    Redraw {
        /// The parameter drawn.
        param: Box<Param>,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Values given one per connection (NEST's `Connect` of two arrays of
    /// node ids with arrays of weights or delays), read at the position
    /// the [`Draw`] is set to rather than drawn.
    Table(Arc<[f64]>),
}

impl Param {
    /// Values given one per connection: a [`Param::Table`], or the
    /// constant where they are all the same (held once, exactly).
    pub fn table(values: Vec<f64>) -> Self {
        match values.first() {
            Some(&v) if values.iter().all(|x| x.to_bits() == v.to_bits()) => Param::Const(v),
            _ => Param::Table(values.into()),
        }
    }

    /// Check the distributions' arguments, as NEST checks them when the
    /// parameter is made.
    pub fn validate(&self) -> Result<(), ParamValueError> {
        let bad = |m: &str| Err(ParamValueError::Domain(m.into()));
        match self {
            Param::Const(_) => Ok(()),
            Param::Uniform { min, max } if !below(*min, *max) => {
                bad("uniform: 'max' must be larger than 'min'")
            }
            Param::UniformInt { max: 0 } => bad("uniform_int: 'max' must be larger than 0"),
            Param::Normal { std, .. } | Param::Lognormal { std, .. } if !below(0.0, *std) => {
                bad("normal/lognormal: 'std' must be > 0")
            }
            Param::Exponential { beta } if !below(0.0, *beta) => {
                bad("exponential: 'beta' must be > 0")
            }
            // NEST's `RedrawParameter`: `min > max` is refused, `min == max`
            // taken.
            Param::Redraw { min, max, .. } if min > max || min.is_nan() || max.is_nan() => {
                bad("redraw: min <= max required.")
            }
            Param::Bin(_, a, b) => a.validate().and(b.validate()),
            Param::Func(_, a) | Param::Redraw { param: a, .. } => a.validate(),
            Param::Table(v) if v.iter().any(|x| !x.is_finite()) => {
                bad("every value given per connection must be finite")
            }
            _ => Ok(()),
        }
    }

    /// Whether sampling draws random numbers (else it is a constant).
    pub fn is_random(&self) -> bool {
        match self {
            Param::Const(_) => false,
            Param::Bin(_, a, b) => a.is_random() || b.is_random(),
            Param::Func(_, a) | Param::Redraw { param: a, .. } => a.is_random(),
            _ => true,
        }
    }

    /// Whether every value `sample` gives is an integer (NEST's
    /// `returns_int_only`): integers, `uniform_int`, and sums, differences,
    /// products, minima, maxima, negations, absolute values and redraws of
    /// them.
    pub fn is_integer(&self) -> bool {
        match self {
            Param::Const(v) => v.fract() == 0.0,
            Param::Table(v) => v.iter().all(|x| x.fract() == 0.0),
            Param::UniformInt { .. } => true,
            Param::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Min | BinOp::Max, a, b) => {
                a.is_integer() && b.is_integer()
            }
            Param::Bin(BinOp::Cmp(_), _, _) => true,
            Param::Func(Func::Neg | Func::Abs, a) | Param::Redraw { param: a, .. } => {
                a.is_integer()
            }
            _ => false,
        }
    }

    /// One value, drawn from `draw`.
    #[inline]
    pub fn sample(&self, draw: &mut Draw) -> Result<f64, ParamValueError> {
        self.value(draw)
            .map_err(|(min, max)| ParamValueError::Redraws { min, max })
    }

    /// `sample`, failing with the bounds of a `redraw` that gave up (an
    /// error small enough to return in registers: this runs per synapse).
    fn value(&self, draw: &mut Draw) -> Result<f64, (f64, f64)> {
        // The microcircuit's weights and delays, drawn per synapse: a
        // bounded normal, without the general walk.
        if let Param::Redraw { param, min, max } = self
            && let Param::Normal { mean, std } = **param
        {
            for _ in 0..MAX_REDRAWS {
                let v = mean + std * draw.normal();
                if (*min..=*max).contains(&v) {
                    return Ok(v);
                }
            }
            return Err((*min, *max));
        }
        Ok(match self {
            Param::Const(v) => *v,
            Param::Table(v) => *v.get(draw.index).ok_or((f64::NAN, f64::NAN))?,
            Param::Uniform { min, max } => min + (max - min) * draw.unit(),
            Param::UniformInt { max } => crate::rng::below(&mut draw.rng, *max) as f64,
            Param::Normal { mean, std } => mean + std * draw.normal(),
            Param::Lognormal { mean, std } => (mean + std * draw.normal()).exp(),
            Param::Exponential { beta } => -beta * (1.0 - draw.unit()).ln(),
            Param::Bin(op, a, b) => {
                let (a, b) = (a.value(draw)?, b.value(draw)?);
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Pow => a.powf(b),
                    BinOp::Min => a.min(b),
                    BinOp::Max => a.max(b),
                    BinOp::Cmp(c) => f64::from(u8::from(c.holds(a, b))),
                }
            }
            Param::Func(f, a) => {
                let a = a.value(draw)?;
                match f {
                    Func::Exp => a.exp(),
                    Func::Sin => a.sin(),
                    Func::Cos => a.cos(),
                    Func::Neg => -a,
                    Func::Abs => a.abs(),
                }
            }
            Param::Redraw { param, min, max } => {
                for _ in 0..MAX_REDRAWS {
                    let v = param.value(draw)?;
                    if (*min..=*max).contains(&v) {
                        return Ok(v);
                    }
                }
                return Err((*min, *max));
            }
        })
    }

    /// An interval holding every value `sample` can give (possibly
    /// infinite), by interval arithmetic: it bounds delays before any is
    /// drawn.
    pub fn bounds(&self) -> (f64, f64) {
        const ALL: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
        match self {
            Param::Const(v) => (*v, *v),
            Param::Table(v) => v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                }),
            Param::Uniform { min, max } => (*min, *max),
            Param::UniformInt { max } => (0.0, (*max - 1) as f64),
            Param::Normal { .. } => ALL,
            Param::Lognormal { .. } => (0.0, f64::INFINITY),
            Param::Exponential { .. } => (0.0, f64::INFINITY),
            Param::Redraw { param, min, max } => {
                let (lo, hi) = param.bounds();
                (lo.max(*min), hi.min(*max))
            }
            Param::Bin(op, a, b) => {
                let ((a0, a1), (b0, b1)) = (a.bounds(), b.bounds());
                let corners = |f: fn(f64, f64) -> f64| {
                    let c = [f(a0, b0), f(a0, b1), f(a1, b0), f(a1, b1)];
                    if c.iter().any(|v| v.is_nan()) {
                        return ALL;
                    }
                    let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (lo, hi)
                };
                match op {
                    BinOp::Add => (a0 + b0, a1 + b1),
                    BinOp::Sub => (a0 - b1, a1 - b0),
                    BinOp::Mul => corners(|x, y| x * y),
                    BinOp::Min => (a0.min(b0), a1.min(b1)),
                    BinOp::Max => (a0.max(b0), a1.max(b1)),
                    // Division by an interval holding 0 and powers are
                    // left unbounded.
                    BinOp::Div if b0 > 0.0 || b1 < 0.0 => corners(|x, y| x / y),
                    BinOp::Div | BinOp::Pow => ALL,
                    BinOp::Cmp(_) => (0.0, 1.0),
                }
            }
            Param::Func(f, a) => {
                let (lo, hi) = a.bounds();
                match f {
                    Func::Exp => (lo.exp(), hi.exp()),
                    Func::Sin | Func::Cos => (-1.0, 1.0),
                    Func::Neg => (-hi, -lo),
                    Func::Abs if lo >= 0.0 => (lo, hi),
                    Func::Abs if hi <= 0.0 => (-hi, -lo),
                    Func::Abs => (0.0, hi.max(-lo)),
                }
            }
        }
    }
}

/// The random numbers one node or connection is given.
#[derive(Debug, Clone)]
pub struct Draw {
    rng: Stream,
    /// The connection's position in a [`Param::Table`].
    index: usize,
}

/// The ziggurat's layers: right edges `x[i]` (`x[0]` the base strip's
/// equivalent width, `x[256] = 0`) and the density at them.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

/// Where the base layer's tail starts, for 256 layers of equal area
/// `V` (Doornik 2005).
const ZIG_R: f64 = 3.654_152_885_361_009;
const ZIG_V: f64 = 0.004_928_673_233_99;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: OnceLock<Ziggurat> = OnceLock::new();
    TABLES.get_or_init(|| {
        let pdf = |x: f64| (-0.5 * x * x).exp();
        let mut x = [0.0; 257];
        x[0] = ZIG_V / pdf(ZIG_R);
        x[1] = ZIG_R;
        for i in 2..256 {
            x[i] = (-2.0 * (ZIG_V / x[i - 1] + pdf(x[i - 1])).ln()).sqrt();
        }
        x[256] = 0.0;
        let f = x.map(pdf);
        Ziggurat { x, f }
    })
}

impl Draw {
    /// Draw from `rng`.
    pub fn new(rng: Stream) -> Self {
        Self { rng, index: 0 }
    }

    /// Read tables at position `index` (the connection served next).
    pub fn at(&mut self, index: usize) -> &mut Self {
        self.index = index;
        self
    }

    /// A uniform double in `[0, 1)`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform double in `(0, 1)`.
    #[inline]
    fn open_unit(&mut self) -> f64 {
        ((self.rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A binomial count: successes in `n` trials of probability `p`
    /// ([`crate::rng::binomial`]).
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        crate::rng::binomial(&mut self.rng, n, p)
    }

    /// A Poisson count of mean `mean` (>= 0), by inversion; a large mean
    /// is split into parts of at most 30 whose counts are summed (exact:
    /// a sum of independent Poisson counts is Poisson).
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean.is_nan() || mean <= 0.0 {
            return 0;
        }
        let parts = (mean / 30.0).ceil().max(1.0);
        let lambda = mean / parts;
        let p0 = (-lambda).exp();
        let mut total = 0;
        for _ in 0..parts as u64 {
            let u = self.unit();
            let (mut k, mut p, mut cdf) = (0u64, p0, p0);
            // The cut at 1000 guards against a sum rounded below u.
            while u >= cdf && k < 1000 {
                k += 1;
                p *= lambda / k as f64;
                cdf += p;
            }
            total += k;
        }
        total
    }

    /// A standard normal deviate (ziggurat).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let z = ziggurat();
        loop {
            let bits = self.rng.next_u64();
            let i = (bits & 0xff) as usize;
            // In (-1, 1), from the top 53 bits.
            let u = ((bits >> 11) as f64 + 0.5) * (2.0 / (1u64 << 53) as f64) - 1.0;
            let x = u * z.x[i];
            if x.abs() < z.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond R (Marsaglia 1964).
                let (mut t, mut y) = (1.0f64, 0.0f64);
                while -2.0 * y < t * t {
                    t = self.open_unit().ln() / ZIG_R;
                    y = self.open_unit().ln();
                }
                return if u < 0.0 { t - ZIG_R } else { ZIG_R - t };
            }
            if z.f[i + 1] + (z.f[i] - z.f[i + 1]) * self.unit() < (-0.5 * x * x).exp() {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    fn draws(p: &Param, n: usize) -> Vec<f64> {
        let mut d = Draw::new(stream(1, Purpose::NodeValue, 2, 3));
        (0..n).map(|_| p.sample(&mut d).unwrap()).collect()
    }

    fn moments(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn distributions_have_their_moments() {
        let n = 200_000;
        let tol = |sd: f64| 5.0 * sd / (n as f64).sqrt();
        let (m, v) = moments(&draws(
            &Param::Normal {
                mean: 3.0,
                std: 2.0,
            },
            n,
        ));
        assert!((m - 3.0).abs() < tol(2.0) && (v - 4.0).abs() < 0.05 * 4.0);
        let (m, v) = moments(&draws(
            &Param::Uniform {
                min: -1.0,
                max: 3.0,
            },
            n,
        ));
        assert!((m - 1.0).abs() < tol(1.155) && (v - 16.0 / 12.0).abs() < 0.02);
        let (m, v) = moments(&draws(&Param::Exponential { beta: 2.0 }, n));
        assert!((m - 2.0).abs() < tol(2.0) && (v - 4.0).abs() < 0.2);
        let (m, _) = moments(&draws(
            &Param::Lognormal {
                mean: 0.0,
                std: 0.5,
            },
            n,
        ));
        assert!((m - 0.125f64.exp()).abs() < tol(0.6));
        let ints = draws(&Param::UniformInt { max: 5 }, n);
        assert!(
            ints.iter()
                .all(|&x| x.fract() == 0.0 && (0.0..5.0).contains(&x))
        );
        let (m, _) = moments(&ints);
        assert!((m - 2.0).abs() < tol(1.42));
    }

    #[test]
    fn normal_deviates_follow_the_normal_cdf() {
        // A chi-square test over 40 equiprobable bins of N(0, 1), tails
        // included: 200,000 draws, 39 degrees of freedom (p = 0.001 at
        // 72.1).
        let v = draws(
            &Param::Normal {
                mean: 0.0,
                std: 1.0,
            },
            200_000,
        );
        let cdf = |x: f64| 0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2));
        let mut bins = [0f64; 40];
        for x in &v {
            bins[((cdf(*x) * 40.0) as usize).min(39)] += 1.0;
        }
        let expected = v.len() as f64 / 40.0;
        let chi2: f64 = bins.iter().map(|o| (o - expected).powi(2) / expected).sum();
        assert!(chi2 < 72.1, "chi2 = {chi2}");
        // The tail beyond 3.65 (the base layer's) is drawn: P = 1.3e-4.
        let tail = v.iter().filter(|x| x.abs() > ZIG_R).count();
        assert!((5..=70).contains(&tail), "{tail} beyond R");
    }

    /// The error function (Abramowitz & Stegun 7.1.26 is too coarse for a
    /// chi-square test: a series and a continued fraction instead).
    fn erf(x: f64) -> f64 {
        if x < 0.0 {
            return -erf(-x);
        }
        if x < 3.0 {
            // Taylor series.
            let (mut term, mut sum, mut n) = (x, x, 0.0);
            while term.abs() > 1e-17 * sum.abs() {
                n += 1.0;
                term *= -x * x / n;
                sum += term / (2.0 * n + 1.0);
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            // Continued fraction for erfc.
            let mut f = 0.0;
            for k in (1..60).rev() {
                f = (k as f64 / 2.0) / (x + f);
            }
            1.0 - (-x * x).exp() / (std::f64::consts::PI.sqrt() * (x + f))
        }
    }

    #[test]
    fn redraw_keeps_values_in_bounds_and_gives_up() {
        let p = Param::Redraw {
            param: Box::new(Param::Normal {
                mean: 0.0,
                std: 1.0,
            }),
            min: 0.5,
            max: f64::INFINITY,
        };
        assert!(draws(&p, 10_000).iter().all(|&x| x >= 0.5));
        assert_eq!(p.bounds(), (0.5, f64::INFINITY));
        let never = Param::Redraw {
            param: Box::new(Param::Uniform { min: 0.0, max: 1.0 }),
            min: 2.0,
            max: 3.0,
        };
        let mut d = Draw::new(stream(1, Purpose::NodeValue, 0, 0));
        assert!(matches!(
            never.sample(&mut d),
            Err(ParamValueError::Redraws { .. })
        ));
    }

    #[test]
    fn arithmetic_and_bounds() {
        let u = || Box::new(Param::Uniform { min: 1.0, max: 2.0 });
        let c = |v| Box::new(Param::Const(v));
        let p = Param::Bin(BinOp::Mul, u(), c(-3.0));
        assert_eq!(p.bounds(), (-6.0, -3.0));
        assert!(draws(&p, 1000).iter().all(|&x| (-6.0..=-3.0).contains(&x)));
        let q = Param::Bin(BinOp::Max, u(), c(1.5));
        assert!(draws(&q, 1000).iter().all(|&x| x >= 1.5));
        assert!(!Param::Bin(BinOp::Add, c(1.0), c(2.0)).is_random());
        let int = Param::Bin(BinOp::Add, Box::new(Param::UniformInt { max: 4 }), c(1.0));
        assert!(int.is_integer() && int.bounds() == (1.0, 4.0));
        assert!(!Param::Bin(BinOp::Add, u(), c(1.0)).is_integer());
        assert!(!Param::Bin(BinOp::Div, c(4.0), c(2.0)).is_integer());
        assert_eq!(draws(&Param::Bin(BinOp::Add, c(1.0), c(2.0)), 1), [3.0]);
        assert!(
            Param::Normal {
                mean: 0.0,
                std: -1.0
            }
            .validate()
            .is_err()
        );
    }
}
