//! The `ws` report, and merging the reports of several processes into one.
//!
//! With `--histograms`, every latency summary is accompanied by its HDR histogram as
//! `[[value_us, count], …]` (one pair per non-empty bucket). Merging adds the histograms and
//! recomputes the percentiles, so the merged p99 is the p99 of all samples, not an average of
//! per-process p99s. Reports without histograms are merged by taking each percentile's maximum
//! over the processes (an upper bound), and the merged report says so in `warnings`.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::report::{CpuReport, LatencySummary, new_histogram, round3};

/// Warning in a per-process report of a multi-process run; dropped when merging.
pub const PER_PROCESS_RSS_NOTE: &str = "one of several processes: kbPerConnection assumes every \
     process joined as many sockets; `support-chat-bench ws-merge` computes it exactly";

/// Histogram buckets: `[value in µs, count]`.
pub type HistogramDump = Vec<[u64; 2]>;

pub fn dump(h: &Histogram<u64>) -> HistogramDump {
    h.iter_recorded()
        .map(|v| [v.value_iterated_to(), v.count_at_value()])
        .collect()
}

pub fn load(d: &HistogramDump) -> Histogram<u64> {
    let mut h = new_histogram();
    for [v, n] in d {
        h.saturating_record_n(*v, *n);
    }
    h
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReport {
    pub url: String,
    pub run_id: String,
    pub procs: u32,
    /// This process's shard (0 in a merged report).
    pub shard: u32,
    /// Sockets this process drives (all processes in a merged report).
    pub connections: usize,
    pub room_size: usize,
    pub rooms: usize,
    pub admin_accounts: usize,
    pub sockets_per_admin: usize,
    pub connect_rate: f64,
    pub source_addrs: u32,
    /// Send rate of each step (sum over processes in a merged report).
    pub rates: Vec<f64>,
    pub duration_secs: f64,
    pub warmup_secs: f64,
    pub drain_secs: f64,
    pub idle_secs: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SetupReport {
    /// Wall time of the set-up (not part of any measurement).
    pub secs: f64,
    pub users: usize,
    pub admins: usize,
    pub conversations: usize,
    /// HTTP requests it took.
    pub requests: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConnectReport {
    /// Sockets scheduled.
    pub attempted: u64,
    /// WebSocket upgrade completed.
    pub opened: u64,
    /// `joined` received for the socket's room.
    pub joined: u64,
    pub failed: u64,
    /// Failed sockets by stage: `tcp`, `bind`, `handshake`, `http-<status>`, `timeout`,
    /// `join-<code>`, `closed`.
    pub failures: BTreeMap<String, u64>,
    /// From the first scheduled connect until the last socket joined (or failed).
    pub secs: f64,
    /// Upgrades completed per second over the schedule (`opened / schedule length`).
    pub achieved_rate: f64,
    /// TCP connect start → WebSocket upgrade complete.
    pub connect_ms: LatencySummary,
    /// Scheduled connect time → upgrade complete (includes the generator's own lag).
    pub connect_from_schedule_ms: LatencySummary,
    /// `join_conversation` written → `joined` received.
    pub join_ms: LatencySummary,
    pub scheduler_lag_ms: f64,
    pub cpu_cores: Option<CpuReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histograms: Option<BTreeMap<String, HistogramDump>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IdleReport {
    pub secs: f64,
    /// Sockets open when the idle period started and when it ended.
    pub open_at_start: u64,
    pub open_at_end: u64,
    /// Server pings answered (tungstenite answers them while the socket is read).
    pub pings: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub target_rate: f64,
    pub duration_secs: f64,
    pub warmup_secs: f64,
    /// Measured sends scheduled.
    pub scheduled: u64,
    /// Not sent because `--max-in-flight` sends were already waiting for their ack.
    pub overflow: u64,
    /// Measured sends written to a socket.
    pub sent: u64,
    pub acked: u64,
    /// Answered with an `error` frame carrying the send's `clientMessageId`, or the socket
    /// was gone.
    pub failed: u64,
    /// Neither acked nor failed by the end of the drain.
    pub unacked: u64,
    /// Sum over measured sends of the sender's room size (sockets that joined it).
    pub expected_deliveries: u64,
    /// `message` frames received for measured sends (at most room size per send).
    pub delivered: u64,
    pub missing_deliveries: u64,
    /// `message` frames received during the measured window, per second (any send).
    pub deliveries_per_sec: f64,
    /// Acks received during the measured window, per second.
    pub acks_per_sec: f64,
    /// Scheduled send time → `message` frame received, over every receiving socket.
    pub deliver_ms: LatencySummary,
    /// Frame written to the socket → `message` frame received.
    pub deliver_from_write_ms: LatencySummary,
    /// Scheduled send time → `ack` received by the sender.
    pub ack_ms: LatencySummary,
    pub scheduler_lag_ms: f64,
    pub cpu_cores: Option<CpuReport>,
    /// Acks/s below 95% of the target, ack p99 above 1 s, or sends left unacked,
    /// overflowing or late.
    pub saturated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histograms: Option<BTreeMap<String, HistogramDump>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SaturationReport {
    pub max_deliveries_per_sec: f64,
    pub max_acks_per_sec: f64,
    /// Lowest target rate whose step was saturated.
    pub first_saturated_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorsReport {
    /// `error` frames by `code`.
    pub error_frames: BTreeMap<String, u64>,
    /// Sockets that ended on their own after joining, by close code and reason.
    pub closes: BTreeMap<String, u64>,
    pub reset_required: u64,
    /// `message` frames whose `clientMessageId` is not one of this run's sends.
    pub unknown_messages: u64,
    /// Frames that were not JSON of the documented shape.
    pub unreadable_frames: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Violations {
    /// A socket got a conversation's `seq` at or below one it already had (repeat or reorder).
    pub out_of_order: u64,
    /// A socket's `seq` jumped by more than 1.
    pub gaps: u64,
    /// A socket's first `seq` was above the first one acked in its room (missed the start).
    pub start_gaps: u64,
    /// A send delivered more often than its room has sockets.
    pub duplicates: u64,
    /// A `message` frame arrived on a socket of another room.
    pub wrong_room: u64,
    /// A send acked twice.
    pub duplicate_acks: u64,
    pub total: u64,
}

impl Violations {
    fn sum(&mut self) {
        self.total = self.out_of_order
            + self.gaps
            + self.start_gaps
            + self.duplicates
            + self.wrong_room
            + self.duplicate_acks;
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RssSamples {
    /// VmRSS before any socket was opened, KiB.
    pub before_connect: u64,
    /// After every socket joined its room.
    pub connected: u64,
    /// After the idle period (when `--idle-secs` > 0).
    pub after_idle: Option<u64>,
    /// After the last step.
    pub end: u64,
    /// VmHWM at the end.
    pub peak: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WsReport {
    pub mode: String,
    pub config: ConfigReport,
    pub setup: SetupReport,
    pub connect: ConnectReport,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle: Option<IdleReport>,
    pub steps: Vec<StepReport>,
    pub saturation: SaturationReport,
    pub errors: ErrorsReport,
    pub violations: Violations,
    /// Every frame received, by `type`.
    pub frames_by_type: BTreeMap<String, u64>,
    pub bytes_received: u64,
    pub server_rss_kb: Option<RssSamples>,
    /// (RSS connected − RSS before connecting) / sockets joined (all processes), KiB.
    pub kb_per_connection: Option<f64>,
    /// Same after the idle period.
    pub kb_per_connection_after_idle: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub debug_build: bool,
}

impl WsReport {
    /// Fills the derived fields (totals, saturation, RSS per connection) from the rest.
    /// `sockets_everywhere` is the number of joined sockets across every process.
    pub fn finish(&mut self, sockets_everywhere: u64) {
        self.violations.sum();
        self.saturation = SaturationReport {
            max_deliveries_per_sec: self
                .steps
                .iter()
                .map(|s| s.deliveries_per_sec)
                .fold(0.0, f64::max),
            max_acks_per_sec: self
                .steps
                .iter()
                .map(|s| s.acks_per_sec)
                .fold(0.0, f64::max),
            first_saturated_rate: self
                .steps
                .iter()
                .filter(|s| s.saturated)
                .map(|s| s.target_rate)
                .reduce(f64::min),
        };
        let per_conn = |after: u64, before: u64| {
            (sockets_everywhere > 0)
                .then(|| round3((after as f64 - before as f64) / sockets_everywhere as f64))
        };
        if let Some(r) = self.server_rss_kb {
            self.kb_per_connection = per_conn(r.connected, r.before_connect);
            self.kb_per_connection_after_idle =
                r.after_idle.and_then(|a| per_conn(a, r.before_connect));
        }
    }

    pub fn strip_histograms(&mut self) {
        self.connect.histograms = None;
        for s in &mut self.steps {
            s.histograms = None;
        }
    }
}

fn add_maps(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// Merges latency summaries: from histograms when every part has them, else the maximum of
/// each figure (and `exact` becomes false).
fn merge_latency(
    parts: &[(&LatencySummary, Option<&HistogramDump>)],
    exact: &mut bool,
) -> (LatencySummary, Option<HistogramDump>) {
    if parts.iter().all(|(_, h)| h.is_some()) {
        let mut h = new_histogram();
        for (_, d) in parts {
            if let Some(d) = d {
                h.add(load(d)).expect("same histogram bounds");
            }
        }
        return (LatencySummary::from_histogram(&h), Some(dump(&h)));
    }
    *exact = false;
    let max = |f: fn(&LatencySummary) -> f64| parts.iter().map(|(l, _)| f(l)).fold(0.0, f64::max);
    (
        LatencySummary {
            p50: max(|l| l.p50),
            p90: max(|l| l.p90),
            p99: max(|l| l.p99),
            p999: max(|l| l.p999),
            max: max(|l| l.max),
            mean: max(|l| l.mean),
        },
        None,
    )
}

fn merge_cpu(parts: impl Iterator<Item = Option<CpuReport>>) -> Option<CpuReport> {
    let parts: Vec<CpuReport> = parts.collect::<Option<Vec<_>>>()?;
    if parts.is_empty() {
        return None;
    }
    // Each process measured the same server over the same window: average that; the bench
    // processes add up.
    let server: Vec<f64> = parts.iter().filter_map(|c| c.server).collect();
    Some(CpuReport {
        bench: round3(parts.iter().map(|c| c.bench).sum()),
        server: (!server.is_empty())
            .then(|| round3(server.iter().sum::<f64>() / server.len() as f64)),
    })
}

/// One process's latency summaries of a section and, if present, its histograms.
type Section<'a> = (
    &'a [&'a LatencySummary],
    Option<&'a BTreeMap<String, HistogramDump>>,
);

fn merge_histos(
    names: &[&str],
    sections: &[Section<'_>],
    exact: &mut bool,
) -> (Vec<LatencySummary>, Option<BTreeMap<String, HistogramDump>>) {
    let mut out = Vec::new();
    let mut dumps = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        let parts: Vec<_> = sections
            .iter()
            .map(|(l, h)| (l[i], h.and_then(|h| h.get(*name))))
            .collect();
        let (l, d) = merge_latency(&parts, exact);
        out.push(l);
        if let Some(d) = d {
            dumps.insert((*name).to_owned(), d);
        }
    }
    let all = dumps.len() == names.len();
    (out, all.then_some(dumps))
}

/// Combines the reports of the processes of one run (same steps, same server).
pub fn merge(mut reports: Vec<WsReport>) -> anyhow::Result<WsReport> {
    if reports.is_empty() {
        bail!("nothing to merge");
    }
    if reports.len() == 1 {
        let mut r = reports.remove(0);
        r.strip_histograms();
        return Ok(r);
    }
    let first = reports[0].clone();
    if reports.iter().any(|r| r.mode != "ws") {
        bail!("only ws reports can be merged");
    }
    if reports
        .iter()
        .any(|r| r.steps.len() != first.steps.len() || r.config.run_id != first.config.run_id)
    {
        bail!("the reports come from different runs (run id or number of steps differ)");
    }
    let mut exact = true;
    let mut m = first.clone();
    m.config.shard = 0;
    m.config.connections = reports.iter().map(|r| r.config.connections).sum();
    m.config.rooms = reports.iter().map(|r| r.config.rooms).sum();
    m.config.admin_accounts = reports.iter().map(|r| r.config.admin_accounts).sum();
    m.config.connect_rate = reports.iter().map(|r| r.config.connect_rate).sum();
    m.config.rates = (0..first.steps.len())
        .map(|i| reports.iter().map(|r| r.config.rates[i]).sum())
        .collect();

    m.setup = SetupReport {
        secs: reports.iter().map(|r| r.setup.secs).fold(0.0, f64::max),
        users: reports.iter().map(|r| r.setup.users).sum(),
        admins: reports.iter().map(|r| r.setup.admins).sum(),
        conversations: reports.iter().map(|r| r.setup.conversations).sum(),
        requests: reports.iter().map(|r| r.setup.requests).sum(),
    };

    // connect
    {
        let c = &mut m.connect;
        c.attempted = reports.iter().map(|r| r.connect.attempted).sum();
        c.opened = reports.iter().map(|r| r.connect.opened).sum();
        c.joined = reports.iter().map(|r| r.connect.joined).sum();
        c.failed = reports.iter().map(|r| r.connect.failed).sum();
        c.failures = BTreeMap::new();
        for r in &reports {
            add_maps(&mut c.failures, &r.connect.failures);
        }
        c.secs = reports.iter().map(|r| r.connect.secs).fold(0.0, f64::max);
        c.achieved_rate = round3(reports.iter().map(|r| r.connect.achieved_rate).sum());
        c.scheduler_lag_ms = reports
            .iter()
            .map(|r| r.connect.scheduler_lag_ms)
            .fold(0.0, f64::max);
        c.cpu_cores = merge_cpu(reports.iter().map(|r| r.connect.cpu_cores));
        let lat: Vec<[&LatencySummary; 3]> = reports
            .iter()
            .map(|r| {
                [
                    &r.connect.connect_ms,
                    &r.connect.connect_from_schedule_ms,
                    &r.connect.join_ms,
                ]
            })
            .collect();
        let sections: Vec<_> = lat
            .iter()
            .zip(&reports)
            .map(|(l, r)| (&l[..], r.connect.histograms.as_ref()))
            .collect();
        let (l, h) = merge_histos(
            &["connect", "connectFromSchedule", "join"],
            &sections,
            &mut exact,
        );
        c.connect_ms = l[0].clone();
        c.connect_from_schedule_ms = l[1].clone();
        c.join_ms = l[2].clone();
        c.histograms = h;
    }

    if let Some(idle) = &mut m.idle {
        idle.open_at_start = reports
            .iter()
            .filter_map(|r| r.idle.as_ref())
            .map(|i| i.open_at_start)
            .sum();
        idle.open_at_end = reports
            .iter()
            .filter_map(|r| r.idle.as_ref())
            .map(|i| i.open_at_end)
            .sum();
        idle.pings = reports
            .iter()
            .filter_map(|r| r.idle.as_ref())
            .map(|i| i.pings)
            .sum();
    }

    for (i, step) in m.steps.iter_mut().enumerate() {
        let parts: Vec<&StepReport> = reports.iter().map(|r| &r.steps[i]).collect();
        let sum = |f: fn(&StepReport) -> u64| parts.iter().map(|s| f(s)).sum::<u64>();
        let fsum = |f: fn(&StepReport) -> f64| round3(parts.iter().map(|s| f(s)).sum::<f64>());
        step.target_rate = fsum(|s| s.target_rate);
        step.scheduled = sum(|s| s.scheduled);
        step.overflow = sum(|s| s.overflow);
        step.sent = sum(|s| s.sent);
        step.acked = sum(|s| s.acked);
        step.failed = sum(|s| s.failed);
        step.unacked = sum(|s| s.unacked);
        step.expected_deliveries = sum(|s| s.expected_deliveries);
        step.delivered = sum(|s| s.delivered);
        step.missing_deliveries = sum(|s| s.missing_deliveries);
        step.deliveries_per_sec = fsum(|s| s.deliveries_per_sec);
        step.acks_per_sec = fsum(|s| s.acks_per_sec);
        step.scheduler_lag_ms = parts.iter().map(|s| s.scheduler_lag_ms).fold(0.0, f64::max);
        step.cpu_cores = merge_cpu(parts.iter().map(|s| s.cpu_cores));
        step.saturated = parts.iter().any(|s| s.saturated);
        let lat: Vec<[&LatencySummary; 3]> = parts
            .iter()
            .map(|s| [&s.deliver_ms, &s.deliver_from_write_ms, &s.ack_ms])
            .collect();
        let sections: Vec<_> = lat
            .iter()
            .zip(&parts)
            .map(|(l, s)| (&l[..], s.histograms.as_ref()))
            .collect();
        let (l, h) = merge_histos(
            &["deliver", "deliverFromWrite", "ack"],
            &sections,
            &mut exact,
        );
        step.deliver_ms = l[0].clone();
        step.deliver_from_write_ms = l[1].clone();
        step.ack_ms = l[2].clone();
        step.histograms = h;
    }

    let mut errors = ErrorsReport::default();
    let mut v = Violations::default();
    let mut frames = BTreeMap::new();
    for r in &reports {
        add_maps(&mut errors.error_frames, &r.errors.error_frames);
        add_maps(&mut errors.closes, &r.errors.closes);
        errors.reset_required += r.errors.reset_required;
        errors.unknown_messages += r.errors.unknown_messages;
        errors.unreadable_frames += r.errors.unreadable_frames;
        v.out_of_order += r.violations.out_of_order;
        v.gaps += r.violations.gaps;
        v.start_gaps += r.violations.start_gaps;
        v.duplicates += r.violations.duplicates;
        v.wrong_room += r.violations.wrong_room;
        v.duplicate_acks += r.violations.duplicate_acks;
        add_maps(&mut frames, &r.frames_by_type);
    }
    m.errors = errors;
    m.violations = v;
    m.frames_by_type = frames;
    m.bytes_received = reports.iter().map(|r| r.bytes_received).sum();

    // Every process sampled the same server at (nearly) the same moments.
    let rss: Option<Vec<RssSamples>> = reports.iter().map(|r| r.server_rss_kb).collect();
    m.server_rss_kb = rss.map(|all| RssSamples {
        before_connect: all.iter().map(|r| r.before_connect).min().unwrap_or(0),
        connected: all.iter().map(|r| r.connected).max().unwrap_or(0),
        after_idle: all.iter().filter_map(|r| r.after_idle).max(),
        end: all.iter().map(|r| r.end).max().unwrap_or(0),
        peak: all.iter().map(|r| r.peak).max().unwrap_or(0),
    });

    m.warnings = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        for w in r.warnings.iter().filter(|w| *w != PER_PROCESS_RSS_NOTE) {
            m.warnings.push(format!("process {i}: {w}"));
        }
    }
    if !exact {
        m.warnings.push(
            "some reports had no histograms: merged percentiles are the maximum over the processes"
                .into(),
        );
    }
    m.debug_build = reports.iter().any(|r| r.debug_build);
    let joined = m.connect.joined;
    m.finish(joined);
    m.strip_histograms();
    Ok(m)
}

/// `support-chat-bench ws-merge FILE…`: prints the merged report.
pub fn merge_files(paths: &[std::path::PathBuf]) -> anyhow::Result<WsReport> {
    let mut reports = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        reports.push(
            serde_json::from_str::<WsReport>(&text)
                .with_context(|| format!("{} is not a ws report", p.display()))?,
        );
    }
    merge(reports)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn latency(h: &Histogram<u64>) -> LatencySummary {
        LatencySummary::from_histogram(h)
    }

    fn hist(range: std::ops::RangeInclusive<u64>) -> Histogram<u64> {
        let mut h = new_histogram();
        for v in range {
            h.record(v * 1000).unwrap();
        }
        h
    }

    pub fn sample(shard: u32, lo: u64, hi: u64) -> WsReport {
        let h = hist(lo..=hi);
        let dumps: BTreeMap<String, HistogramDump> = ["deliver", "deliverFromWrite", "ack"]
            .iter()
            .map(|n| ((*n).to_owned(), dump(&h)))
            .collect();
        let cdumps: BTreeMap<String, HistogramDump> = ["connect", "connectFromSchedule", "join"]
            .iter()
            .map(|n| ((*n).to_owned(), dump(&h)))
            .collect();
        let mut r = WsReport {
            mode: "ws".into(),
            config: ConfigReport {
                url: "http://127.0.0.1:1".into(),
                run_id: "r".into(),
                procs: 2,
                shard,
                connections: 100,
                room_size: 5,
                rooms: 20,
                admin_accounts: 80,
                sockets_per_admin: 1,
                connect_rate: 500.0,
                source_addrs: 8,
                rates: vec![100.0],
                duration_secs: 10.0,
                warmup_secs: 1.0,
                drain_secs: 5.0,
                idle_secs: 0.0,
            },
            setup: SetupReport {
                secs: 3.0 + f64::from(shard),
                users: 20,
                admins: 80,
                conversations: 20,
                requests: 400,
            },
            connect: ConnectReport {
                attempted: 100,
                opened: 100,
                joined: 100,
                failed: 0,
                failures: BTreeMap::new(),
                secs: 0.2,
                achieved_rate: 500.0,
                connect_ms: latency(&h),
                connect_from_schedule_ms: latency(&h),
                join_ms: latency(&h),
                scheduler_lag_ms: 0.1,
                cpu_cores: Some(CpuReport {
                    bench: 0.2,
                    server: Some(0.5),
                }),
                histograms: Some(cdumps),
            },
            idle: None,
            steps: vec![StepReport {
                target_rate: 100.0,
                duration_secs: 10.0,
                warmup_secs: 1.0,
                scheduled: 1000,
                overflow: 0,
                sent: 1000,
                acked: 1000,
                failed: 0,
                unacked: 0,
                expected_deliveries: 5000,
                delivered: 5000,
                missing_deliveries: 0,
                deliveries_per_sec: 500.0,
                acks_per_sec: 100.0,
                deliver_ms: latency(&h),
                deliver_from_write_ms: latency(&h),
                ack_ms: latency(&h),
                scheduler_lag_ms: 0.2,
                cpu_cores: Some(CpuReport {
                    bench: 0.1,
                    server: Some(0.4),
                }),
                saturated: false,
                histograms: Some(dumps),
            }],
            saturation: SaturationReport::default(),
            errors: ErrorsReport::default(),
            violations: Violations::default(),
            frames_by_type: [("message".to_owned(), 5000u64)].into(),
            bytes_received: 1_000_000,
            server_rss_kb: Some(RssSamples {
                before_connect: 30_000 + u64::from(shard),
                connected: 40_000 + u64::from(shard),
                after_idle: None,
                end: 45_000,
                peak: 50_000,
            }),
            kb_per_connection: None,
            kb_per_connection_after_idle: None,
            warnings: vec![],
            debug_build: false,
        };
        r.finish(100);
        r
    }

    #[test]
    fn histogram_dump_round_trips() {
        let h = hist(1..=1000);
        let back = load(&dump(&h));
        assert_eq!(back.len(), 1000);
        assert_eq!(
            back.value_at_quantile(0.99),
            h.value_at_quantile(0.99),
            "same buckets"
        );
    }

    #[test]
    fn merges_counts_and_true_percentiles() {
        let a = sample(0, 1, 1000);
        let mut b = sample(1, 1001, 2000);
        b.errors.error_frames.insert("rate_limited".into(), 2);
        b.violations.gaps = 1;
        b.warnings.push("x".into());
        b.warnings.push(PER_PROCESS_RSS_NOTE.into());
        // Round trip through JSON as the merge step does.
        let a: WsReport = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        let m = merge(vec![a, b]).unwrap();
        assert_eq!(m.config.connections, 200);
        assert_eq!(m.config.rates, vec![200.0]);
        assert_eq!(m.connect.joined, 200);
        let s = &m.steps[0];
        assert_eq!((s.sent, s.acked, s.delivered), (2000, 2000, 10_000));
        assert_eq!(s.deliveries_per_sec, 1000.0);
        assert_eq!(s.target_rate, 200.0);
        // p50 of 1..=2000 ms is ~1000 ms; the per-process p50s were ~500 and ~1500.
        assert!(
            (s.deliver_ms.p50 - 1000.0).abs() < 2.0,
            "{:?}",
            s.deliver_ms
        );
        assert!((s.ack_ms.p99 - 1980.0).abs() < 3.0, "{:?}", s.ack_ms);
        assert!(s.histograms.is_none(), "histograms are not printed");
        assert_eq!(s.cpu_cores.unwrap().bench, 0.2);
        assert_eq!(s.cpu_cores.unwrap().server, Some(0.4));
        assert_eq!(m.errors.error_frames["rate_limited"], 2);
        assert_eq!(m.violations.total, 1);
        assert_eq!(m.frames_by_type["message"], 10_000);
        let rss = m.server_rss_kb.unwrap();
        assert_eq!((rss.before_connect, rss.connected), (30_000, 40_001));
        assert_eq!(m.kb_per_connection, Some(50.005));
        assert_eq!(m.setup.secs, 4.0);
        assert_eq!(m.warnings, vec!["process 1: x".to_owned()]);
    }

    #[test]
    fn without_histograms_takes_the_maximum_and_says_so() {
        let mut a = sample(0, 1, 1000);
        let b = sample(1, 1001, 2000);
        a.strip_histograms();
        let m = merge(vec![a, b.clone()]).unwrap();
        assert_eq!(m.steps[0].deliver_ms.p50, b.steps[0].deliver_ms.p50);
        assert!(m.warnings.iter().any(|w| w.contains("maximum")));
    }

    #[test]
    fn refuses_mismatched_runs() {
        let a = sample(0, 1, 10);
        let mut b = sample(1, 1, 10);
        b.config.run_id = "other".into();
        assert!(merge(vec![a, b]).is_err());
        assert!(merge(vec![]).is_err());
    }

    #[test]
    fn saturation_summary() {
        let mut r = sample(0, 1, 10);
        let mut s2 = r.steps[0].clone();
        s2.target_rate = 400.0;
        s2.acks_per_sec = 300.0;
        s2.deliveries_per_sec = 1500.0;
        s2.saturated = true;
        r.steps.push(s2);
        r.finish(100);
        assert_eq!(r.saturation.max_acks_per_sec, 300.0);
        assert_eq!(r.saturation.max_deliveries_per_sec, 1500.0);
        assert_eq!(r.saturation.first_saturated_rate, Some(400.0));
    }
}
