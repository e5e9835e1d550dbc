//! Open-loop scheduling: request `i` is due at `start + i / rate`, whatever happened to
//! earlier requests. The scheduler runs on its own OS thread (std sleeps are far more
//! precise than tokio's 1 ms timer wheel) and hands each due tick to a callback that
//! must not block (it spawns a task). When the thread falls behind it fires every
//! overdue tick immediately, so the lag shows up in latencies measured from the
//! *scheduled* time, and the maximum lag is reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Offset of request `index` from the start of the schedule, in nanoseconds.
/// Computed from the index (not by accumulating an interval), so it never drifts.
pub fn offset_nanos(index: u64, rate_per_sec: f64) -> u64 {
    debug_assert!(rate_per_sec > 0.0);
    (index as f64 * 1e9 / rate_per_sec).round() as u64
}

pub fn offset(index: u64, rate_per_sec: f64) -> Duration {
    Duration::from_nanos(offset_nanos(index, rate_per_sec))
}

/// Number of requests due in `[0, window)` at `rate_per_sec`.
pub fn count_in_window(window: Duration, rate_per_sec: f64) -> u64 {
    let mut n = (window.as_secs_f64() * rate_per_sec).ceil() as u64;
    // Correct for float rounding at the edge so this agrees exactly with `offset`.
    while n > 0 && offset(n - 1, rate_per_sec) >= window {
        n -= 1;
    }
    while offset(n, rate_per_sec) < window {
        n += 1;
    }
    n
}

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub rate_per_sec: f64,
    pub warmup: Duration,
    pub measure: Duration,
}

