//! A long run: order 5000, 100 s of model time with the spike recorders
//! keeping their events. Ignored by default (about 8 minutes on 2 cores);
//! run it with
//!
//! ```sh
//! cargo test --release --test soak -- --ignored --nocapture
//! ```
//!
//! `SPINDLE_SOAK_SECONDS` shortens (or lengthens) the model time.

use spindle::brunel::{self, BrunelParams};
use spindle::engine::{Config, Simulation};
use spindle::models::devices::RecordTo;

/// Resident set size of this process [bytes], from /proc.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Run `seconds` of model time in chunks of 5 s; returns the digest. After
/// building, RSS may grow only by what the recorders keep (16 bytes per
/// event, twice that for vector doubling) plus a little allocator slack.
fn soak(threads: usize, seconds: f64) -> String {
    let p = BrunelParams {
        order: 5000,
        record_to: RecordTo::Memory,
        ..Default::default()
    };
    let b = brunel::build(&p).unwrap();
    let mut sim = Simulation::build(b.net.clone(), Config::threads(threads)).unwrap();
    // One chunk first, so the input rings and spike buffers have grown to
    // their working size.
    sim.simulate(5000.0).unwrap();
    let base = rss_bytes();
    let events = |sim: &Simulation| {
        sim.n_events(b.espikes.first()).unwrap() + sim.n_events(b.ispikes.first()).unwrap()
    };
    let base_events = events(&sim);
    let mut t = 5.0;
    while t < seconds {
        let chunk = (seconds - t).min(5.0);
        sim.simulate(chunk * 1000.0).unwrap();
        t += chunk;
        let (rss, recorded) = (rss_bytes(), events(&sim) - base_events);
        let allowed = base + 32 * recorded + (8 << 20);
        eprintln!(
            "threads {threads}: {t:>5.0} s model time, RSS {:.1} MiB (allowed {:.1} MiB)",
            rss as f64 / (1 << 20) as f64,
            allowed as f64 / (1 << 20) as f64
        );
        assert!(rss <= allowed, "RSS grew to {rss} bytes at {t} s");
    }
    sim.stats().digest
}

#[test]
#[ignore = "about 8 minutes on 2 cores; see the module docs"]
fn long_runs_keep_their_memory_and_their_spikes() {
    let seconds: f64 = std::env::var("SPINDLE_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100.0);
    let two = soak(2, seconds);
    let three = soak(3, seconds);
    assert_eq!(two, three, "the same spikes for 2 and 3 threads");
}
