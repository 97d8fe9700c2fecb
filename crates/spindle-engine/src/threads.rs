//! One thread per shard: spawning, pinning, and turning a failing or
//! panicking shard into an error that releases the others.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Config, EngineError};

/// Run `work` on one thread per item (shard), pinned if asked. A failing or
/// panicking shard calls `abort` (which must release the others from any
/// barrier), and the first error is returned.
pub(crate) fn on_shard_threads<I, T, F>(
    config: &Config,
    abort: &(dyn Fn() + Sync),
    items: Vec<I>,
    work: F,
) -> Result<Vec<T>, EngineError>
where
    I: Send,
    T: Send,
    F: Fn(I) -> Result<T, EngineError> + Sync,
{
    let cores = if config.pin {
        core_affinity::get_core_ids()
    } else {
        None
    };
    let expected = items.len();
    let results: Vec<Result<T, EngineError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .into_iter()
            .enumerate()
            .map(|(s, item)| {
                let (work, cores) = (&work, cores.as_deref());
                std::thread::Builder::new()
                    .name(format!("spindle-shard-{s}"))
                    .spawn_scoped(scope, move || {
                        if let Some(cores) = cores.filter(|c| !c.is_empty()) {
                            core_affinity::set_for_current(cores[s % cores.len()]);
                        }
                        let out = catch_unwind(AssertUnwindSafe(|| work(item)))
                            .unwrap_or_else(|p| Err(EngineError::Panicked(s, panic_message(&p))));
                        if out.is_err() {
                            abort();
                        }
                        out
                    })
                    .expect("spawning a shard thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("shard threads catch panics"))
            .collect()
    });
    let mut out = Vec::with_capacity(results.len());
    let mut first_err = None;
    for r in results {
        match r {
            Ok(v) => out.push(v),
            // A shard released by another's failure reports `Aborted`;
            // report the original failure instead.
            Err(EngineError::Aborted) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None if out.len() < expected => Err(EngineError::Aborted),
        None => Ok(out),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