impl Plan {
    pub fn total(&self) -> Duration {
        self.warmup + self.measure
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Tick {
    pub index: u64,
    pub scheduled: Instant,
    /// False during warm-up: the request is sent but not recorded.
    pub measured: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SchedulerStats {
    pub fired: u64,
    pub fired_measured: u64,
    /// Largest delay between a measured tick's due time and when it was handed off.
    pub max_lag: Duration,
    /// Measured ticks handed off more than [`LAG_WARN`] late.
    pub lagged_over_warn: u64,
}

pub const LAG_WARN: Duration = Duration::from_millis(100);

/// Longest single sleep, so a stop request is noticed quickly even at very low rates.
const MAX_SLEEP: Duration = Duration::from_millis(50);

/// Runs the schedule on the calling thread until `start + plan.total()` (or `stop`).
pub fn run(
    start: Instant,
    plan: Plan,
    stop: &AtomicBool,
    mut fire: impl FnMut(Tick),
) -> SchedulerStats {
    let total = plan.total();
    let mut stats = SchedulerStats::default();
    let mut index = 0u64;
    loop {
        let off = offset(index, plan.rate_per_sec);
        if off >= total {
            break;
        }
        let due = start + off;
        loop {
            if stop.load(Ordering::Relaxed) {
                return stats;
            }
            let now = Instant::now();
            if now >= due {
                break;
            }
            std::thread::sleep((due - now).min(MAX_SLEEP));
        }
        let measured = off >= plan.warmup;
        if measured {
            let lag = Instant::now().saturating_duration_since(due);
            stats.max_lag = stats.max_lag.max(lag);
            if lag > LAG_WARN {
                stats.lagged_over_warn += 1;
            }
            stats.fired_measured += 1;
        }
        fire(Tick {
            index,
            scheduled: due,
            measured,
        });
        stats.fired += 1;
        index += 1;
    }
    stats
}

/// Runs [`run`] on a dedicated thread; await the returned handle's result.
pub fn spawn(
    start: Instant,
    plan: Plan,
    stop: Arc<AtomicBool>,
    fire: impl FnMut(Tick) + Send + 'static,
) -> anyhow::Result<tokio::sync::oneshot::Receiver<SchedulerStats>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("bench-scheduler".into())
        .spawn(move || {
            let stats = run(start, plan, &stop, fire);
            let _ = tx.send(stats);
        })?;
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_do_not_drift() {
        assert_eq!(offset_nanos(0, 5000.0), 0);
        assert_eq!(offset_nanos(1, 5000.0), 200_000);
        assert_eq!(offset_nanos(100_000, 5000.0), 20_000_000_000);
        // 3/s has a non-terminating interval; the 3-millionth tick is still exact.
        assert_eq!(offset_nanos(3_000_000, 3.0), 1_000_000_000_000_000);
        assert_eq!(offset_nanos(1, 3.0), 333_333_333);
        assert_eq!(offset_nanos(2, 3.0), 666_666_667);
        // fractional rates
        assert_eq!(offset(1, 0.5), Duration::from_secs(2));
    }

    #[test]
    fn offsets_monotone() {
        for rate in [1.0, 7.0, 333.3, 2000.0, 5000.0, 123_456.0] {
            let mut prev = 0;
            for i in 1..10_000 {
                let o = offset_nanos(i, rate);
                assert!(o > prev, "rate {rate} index {i}");
                prev = o;
            }
        }
    }

    #[test]
    fn window_counts() {
        assert_eq!(count_in_window(Duration::from_secs(20), 5000.0), 100_000);
        assert_eq!(count_in_window(Duration::from_secs(20), 2000.0), 40_000);
        assert_eq!(count_in_window(Duration::from_secs(2), 2000.0), 4_000);
        assert_eq!(count_in_window(Duration::from_secs(1), 3.0), 3);
        assert_eq!(count_in_window(Duration::from_millis(1500), 1.0), 2);
        assert_eq!(count_in_window(Duration::ZERO, 10.0), 0);
    }

    #[test]
    fn fires_expected_ticks_without_sleeping_when_already_late() {
        // Start in the past: every tick is overdue, so this returns immediately and
        // the catch-up is visible as lag.
        let plan = Plan {
            rate_per_sec: 1000.0,
            warmup: Duration::from_millis(200),
            measure: Duration::from_millis(800),
        };
        let start = Instant::now() - Duration::from_secs(5);
        let mut ticks = Vec::new();
        let stats = run(start, plan, &AtomicBool::new(false), |t| ticks.push(t));
        assert_eq!(ticks.len(), 1000);
        assert_eq!(stats.fired, 1000);
        assert_eq!(stats.fired_measured, 800);
        assert_eq!(ticks.iter().filter(|t| !t.measured).count(), 200);
        assert!(ticks.windows(2).all(|w| w[1].index == w[0].index + 1));
        assert_eq!(
            ticks[1].scheduled - ticks[0].scheduled,
            Duration::from_millis(1)
        );
        assert!(stats.max_lag >= Duration::from_secs(4));
        assert_eq!(stats.lagged_over_warn, 800);
    }

    #[test]
    fn real_time_pacing() {
        let plan = Plan {
            rate_per_sec: 2000.0,
            warmup: Duration::ZERO,
            measure: Duration::from_millis(300),
        };
        let start = Instant::now();
        let mut late = Duration::ZERO;
        let stats = run(start, plan, &AtomicBool::new(false), |t| {
            let now = Instant::now();
            assert!(now >= t.scheduled, "fired early");
            late = late.max(now - t.scheduled);
        });
        let elapsed = start.elapsed();
        assert_eq!(stats.fired, 600);
        assert!(elapsed >= Duration::from_millis(299), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
    }

    #[test]
    fn stop_flag_ends_early() {
        let plan = Plan {
            rate_per_sec: 0.01,
            warmup: Duration::ZERO,
            measure: Duration::from_secs(500),
        };
        let stop = AtomicBool::new(false);
        let start = Instant::now();
        let mut n = 0;
        let stats = run(start, plan, &stop, |_| {
            n += 1;
            stop.store(true, Ordering::Relaxed);
        });
        assert_eq!(n, 1);
        assert_eq!(stats.fired, 1);
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
