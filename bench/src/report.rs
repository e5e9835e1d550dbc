//! Result collection (hdrhistogram, microsecond precision) and the JSON report.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Highest trackable latency: 1 hour in microseconds (values above are clamped).
const MAX_TRACKABLE_US: u64 = 3_600_000_000;

pub(crate) fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKABLE_US, 3).expect("static histogram bounds are valid")
}

pub(crate) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

#[derive(Debug)]
struct OpStats {
    latency: Histogram<u64>,
    sent: u64,
    ok: u64,
    errors: u64,
}

impl OpStats {
    fn new() -> Self {
        Self {
            latency: new_histogram(),
            sent: 0,
            ok: 0,
            errors: 0,
        }
    }
}

/// Collects outcomes of measured requests. Every measured request must be announced
/// with [`Recorder::sent`] and then finish with exactly one of [`Recorder::ok`] or
/// [`Recorder::error`]; [`Recorder::close`] turns any that never finished into errors.
#[derive(Debug)]
pub struct Recorder {
    closed: bool,
    /// Latency from the scheduled send time (coordinated-omission corrected).
    latency: Histogram<u64>,
    /// Latency from when the request task actually started (what a closed-loop tool would see).
    service: Histogram<u64>,
    ops: BTreeMap<&'static str, OpStats>,
    errors_by_status: BTreeMap<String, u64>,
    sent: u64,
    ok: u64,
    errors: u64,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        Self {
            closed: false,
            latency: new_histogram(),
            service: new_histogram(),
            ops: BTreeMap::new(),
            errors_by_status: BTreeMap::new(),
            sent: 0,
            ok: 0,
            errors: 0,
        }
    }

    fn op(&mut self, op: &'static str) -> &mut OpStats {
        self.ops.entry(op).or_insert_with(OpStats::new)
    }

    pub fn sent(&mut self, op: &'static str) {
        if self.closed {
            return;
        }
        self.sent += 1;
        self.op(op).sent += 1;
    }

    pub fn ok(&mut self, op: &'static str, from_schedule: Duration, from_dispatch: Duration) {
        if self.closed {
            return;
        }
        let us = micros(from_schedule);
        self.ok += 1;
        self.latency.saturating_record(us);
        self.service.saturating_record(micros(from_dispatch));
        let stats = self.op(op);
        stats.ok += 1;
        stats.latency.saturating_record(us);
    }

    /// `kind` is an HTTP status code ("500") or a transport failure ("timeout", ...).
    pub fn error(&mut self, op: &'static str, kind: &str) {
        if self.closed {
            return;
        }
        self.errors += 1;
        self.op(op).errors += 1;
        *self.errors_by_status.entry(kind.to_owned()).or_default() += 1;
    }

    /// Stops recording; requests still outstanding are counted as `unfinished` errors.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        for stats in self.ops.values_mut() {
            let missing = stats.sent.saturating_sub(stats.ok + stats.errors);
            if missing > 0 {
                stats.errors += missing;
                self.errors += missing;
                *self
                    .errors_by_status
                    .entry("unfinished".into())
                    .or_default() += missing;
            }
        }
        self.closed = true;
    }

    pub fn outstanding(&self) -> u64 {
        self.sent.saturating_sub(self.ok + self.errors)
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LatencySummary {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl LatencySummary {
    pub(crate) fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self {
                p50: 0.0,
                p90: 0.0,
                p99: 0.0,
                p999: 0.0,
                max: 0.0,
                mean: 0.0,
            };
        }
        Self {
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
            mean: round3(h.mean() / 1000.0),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpSummary {
    /// Measured requests of this kind that were scheduled.
    pub count: u64,
    pub ok: u64,
    pub errors: u64,
    pub p50: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct RssReport {
    /// VmRSS when the measured phase started, KiB.
    pub start: u64,
    /// VmRSS when the measured phase ended, KiB.
    pub end: u64,
    /// VmHWM (peak RSS since the server started) at the end, KiB.
    pub peak: u64,
}

/// Average CPU cores used during the measured phase (CPU seconds / wall seconds).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CpuReport {
    pub bench: f64,
    pub server: Option<f64>,
}

impl CpuReport {
    pub fn from_secs(bench_secs: f64, server_secs: Option<f64>, wall: Duration) -> Self {
        let wall = wall.as_secs_f64().max(1e-9);
        Self {
            bench: round3(bench_secs / wall),
            server: server_secs.map(|s| round3(s / wall)),
        }
    }
}

/// Run parameters that go into the report unchanged.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub mode: &'static str,
    pub scenario: String,
    pub target_rate: f64,
    pub duration: Duration,
    pub warmup: Duration,
    pub users: u32,
    pub connections: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub mode: &'static str,
    pub scenario: String,
    pub target_rate: f64,
    pub duration_secs: f64,
    pub warmup_secs: f64,
    pub users: u32,
    pub connections: usize,
    pub sent: u64,
    pub ok: u64,
    pub errors: u64,
    pub errors_by_status: BTreeMap<String, u64>,
    /// Successful responses per second over the measured window.
    pub achieved_rate: f64,
    /// From the scheduled send time to the end of the response body (successes only).
    pub latency_ms: LatencySummary,
    /// From the moment the request task started to the end of the body (successes only).
    pub service_latency_ms: LatencySummary,
    pub per_op: BTreeMap<String, OpSummary>,
    /// Max delay of the scheduler behind its timetable during the measured phase.
    pub scheduler_lag_ms: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub server_rss_kb: Option<RssReport>,
    /// Average CPU cores used by the bench and the server while measuring.
    pub cpu_cores: Option<CpuReport>,
    /// True when the bench was built without optimisations (numbers are then unreliable).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub debug_build: bool,
}

impl Report {
    pub fn build(
        info: &RunInfo,
        rec: &Recorder,
        scheduler_lag: Duration,
        lagged_ticks: u64,
        rss: Option<RssReport>,
        mut warnings: Vec<String>,
    ) -> Self {
        let debug_build = cfg!(debug_assertions);
        if debug_build {
            warnings.push(
                "bench built without optimisations; build with --release for real measurements"
                    .into(),
            );
        }
        let secs = info.duration.as_secs_f64();
        let per_op = rec
            .ops
            .iter()
            .map(|(name, s)| {
                let l = LatencySummary::from_histogram(&s.latency);
                (
                    (*name).to_owned(),
                    OpSummary {
                        count: s.sent,
                        ok: s.ok,
                        errors: s.errors,
                        p50: l.p50,
                        p99: l.p99,
                        p999: l.p999,
                        max: l.max,
                    },
                )
            })
            .collect();
        let lag_ms = round3(scheduler_lag.as_secs_f64() * 1000.0);
        if lagged_ticks > 0 {
            warnings.push(format!(
                "scheduler fell behind by more than {} ms for {lagged_ticks} requests (max {lag_ms} ms); \
                 the load generator itself was saturated, so the target rate was not applied on time",
                crate::schedule::LAG_WARN.as_millis()
            ));
        }
        if rec.errors > 0 {
            warnings.push(format!("{} of {} requests failed", rec.errors, rec.sent));
        }
        Self {
            mode: info.mode,
            scenario: info.scenario.clone(),
            target_rate: info.target_rate,
            duration_secs: secs,
            warmup_secs: info.warmup.as_secs_f64(),
            users: info.users,
            connections: info.connections,
            sent: rec.sent,
            ok: rec.ok,
            errors: rec.errors,
            errors_by_status: rec.errors_by_status.clone(),
            achieved_rate: if secs > 0.0 {
                round3(rec.ok as f64 / secs)
            } else {
                0.0
            },
            latency_ms: LatencySummary::from_histogram(&rec.latency),
            service_latency_ms: LatencySummary::from_histogram(&rec.service),
            per_op,
            scheduler_lag_ms: lag_ms,
            warnings,
            server_rss_kb: rss,
            cpu_cores: None,
            debug_build,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RunInfo {
        RunInfo {
            mode: "http",
            scenario: "mixed".into(),
            target_rate: 100.0,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(2),
            users: 5,
            connections: 64,
        }
    }

    #[test]
    fn percentiles_and_counts() {
        let mut rec = Recorder::new();
        // 1..=1000 ms for "list": p50 = 500 ms, p99 = 990 ms, p99.9 = 999 ms.
        for i in 1..=1000u64 {
            rec.sent("list");
            rec.ok(
                "list",
                Duration::from_millis(i),
                Duration::from_micros(i * 10),
            );
        }
        rec.sent("send");
        rec.error("send", "500");
        rec.sent("send");
        rec.error("send", "timeout");
        rec.sent("open");
        assert_eq!(rec.outstanding(), 1);
        rec.close();
        rec.ok("open", Duration::from_millis(1), Duration::from_millis(1)); // ignored after close
        assert_eq!(rec.outstanding(), 0);

        let r = Report::build(&info(), &rec, Duration::from_micros(1500), 0, None, vec![]);
        assert_eq!((r.sent, r.ok, r.errors), (1003, 1000, 3));
        assert_eq!(r.achieved_rate, 100.0);
        let close = |a: f64, b: f64| (a - b).abs() <= b * 0.001 + 0.001;
        assert!(close(r.latency_ms.p50, 500.0), "{:?}", r.latency_ms);
        assert!(close(r.latency_ms.p90, 900.0), "{:?}", r.latency_ms);
        assert!(close(r.latency_ms.p99, 990.0), "{:?}", r.latency_ms);
        assert!(close(r.latency_ms.p999, 999.0), "{:?}", r.latency_ms);
        assert!(close(r.latency_ms.max, 1000.0), "{:?}", r.latency_ms);
        assert!(close(r.latency_ms.mean, 500.5), "{:?}", r.latency_ms);
        assert!(
            close(r.service_latency_ms.p50, 5.0),
            "{:?}",
            r.service_latency_ms
        );
        assert_eq!(r.per_op["list"].count, 1000);
        assert_eq!(r.per_op["send"].errors, 2);
        assert_eq!(r.per_op["send"].p50, 0.0);
        assert_eq!(r.per_op["open"].errors, 1);
        assert_eq!(r.errors_by_status["500"], 1);
        assert_eq!(r.errors_by_status["timeout"], 1);
        assert_eq!(r.errors_by_status["unfinished"], 1);
        assert_eq!(r.scheduler_lag_ms, 1.5);
        assert_eq!(r.warnings.len(), 1 + usize::from(cfg!(debug_assertions)));
    }

    #[test]
    fn json_shape() {
        let mut rec = Recorder::new();
        rec.sent("list");
        rec.ok(
            "list",
            Duration::from_micros(1234),
            Duration::from_micros(1000),
        );
        let rss = RssReport {
            start: 10,
            end: 20,
            peak: 30,
        };
        let r = Report::build(
            &info(),
            &rec,
            Duration::from_millis(250),
            7,
            Some(rss),
            vec![],
        );
        let v = serde_json::to_value(&r).unwrap();
        for key in [
            "scenario",
            "targetRate",
            "durationSecs",
            "sent",
            "ok",
            "errors",
            "errorsByStatus",
            "achievedRate",
            "latencyMs",
            "perOp",
            "serverRssKb",
            "schedulerLagMs",
            "warnings",
        ] {
            assert!(v.get(key).is_some(), "missing {key} in {v}");
        }
        for key in ["p50", "p90", "p99", "p999", "max", "mean"] {
            assert!(v["latencyMs"][key].is_number(), "latencyMs.{key}");
        }
        assert_eq!(v["latencyMs"]["p50"], 1.234);
        assert_eq!(v["perOp"]["list"]["count"], 1);
        assert_eq!(v["perOp"]["list"]["p999"], 1.234);
        assert_eq!(v["serverRssKb"]["peak"], 30);
        assert_eq!(v["schedulerLagMs"], 250.0);
        assert!(
            v["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w.as_str().unwrap().contains("scheduler fell behind"))
        );
        assert_eq!(v["errorsByStatus"], serde_json::json!({}));

        let r = Report::build(&info(), &rec, Duration::ZERO, 0, None, vec![]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v.get("warnings").is_some(), cfg!(debug_assertions));
        assert!(v["serverRssKb"].is_null());
    }

    #[test]
    fn empty_run() {
        let r = Report::build(&info(), &Recorder::new(), Duration::ZERO, 0, None, vec![]);
        assert_eq!(r.latency_ms.p99, 0.0);
        assert_eq!(r.sent, 0);
        assert!(r.per_op.is_empty());
    }
}
