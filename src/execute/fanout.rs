//! A dedicated, bounded thread pool for per-host work, with results streamed
//! to the caller's thread in completion order.
//!
//! Host work is blocking network I/O, so it gets its own pool sized by
//! `--parallel`; rayon's global pool has only one thread per core. The
//! caller's thread receives each result as its host finishes, which is where
//! progress bars and JSON events are drawn, so output never interleaves.

use std::sync::mpsc;

/// Runs `work` on every item with at most `parallel` at once, calling
/// `on_result` on the caller's thread for each result as it arrives.
///
/// Results are also returned in input order, so artifacts stay
/// deterministic however the hosts raced.
pub fn run<T, R, W, F>(items: Vec<T>, parallel: usize, work: W, mut on_result: F) -> Vec<R>
where
    T: Send,
    R: Send + Clone,
    W: Fn(T) -> R + Sync,
    F: FnMut(&R),
{
    let count = items.len();
    if count == 0 {
        return Vec::new();
    }
    raise_open_file_limit(parallel);

    let threads = parallel.clamp(1, count);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("patchpilot-host-{index}"))
        .stack_size(512 * 1024)
        .build()
        .expect("a thread pool of bounded size can always be built");

    let (sender, receiver) = mpsc::channel();
    let mut slots: Vec<Option<R>> = (0..count).map(|_| None).collect();
    pool.in_place_scope(|scope| {
        for (index, item) in items.into_iter().enumerate() {
            let sender = sender.clone();
            let work = &work;
            scope.spawn(move |_| {
                let _ = sender.send((index, work(item)));
            });
        }
        drop(sender);
        for (index, result) in &receiver {
            on_result(&result);
            slots[index] = Some(result);
        }
    });

    slots.into_iter().map(|slot| slot.expect("every spawned item reports once")).collect()
}

/// Each concurrent SSH session needs a socket plus a dup for polling; the
/// default soft limit of 1024 descriptors is too low for large fan-outs.
fn raise_open_file_limit(parallel: usize) {
    let wanted = u64::try_from(parallel).unwrap_or(u64::MAX).saturating_mul(4).saturating_add(256);
    if let Ok((soft, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) {
        if soft < wanted {
            let _ = rlimit::setrlimit(rlimit::Resource::NOFILE, wanted.min(hard), hard);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[test]
    fn bounds_concurrency_and_keeps_input_order() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let mut arrivals = Vec::new();

        let results = run(
            (0..40).collect(),
            7,
            |item: u64| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(40 - item));
                running.fetch_sub(1, Ordering::SeqCst);
                item * 2
            },
            |result| arrivals.push(*result),
        );

        assert_eq!(results, (0..40).map(|item| item * 2).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 7);
        assert_eq!(arrivals.len(), 40);
        assert_ne!(arrivals, results, "results should stream in completion order");
    }
}
