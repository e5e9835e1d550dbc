//! `support-chat-bench ws`: open-loop WebSocket load against `GET /api/support-chat/ws`.
//!
//! Phases: set-up (accounts, tokens, conversations; not measured) → connect (open-loop at
//! `--connect-rate`, each socket joins its room) → optional idle hold → one measured send
//! step per `--rate` value → close. Several processes can share one run (`--procs`,
//! `--shard`, `--sync-dir`); they meet at every phase boundary. See `bench/README.md`.

mod conn;
pub mod report;
mod setup;
mod sync;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::Args;
use reqwest::Url;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::http::{check_health, read_cpu, read_rss, secs_arg, seed_from, splitmix64};
use crate::loopback;
use crate::procfs;
use crate::report::{CpuReport, LatencySummary, round3};
use crate::schedule::{self, LAG_WARN, Plan, Tick};
use conn::{
    Cmd, FRAME_TYPES, NO_SEQ, SLOT_ACKED, SLOT_FAILED, SLOT_OVERFLOW, SLOT_SENT, Shared, StepState,
    Target, lock,
};
use report::{
    ConfigReport, ConnectReport, ErrorsReport, IdleReport, RssSamples, SetupReport, StepReport,
    Violations, WsReport, dump,
};
use setup::{Fixture, Layout, SetupPlan};
use sync::PhaseSync;

pub const MAX_CONNECTIONS: u32 = 19_000;
pub const MAX_DURATION_SECS: f64 = 600.0;
pub const MAX_IDLE_SECS: f64 = 3600.0;
/// The server allows 20 frames/s per socket (burst 60); stay well below on average.
const MAX_SENDS_PER_SOCKET: f64 = 10.0;
/// Send slots kept in memory over all steps (32 bytes each).
const MAX_SLOTS: u64 = 8_000_000;
/// A step whose ack p99 exceeds this is queueing, not keeping up, even if acks/s match.
const SATURATED_ACK_P99_MS: f64 = 1000.0;
/// Files the process needs besides its sockets (stdio, epoll, set-up connections, …).
const SPARE_FILES: u64 = 200;

#[derive(Debug, Clone, Args)]
pub struct WsArgs {
    /// Base URL of the server; must be loopback (127.0.0.0/8, localhost or [::1]).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// WebSockets this process opens (each is an open file: stay below `ulimit -n`).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_CONNECTIONS)))]
    pub connections: u32,
    /// Sockets per room: the conversation's owner plus room-size − 1 admins.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub room_size: u32,
    /// Sockets per admin account, each in a different room (1 = every admin socket is its own
    /// account). With more than 1, a user's message also notifies the assignee's other sockets.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub sockets_per_admin: u32,
    /// New sockets per second during the connect phase, open-loop.
    #[arg(long, default_value_t = 2000.0)]
    pub connect_rate: f64,
    /// Time allowed per socket for TCP connect + upgrade + `joined`, seconds (max 120).
    #[arg(long, default_value_t = 30.0)]
    pub connect_timeout: f64,
    /// Spread client sockets over source addresses 127.0.0.1 ..= 127.0.0.K (0: let the
    /// kernel choose), so many sockets do not run out of ephemeral ports.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=254))]
    pub source_addrs: u32,
    /// Message sends per second; several comma-separated rates run one measured step each
    /// (a ramp to find saturation), on the same sockets.
    #[arg(long, value_delimiter = ',', default_value = "1000")]
    pub rate: Vec<f64>,
    /// Measured seconds per step (max 600).
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Unmeasured seconds at the step's rate before each measured window (max 60).
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// After each step, wait at most this long for outstanding acks and deliveries (max 60).
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// Hold every socket open without traffic for this long after connecting (max 3600).
    #[arg(long, default_value_t = 0.0)]
    pub idle_secs: f64,
    /// Sends waiting for their ack at most; scheduled sends beyond count as `overflow`.
    #[arg(long, default_value_t = 100_000)]
    pub max_in_flight: u64,
    /// Set-up HTTP requests in flight at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=512))]
    pub setup_concurrency: u32,
    /// Time allowed for the set-up, seconds (max 1800).
    #[arg(long, default_value_t = 300.0)]
    pub setup_timeout: f64,
    /// The server's first admin (SUPPORT_CHAT_ADMIN_EMAIL); the password is read from the
    /// SUPPORT_CHAT_ADMIN_PASSWORD environment variable only.
    #[arg(long, env = "SUPPORT_CHAT_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// The server's host-app SSO secret, used to sign in bench accounts without passwords.
    #[arg(long, env = "SUPPORT_CHAT_SSO_SECRET", hide_env_values = true)]
    pub sso_secret: Option<String>,
    /// Names this run's accounts and messages (letters and digits; default random).
    #[arg(long)]
    pub run_id: Option<String>,
    /// Processes taking part in this run (each with its own `--shard` and slice of sockets).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub procs: u32,
    #[arg(long, default_value_t = 0)]
    pub shard: u32,
    /// Directory shared by the processes of one run, for meeting at phase boundaries.
    #[arg(long)]
    pub sync_dir: Option<PathBuf>,
    /// PID of the server: VmRSS/VmHWM and CPU from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Also write the JSON report to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Include the HDR histograms in the report (for `ws-merge`).
    #[arg(long)]
    pub histograms: bool,
}

#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Reports written by `ws --histograms --out FILE`, one per process of the same run.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Also write the merged report to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Validated settings.
#[derive(Debug, Clone)]
struct Settings {
    base: String,
    rates: Vec<f64>,
    warmup: Duration,
    measure: Duration,
    drain: Duration,
    idle: Duration,
    connect_timeout: Duration,
    setup_timeout: Duration,
    run_id: String,
    admin_email: String,
    admin_password: String,
    sso_secret: String,
}

fn validate(args: &WsArgs, admin_password: Option<String>) -> anyhow::Result<Settings> {
    let url = loopback::parse_loopback_url(&args.url)?;
    if args.rate.is_empty() {
        bail!("--rate needs at least one rate");
    }
    for &r in &args.rate {
        if !r.is_finite() || r <= 0.0 || r > crate::http::MAX_RATE {
            bail!(
                "--rate values must be > 0 and <= {} (got {r})",
                crate::http::MAX_RATE
            );
        }
        let per_socket = r / f64::from(args.connections);
        if per_socket > MAX_SENDS_PER_SOCKET {
            bail!(
                "--rate {r} over {} sockets is {per_socket:.1} sends/s per socket; the server allows \
                 20 frames/s per socket, keep it at or below {MAX_SENDS_PER_SOCKET}",
                args.connections
            );
        }
    }
    if !args.connect_rate.is_finite() || args.connect_rate <= 0.0 || args.connect_rate > 100_000.0 {
        bail!(
            "--connect-rate must be > 0 and <= 100000 (got {})",
            args.connect_rate
        );
    }
    if args.max_in_flight == 0 {
        bail!("--max-in-flight must be at least 1");
    }
    let measure = secs_arg("duration", args.duration, true, MAX_DURATION_SECS)?;
    let warmup = secs_arg("warmup", args.warmup, false, crate::http::MAX_WARMUP_SECS)?;
    let drain = secs_arg("drain", args.drain, false, 60.0)?;
    let idle = secs_arg("idle-secs", args.idle_secs, false, MAX_IDLE_SECS)?;
    let connect_timeout = secs_arg("connect-timeout", args.connect_timeout, true, 120.0)?;
    let setup_timeout = secs_arg("setup-timeout", args.setup_timeout, true, 1800.0)?;
    let slots: u64 = args
        .rate
        .iter()
        .map(|&r| schedule::count_in_window(warmup + measure, r))
        .sum();
    if slots > MAX_SLOTS {
        bail!(
            "the steps schedule {slots} sends; at most {MAX_SLOTS} per process (lower --rate or --duration)"
        );
    }
    let run_id = match &args.run_id {
        Some(id) => {
            if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                bail!("--run-id must be 1..=16 letters or digits (got {id:?})");
            }
            id.clone()
        }
        None => uuid::Uuid::new_v4().simple().to_string()[..10].to_owned(),
    };
    let admin_email = args.admin_email.clone().ok_or_else(|| {
        anyhow!("--admin-email (or SUPPORT_CHAT_ADMIN_EMAIL) is required: the bench promotes its admins with the server's first admin")
    })?;
    let admin_password = admin_password
        .ok_or_else(|| anyhow!("set SUPPORT_CHAT_ADMIN_PASSWORD to the first admin's password"))?;
    let sso_secret = args.sso_secret.clone().ok_or_else(|| {
        anyhow!("--sso-secret (or SUPPORT_CHAT_SSO_SECRET) is required: bench accounts sign in through host-app SSO")
    })?;
    Ok(Settings {
        base: url.as_str().trim_end_matches('/').to_owned(),
        rates: args.rate.clone(),
        warmup,
        measure,
        drain,
        idle,
        connect_timeout,
        setup_timeout,
        run_id,
        admin_email,
        admin_password,
        sso_secret,
    })
}

pub async fn run(args: WsArgs) -> anyhow::Result<()> {
    let sync = PhaseSync::new(args.sync_dir.clone(), args.procs, args.shard)?;
    let password = std::env::var("SUPPORT_CHAT_ADMIN_PASSWORD").ok();
    let result = async {
        let settings = validate(&args, password)?;
        execute(&args, &settings, &sync).await
    }
    .await;
    if result.is_err() {
        sync.abort();
    }
    let mut report = result?;
    if !args.histograms {
        report.strip_histograms();
    }
    emit(&report, args.out.as_ref())
}

pub fn run_merge(args: &MergeArgs) -> anyhow::Result<()> {
    let report = report::merge_files(&args.files)?;
    emit(&report, args.out.as_ref())
}

fn emit(report: &WsReport, out: Option<&PathBuf>) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(report)?;
    println!("{json}");
    if let Some(path) = out {
        std::fs::write(path, format!("{json}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The server's address (the URL is already known to be loopback).
async fn resolve(url: &Url) -> anyhow::Result<SocketAddr> {
    let host = url.host_str().unwrap_or_default();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = url.port_or_known_default().unwrap_or(80);
    let mut addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .with_context(|| format!("resolving {host}"))?
        .collect();
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("{host} did not resolve"))
}

fn check_open_files(connections: u32) -> anyhow::Result<()> {
    let limit = procfs::max_open_files()?;
    let need = u64::from(connections) + SPARE_FILES;
    if limit < need {
        bail!(
            "{connections} sockets need about {need} open files but the limit is {limit}; \
             raise it with `ulimit -n $(ulimit -Hn)` or spread the sockets over several \
             processes (--procs/--shard)"
        );
    }
    grow_fd_table(need);
    Ok(())
}

/// Grows the descriptor table to `n` slots before any socket opens. The kernel grows it by
/// doubling, and every thread opening a socket meanwhile waits for an RCU grace period (10–17
/// ms measured here): connects measured at 512, 1,024, 2,048, … open sockets would carry the
/// generator's own stall. Best effort: the table otherwise grows as it goes. (The server does
/// the same at start, in `crates/cli/src/files.rs`; the bench does not depend on it.)
fn grow_fd_table(n: u64) {
    let Ok(top) = i32::try_from(n.saturating_sub(1)) else {
        return;
    };
    // Duplicated to the last slot and closed again at once.
    if let Err(e) = rustix::io::fcntl_dupfd_cloexec(std::io::stderr(), top) {
        eprintln!("bench: could not size the descriptor table for {n} files: {e}");
    }
}

/// Stops a scheduler thread if the future driving it is dropped early.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn cpu_between(
    (b0, s0): (Option<f64>, Option<f64>),
    (b1, s1): (Option<f64>, Option<f64>),
    wall: Duration,
) -> Option<CpuReport> {
    Some(CpuReport::from_secs(
        b1? - b0?,
        s0.zip(s1).map(|(a, b)| b - a),
        wall,
    ))
}

fn secs_f(d: Duration) -> f64 {
    round3(d.as_secs_f64())
}

/// Upper bound for any wait on the other processes.
fn sync_timeout(s: &Settings, connect_window: Duration) -> Duration {
    let steps: Duration = s.rates.iter().map(|_| s.warmup + s.measure + s.drain).sum();
    s.setup_timeout + connect_window + s.connect_timeout + s.idle + steps + Duration::from_secs(60)
}

async fn execute(args: &WsArgs, s: &Settings, sync: &PhaseSync) -> anyhow::Result<WsReport> {
    let url = Url::parse(&s.base)?;
    loopback::verify_resolves_to_loopback(&url).await?;
    let server = resolve(&url).await?;
    check_open_files(args.connections)?;
    let client = crate::http_client()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(args.setup_concurrency as usize)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .retry(reqwest::retry::never())
        .build()
        .context("building HTTP client")?;
    check_health(&client, &s.base).await?;

    let layout = Layout::new(
        args.connections as usize,
        args.room_size as usize,
        args.sockets_per_admin as usize,
    )?;
    let prefix = format!("{}-{}", s.run_id, args.shard);
    eprintln!(
        "bench: setting up {} users, {} admins and {} conversations (run {prefix}) against {}",
        layout.rooms, layout.admin_accounts, layout.rooms, s.base
    );
    let setup_started = Instant::now();
    let plan = SetupPlan {
        base: s.base.clone(),
        layout,
        prefix: prefix.clone(),
        admin_email: s.admin_email.clone(),
        admin_password: s.admin_password.clone(),
        sso_secret: s.sso_secret.clone(),
        concurrency: args.setup_concurrency as usize,
    };
    let (fixture, setup_stats) = tokio::time::timeout(s.setup_timeout, setup::run(&client, &plan))
        .await
        .map_err(|_| {
            anyhow!(
                "set-up did not finish within --setup-timeout {:?}",
                s.setup_timeout
            )
        })??;
    drop(client);
    let setup_report = SetupReport {
        secs: secs_f(setup_started.elapsed()),
        users: layout.rooms,
        admins: layout.admin_accounts,
        conversations: fixture.conversations.len(),
        requests: setup_stats.requests,
    };
    eprintln!("bench: set-up done in {:.1} s", setup_report.secs);
    drive(args, s, sync, server, fixture, setup_report).await
}

/// Everything after the set-up: connect, idle, steps, report.
async fn drive(
    args: &WsArgs,
    s: &Settings,
    sync: &PhaseSync,
    server: SocketAddr,
    fixture: Fixture,
    setup_report: SetupReport,
) -> anyhow::Result<WsReport> {
    let layout = fixture.layout;
    let prefix = format!("{}-{}", s.run_id, args.shard);
    let seed = seed_from(&prefix);
    let steps = s
        .rates
        .iter()
        .map(|&rate| {
            let plan = Plan {
                rate_per_sec: rate,
                warmup: s.warmup,
                measure: s.measure,
            };
            let ticks = schedule::count_in_window(plan.total(), rate) as usize;
            let first = schedule::count_in_window(plan.warmup, rate);
            StepState::new(plan, first, ticks)
        })
        .collect();
    let shared = Arc::new(Shared::new(
        (seed >> 32) as u32,
        steps,
        &fixture.conversations,
        (0..layout.connections).map(|i| layout.room_of(i)),
    ));
    let ws_base = Url::parse(&format!(
        "ws{}/api/support-chat/ws",
        &s.base["http".len()..]
    ))
    .context("building the WebSocket URL")?;
    let target = Arc::new(Target {
        server,
        url_prefix: format!("{ws_base}?token="),
        source_addrs: args.source_addrs,
        connect_timeout: s.connect_timeout,
        config: conn::client_config(),
    });
    let connect_window = schedule::offset(layout.connections as u64, args.connect_rate);
    let sync_wait = sync_timeout(s, connect_window);
    let mut warnings = Vec::new();

    // Sample before arriving: nobody connects until every process has arrived.
    let rss_before = read_rss(args.server_pid, &mut warnings);
    sync.wait("setup", sync_wait).await?;
    eprintln!(
        "bench: opening {} sockets at {}/s (source addresses: {})",
        layout.connections, args.connect_rate, args.source_addrs
    );
    let (connect, senders) =
        connect_phase(&shared, &target, &fixture, args, s, &mut warnings).await?;
    let rss_connected = read_rss(args.server_pid, &mut warnings);
    eprintln!(
        "bench: {} of {} sockets joined in {:.1} s (connect p99 {} ms)",
        connect.joined, connect.attempted, connect.secs, connect.connect_ms.p99
    );
    sync.wait("connected", sync_wait).await?;

    let alive: Arc<Vec<usize>> = Arc::new(
        (0..layout.connections)
            .filter(|&i| shared.sockets[i].joined.load(Ordering::Acquire))
            .collect(),
    );
    if alive.is_empty() {
        bail!(
            "no socket joined its room; connect failures: {:?}",
            connect.failures
        );
    }

    let mut rss_after_idle = None;
    let idle = if s.idle > Duration::ZERO {
        let open_at_start = shared.c.open_now.load(Ordering::Relaxed);
        let pings = shared.c.pings.load(Ordering::Relaxed);
        eprintln!(
            "bench: holding {open_at_start} sockets idle for {:?}",
            s.idle
        );
        tokio::time::sleep(s.idle).await;
        rss_after_idle = read_rss(args.server_pid, &mut warnings).map(|m| m.rss_kb);
        let report = IdleReport {
            secs: secs_f(s.idle),
            open_at_start,
            open_at_end: shared.c.open_now.load(Ordering::Relaxed),
            pings: shared.c.pings.load(Ordering::Relaxed) - pings,
        };
        if report.open_at_end < report.open_at_start {
            warnings.push(format!(
                "{} sockets closed during the idle period",
                report.open_at_start - report.open_at_end
            ));
        }
        sync.wait("idle", sync_wait).await?;
        Some(report)
    } else {
        None
    };

    let senders = Arc::new(senders);
    let mut step_reports = Vec::new();
    for k in 0..s.rates.len() {
        sync.wait(&format!("step{k}"), sync_wait).await?;
        eprintln!(
            "bench: step {}: {} sends/s for {:?} (+{:?} warm-up) over {} sockets",
            k + 1,
            s.rates[k],
            s.measure,
            s.warmup,
            alive.len()
        );
        let r = run_step(k, &shared, &senders, &alive, s, args, seed, &mut warnings).await?;
        eprintln!(
            "bench: step {}: {:.0} acks/s, {:.0} deliveries/s, deliver p99 {} ms, {} missing",
            k + 1,
            r.acks_per_sec,
            r.deliveries_per_sec,
            r.deliver_ms.p99,
            r.missing_deliveries
        );
        step_reports.push(r);
    }
    let rss_end = read_rss(args.server_pid, &mut warnings);

    // Close every socket and give the tasks a moment to finish.
    for tx in senders.iter() {
        let _ = tx.send(Cmd::Close);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while shared.c.tasks_alive.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let mut report = WsReport {
        mode: "ws".into(),
        config: ConfigReport {
            url: s.base.clone(),
            run_id: s.run_id.clone(),
            procs: args.procs,
            shard: args.shard,
            connections: layout.connections,
            room_size: layout.room_size,
            rooms: layout.rooms,
            admin_accounts: layout.admin_accounts,
            sockets_per_admin: args.sockets_per_admin as usize,
            connect_rate: args.connect_rate,
            source_addrs: args.source_addrs,
            rates: s.rates.clone(),
            duration_secs: s.measure.as_secs_f64(),
            warmup_secs: s.warmup.as_secs_f64(),
            drain_secs: s.drain.as_secs_f64(),
            idle_secs: s.idle.as_secs_f64(),
        },
        setup: setup_report,
        connect,
        idle,
        steps: step_reports,
        saturation: Default::default(),
        errors: errors_report(&shared),
        violations: violations(&shared),
        frames_by_type: frames_by_type(&shared),
        bytes_received: shared.c.bytes.load(Ordering::Relaxed),
        server_rss_kb: match (rss_before, rss_connected, rss_end) {
            (Some(b), Some(c), Some(e)) => Some(RssSamples {
                before_connect: b.rss_kb,
                connected: c.rss_kb,
                after_idle: rss_after_idle,
                end: e.rss_kb,
                peak: e.hwm_kb,
            }),
            _ => None,
        },
        kb_per_connection: None,
        kb_per_connection_after_idle: None,
        warnings,
        debug_build: cfg!(debug_assertions),
    };
    finish_warnings(&mut report, &shared);
    // With several processes every one of them connected about as many sockets at the same
    // time; `ws-merge` recomputes this from the exact total.
    report.finish(report.connect.joined * u64::from(args.procs));
    Ok(report)
}

async fn connect_phase(
    shared: &Arc<Shared>,
    target: &Arc<Target>,
    fixture: &Fixture,
    args: &WsArgs,
    s: &Settings,
    warnings: &mut Vec<String>,
) -> anyhow::Result<(ConnectReport, Vec<UnboundedSender<Cmd>>)> {
    let n = fixture.layout.connections;
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..n).map(|_| unbounded_channel::<Cmd>()).unzip();
    let mut receivers: Vec<_> = receivers.into_iter().map(Some).collect();
    let tokens: Vec<Arc<str>> = (0..n).map(|i| fixture.token_of(i)).collect();
    let plan = Plan {
        rate_per_sec: args.connect_rate,
        warmup: Duration::ZERO,
        // Exactly n ticks: the last one is due at offset(n - 1).
        measure: schedule::offset(n as u64 - 1, args.connect_rate) + Duration::from_nanos(1),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let _stop = StopOnDrop(stop.clone());
    let handle = tokio::runtime::Handle::current();
    let start = Instant::now() + Duration::from_millis(20);
    let fire = {
        let (shared, target) = (shared.clone(), target.clone());
        move |tick: Tick| {
            let i = tick.index as usize;
            let Some(rx) = receivers.get_mut(i).and_then(Option::take) else {
                return;
            };
            shared.c.tasks_alive.fetch_add(1, Ordering::AcqRel);
            handle.spawn(conn::socket_main(
                shared.clone(),
                target.clone(),
                i,
                tokens[i].clone(),
                tick.scheduled,
                rx,
            ));
        }
    };
    let cpu0 = read_cpu(args.server_pid);
    let finished = schedule::spawn(start, plan, stop.clone(), fire)?;
    let stats = finished
        .await
        .map_err(|_| anyhow!("scheduler thread died"))?;
    let deadline = Instant::now() + s.connect_timeout + Duration::from_secs(1);
    let settled =
        || shared.c.joined.load(Ordering::Acquire) + shared.c.failed.load(Ordering::Acquire);
    while settled() < n as u64 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let wall = start.elapsed();
    let cpu = cpu_between(cpu0, read_cpu(args.server_pid), wall);

    let opened = shared.c.opened.load(Ordering::Acquire);
    let joined = shared.c.joined.load(Ordering::Acquire);
    let mut failures = lock(&shared.connect_failures).clone();
    let unsettled = (n as u64).saturating_sub(settled());
    if unsettled > 0 {
        *failures.entry("unfinished".into()).or_default() += unsettled;
    }
    let failed = failures.values().sum();
    let start_ns = shared.ns(start);
    let last = shared
        .c
        .last_opened_ns
        .load(Ordering::Relaxed)
        .max(shared.c.last_settled_ns.load(Ordering::Relaxed));
    let secs = Duration::from_nanos(last.saturating_sub(start_ns));
    let opened_by = Duration::from_nanos(
        shared
            .c
            .last_opened_ns
            .load(Ordering::Relaxed)
            .saturating_sub(start_ns),
    )
    .max(plan.measure);
    if failed > 0 {
        warnings.push(format!(
            "{failed} of {n} sockets did not join their room: {failures:?}"
        ));
    }
    if stats.lagged_over_warn > 0 {
        warnings.push(format!(
            "connect scheduler fell behind by more than {} ms (max {:.1} ms)",
            LAG_WARN.as_millis(),
            stats.max_lag.as_secs_f64() * 1000.0
        ));
    }
    let h = lock(&shared.connect);
    let histograms = [
        ("connect", &h.connect),
        ("connectFromSchedule", &h.connect_from_schedule),
        ("join", &h.join),
    ]
    .into_iter()
    .map(|(k, h)| (k.to_owned(), dump(h)))
    .collect();
    let report = ConnectReport {
        attempted: stats.fired,
        opened,
        joined,
        failed,
        failures,
        secs: secs_f(secs),
        achieved_rate: round3(opened as f64 / opened_by.as_secs_f64().max(1e-9)),
        connect_ms: LatencySummary::from_histogram(&h.connect),
        connect_from_schedule_ms: LatencySummary::from_histogram(&h.connect_from_schedule),
        join_ms: LatencySummary::from_histogram(&h.join),
        scheduler_lag_ms: round3(stats.max_lag.as_secs_f64() * 1000.0),
        cpu_cores: cpu,
        histograms: Some(histograms),
    };
    Ok((report, senders))
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    k: usize,
    shared: &Arc<Shared>,
    senders: &Arc<Vec<UnboundedSender<Cmd>>>,
    alive: &Arc<Vec<usize>>,
    s: &Settings,
    args: &WsArgs,
    seed: u64,
    warnings: &mut Vec<String>,
) -> anyhow::Result<StepReport> {
    let step = &shared.steps[k];
    let plan = step.plan;
    let stop = Arc::new(AtomicBool::new(false));
    let _stop = StopOnDrop(stop.clone());
    let max_in_flight = args.max_in_flight;
    let fire = {
        let (shared, senders, alive) = (shared.clone(), senders.clone(), alive.clone());
        move |tick: Tick| {
            let step = &shared.steps[k];
            let Some(slot) = step.slots.get(tick.index as usize) else {
                return;
            };
            let in_flight = step
                .dispatched
                .load(Ordering::Acquire)
                .saturating_sub(step.settled.load(Ordering::Acquire));
            if in_flight >= max_in_flight {
                slot.state.store(SLOT_OVERFLOW, Ordering::Release);
                return;
            }
            let h = splitmix64(seed ^ ((k as u64) << 56) ^ tick.index);
            let socket = alive[(h % alive.len() as u64) as usize];
            let room = shared.sockets[socket].room;
            slot.room.store(room, Ordering::Relaxed);
            slot.scheduled_ns
                .store(shared.ns(tick.scheduled), Ordering::Relaxed);
            slot.state.store(SLOT_SENT, Ordering::Release);
            step.dispatched.fetch_add(1, Ordering::AcqRel);
            step.expected.fetch_add(
                u64::from(shared.rooms[room as usize].joined.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
            let cmd = Cmd::Send {
                step: k as u32,
                index: tick.index,
            };
            if senders[socket].send(cmd).is_err() {
                shared.fail_send(k as u32, tick.index);
            }
        }
    };
    let start = Instant::now() + Duration::from_millis(20);
    let finished = schedule::spawn(start, plan, stop.clone(), fire)?;
    tokio::time::sleep_until((start + plan.warmup).into()).await;
    let deliveries0 = shared.c.deliveries.load(Ordering::Relaxed);
    let acks0 = shared.c.acks.load(Ordering::Relaxed);
    let cpu0 = read_cpu(args.server_pid);
    let measure_started = Instant::now();
    let stats = finished
        .await
        .map_err(|_| anyhow!("scheduler thread died"))?;
    let wall = measure_started.elapsed();
    let deliveries = shared.c.deliveries.load(Ordering::Relaxed) - deliveries0;
    let acks = shared.c.acks.load(Ordering::Relaxed) - acks0;
    let cpu = cpu_between(cpu0, read_cpu(args.server_pid), wall);

    // Drain: wait for the acks and deliveries still on their way.
    let deadline = Instant::now() + s.drain;
    while Instant::now() < deadline {
        let settled =
            step.settled.load(Ordering::Acquire) >= step.dispatched.load(Ordering::Acquire);
        let delivered =
            step.delivered.load(Ordering::Acquire) >= step.expected.load(Ordering::Acquire);
        if settled && delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let fired = (stats.fired as usize).min(step.slots.len());
    let first = (step.first_measured as usize).min(fired);
    let (mut overflow, mut acked, mut failed, mut unacked) = (0u64, 0u64, 0u64, 0u64);
    let (mut expected, mut delivered) = (0u64, 0u64);
    for slot in &step.slots[first..fired] {
        let state = slot.state.load(Ordering::Acquire);
        match state {
            SLOT_OVERFLOW => overflow += 1,
            SLOT_ACKED => acked += 1,
            SLOT_FAILED => failed += 1,
            SLOT_SENT => unacked += 1,
            _ => {}
        }
        if state == SLOT_ACKED || state == SLOT_SENT {
            let room = slot.room.load(Ordering::Relaxed) as usize;
            let size = shared.rooms[room].joined.load(Ordering::Relaxed);
            expected += u64::from(size);
            delivered += u64::from(slot.deliveries.load(Ordering::Relaxed).min(size));
        }
    }
    let scheduled = stats.fired_measured;
    let secs = wall.as_secs_f64().max(1e-9);
    let deliveries_per_sec = round3(deliveries as f64 / secs);
    let acks_per_sec = round3(acks as f64 / secs);
    let missing = expected.saturating_sub(delivered);
    let rate = plan.rate_per_sec;
    if stats.lagged_over_warn > 0 {
        warnings.push(format!(
            "step {}: scheduler fell behind by more than {} ms for {} sends (max {:.1} ms); the \
             generator was saturated",
            k + 1,
            LAG_WARN.as_millis(),
            stats.lagged_over_warn,
            stats.max_lag.as_secs_f64() * 1000.0
        ));
    }
    if unacked + failed + overflow > 0 {
        warnings.push(format!(
            "step {}: of {scheduled} sends {failed} failed, {overflow} overflowed and {unacked} \
             were still unacked {:?} after the last one",
            k + 1,
            s.drain
        ));
    }
    if missing > 0 {
        warnings.push(format!(
            "step {}: {missing} of {expected} deliveries missing {:?} after the last send",
            k + 1,
            s.drain
        ));
    }
    let h = lock(&step.hists);
    let ack_ms = LatencySummary::from_histogram(&h.ack);
    let saturated = acks_per_sec < 0.95 * rate
        || ack_ms.p99 > SATURATED_ACK_P99_MS
        || unacked > 0
        || overflow > 0
        || stats.lagged_over_warn > 0;
    let histograms = [
        ("deliver", &h.deliver),
        ("deliverFromWrite", &h.deliver_from_write),
        ("ack", &h.ack),
    ]
    .into_iter()
    .map(|(k, h)| (k.to_owned(), dump(h)))
    .collect();
    Ok(StepReport {
        target_rate: rate,
        duration_secs: plan.measure.as_secs_f64(),
        warmup_secs: plan.warmup.as_secs_f64(),
        scheduled,
        overflow,
        sent: scheduled - overflow,
        acked,
        failed,
        unacked,
        expected_deliveries: expected,
        delivered,
        missing_deliveries: missing,
        deliveries_per_sec,
        acks_per_sec,
        deliver_ms: LatencySummary::from_histogram(&h.deliver),
        deliver_from_write_ms: LatencySummary::from_histogram(&h.deliver_from_write),
        ack_ms,
        scheduler_lag_ms: round3(stats.max_lag.as_secs_f64() * 1000.0),
        cpu_cores: cpu,
        saturated,
        histograms: Some(histograms),
    })
}

fn errors_report(shared: &Shared) -> ErrorsReport {
    ErrorsReport {
        error_frames: lock(&shared.error_codes).clone(),
        closes: lock(&shared.closes).clone(),
        reset_required: shared.c.reset_required.load(Ordering::Relaxed),
        unknown_messages: shared.c.unknown_messages.load(Ordering::Relaxed),
        unreadable_frames: shared.c.unreadable.load(Ordering::Relaxed),
    }
}

fn violations(shared: &Shared) -> Violations {
    let start_gaps = shared
        .sockets
        .iter()
        .filter(|s| {
            let first = s.first_seq.load(Ordering::Relaxed);
            let acked = shared.rooms[s.room as usize]
                .first_acked_seq
                .load(Ordering::Relaxed);
            first != NO_SEQ && acked != i64::MAX && first > acked
        })
        .count() as u64;
    let c = &shared.c;
    Violations {
        out_of_order: c.out_of_order.load(Ordering::Relaxed),
        gaps: c.gaps.load(Ordering::Relaxed),
        start_gaps,
        duplicates: c.duplicates.load(Ordering::Relaxed),
        wrong_room: c.wrong_room.load(Ordering::Relaxed),
        duplicate_acks: c.duplicate_acks.load(Ordering::Relaxed),
        total: 0,
    }
}

fn frames_by_type(shared: &Shared) -> BTreeMap<String, u64> {
    FRAME_TYPES
        .iter()
        .zip(&shared.c.frames)
        .map(|(t, n)| ((*t).to_owned(), n.load(Ordering::Relaxed)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn finish_warnings(report: &mut WsReport, shared: &Shared) {
    if report.debug_build {
        report.warnings.push(
            "bench built without optimisations; build with --release for real measurements".into(),
        );
    }
    let v = &report.violations;
    let total =
        v.out_of_order + v.gaps + v.start_gaps + v.duplicates + v.wrong_room + v.duplicate_acks;
    if total > 0 {
        report
            .warnings
            .push(format!("{total} delivery-order violations: {v:?}"));
    }
    let e = &report.errors;
    if !e.error_frames.is_empty() || !e.closes.is_empty() || e.reset_required > 0 {
        report.warnings.push(format!(
            "server errors: error frames {:?}, unexpected closes {:?}, reset_required {}",
            e.error_frames, e.closes, e.reset_required
        ));
        for sample in lock(&shared.samples).iter() {
            report.warnings.push(format!("e.g. {sample}"));
        }
    }
    if report.config.procs > 1 {
        report.warnings.push(report::PER_PROCESS_RSS_NOTE.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn args(url: &str) -> WsArgs {
        WsArgs {
            url: url.into(),
            connections: 10,
            room_size: 5,
            sockets_per_admin: 1,
            connect_rate: 1000.0,
            connect_timeout: 5.0,
            source_addrs: 4,
            rate: vec![20.0],
            duration: 1.0,
            warmup: 0.2,
            drain: 2.0,
            idle_secs: 0.0,
            max_in_flight: 1000,
            setup_concurrency: 4,
            setup_timeout: 10.0,
            admin_email: Some("admin@example.test".into()),
            sso_secret: Some("s".repeat(32)),
            run_id: Some("t1".into()),
            procs: 1,
            shard: 0,
            sync_dir: None,
            server_pid: None,
            out: None,
            histograms: false,
        }
    }

    #[test]
    fn validation() {
        let pw = || Some("pw".to_owned());
        assert!(validate(&args("http://127.0.0.1:1"), pw()).is_ok());
        assert!(validate(&args("http://10.0.0.1:1"), pw()).is_err());
        assert!(validate(&args("http://127.0.0.1:1"), None).is_err());
        let mut a = args("http://127.0.0.1:1");
        a.rate = vec![100.0, 101.0];
        let e = validate(&a, pw()).unwrap_err().to_string();
        assert!(e.contains("per socket"), "{e}");
        a.rate = vec![];
        assert!(validate(&a, pw()).is_err());
        a.rate = vec![10.0, 50.0];
        assert!(validate(&a, pw()).is_ok());
        a.run_id = Some("bad-id".into());
        assert!(validate(&a, pw()).is_err());
        a.run_id = None;
        assert_eq!(validate(&a, pw()).unwrap().run_id.len(), 10);
        a.sso_secret = None;
        assert!(validate(&a, pw()).is_err());
        let mut a = args("http://127.0.0.1:1");
        a.idle_secs = 3601.0;
        assert!(validate(&a, pw()).is_err());
        a.idle_secs = 0.0;
        a.connect_rate = 0.0;
        assert!(validate(&a, pw()).is_err());
    }

    /// A tiny support-chat WebSocket server: `presence` on connect, `joined` after a join, and
    /// for a `message` an `ack` to the sender plus the message (with the next `seq`) to every
    /// socket in the room. With `faulty`, every 10th message skips the room's last socket and
    /// is sent twice to its first.
    async fn fake_ws_server(faulty: bool) -> SocketAddr {
        use futures_util::{SinkExt, StreamExt};
        use std::collections::HashMap;
        use std::sync::Mutex;
        use tokio_tungstenite::tungstenite::Message;
        type Tx = tokio::sync::mpsc::UnboundedSender<String>;
        #[derive(Default)]
        struct Rooms {
            members: HashMap<i64, Vec<Tx>>,
            seq: HashMap<i64, i64>,
            total: u64,
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let rooms = Arc::new(Mutex::new(Rooms::default()));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let rooms = rooms.clone();
                tokio::spawn(async move {
                    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                        return;
                    };
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
                    let _ = tx.send(r#"{"type":"presence","data":{"adminIds":[1,2]}}"#.into());
                    loop {
                        tokio::select! {
                            out = rx.recv() => {
                                let Some(out) = out else { return };
                                if ws.send(Message::text(out)).await.is_err() {
                                    return;
                                }
                            }
                            frame = ws.next() => {
                                let Some(Ok(Message::Text(t))) = frame else {
                                    if matches!(frame, Some(Ok(_))) { continue; }
                                    return;
                                };
                                let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                                let c = v["conversationId"].as_i64().unwrap_or(0);
                                match v["type"].as_str() {
                                    Some("join_conversation") => {
                                        rooms.lock().unwrap().members.entry(c).or_default().push(tx.clone());
                                        let _ = tx.send(format!(r#"{{"type":"joined","conversationId":{c},"data":{{"lastMessageId":0}}}}"#));
                                    }
                                    Some("message") => {
                                        let cmid = v["data"]["clientMessageId"].as_str().unwrap().to_owned();
                                        let mut r = rooms.lock().unwrap();
                                        r.total += 1;
                                        let fault = faulty && r.total % 10 == 0;
                                        let seq = {
                                            let s = r.seq.entry(c).or_insert(1);
                                            *s += 1;
                                            *s
                                        };
                                        let _ = tx.send(format!(r#"{{"type":"ack","conversationId":{c},"data":{{"clientMessageId":"{cmid}","messageId":{seq},"seq":{seq}}}}}"#));
                                        let frame = format!(r#"{{"type":"message","conversationId":{c},"data":{{"id":{seq},"conversationId":{c},"seq":{seq},"senderId":1,"senderType":"user","senderName":"B","content":"x","messageType":"text","createdAt":"2026-01-01T00:00:00Z","readAt":null,"clientMessageId":"{cmid}"}}}}"#);
                                        let members = &r.members[&c];
                                        for (i, m) in members.iter().enumerate() {
                                            if fault && i == members.len() - 1 {
                                                continue;
                                            }
                                            let _ = m.send(frame.clone());
                                            if fault && i == 0 {
                                                let _ = m.send(frame.clone());
                                            }
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    fn fixture(connections: usize) -> Fixture {
        let layout = Layout::new(connections, 5, 1).unwrap();
        let account = |i: usize| setup::Account {
            user_id: i as i64,
            token: format!("tok{i}").into(),
        };
        Fixture {
            layout,
            owners: (0..layout.rooms).map(account).collect(),
            admins: (0..layout.admin_accounts).map(account).collect(),
            conversations: (0..layout.rooms).map(|r| 100 + r as i64).collect(),
        }
    }

    async fn drive_fake(faulty: bool) -> WsReport {
        let server = fake_ws_server(faulty).await;
        let mut a = args(&format!("http://{server}"));
        a.connections = 40;
        a.rate = vec![100.0, 200.0];
        a.warmup = 0.2;
        a.duration = 1.0;
        a.drain = 1.0;
        a.idle_secs = 0.3;
        let s = validate(&a, Some("pw".into())).unwrap();
        let report = drive(
            &a,
            &s,
            &PhaseSync::new(None, 1, 0).unwrap(),
            server,
            fixture(40),
            SetupReport::default(),
        )
        .await
        .unwrap();
        eprintln!("{}", serde_json::to_string_pretty(&report).unwrap());
        report
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn full_run_against_a_fake_server() {
        let r = drive_fake(false).await;
        assert_eq!(r.connect.attempted, 40);
        assert_eq!(r.connect.joined, 40, "{:?}", r.connect.failures);
        assert!(r.connect.connect_ms.p50 > 0.0);
        assert_eq!(r.idle.as_ref().unwrap().open_at_end, 40);
        assert_eq!(r.steps.len(), 2);
        for (step, rate) in r.steps.iter().zip([100.0, 200.0]) {
            assert_eq!(step.scheduled, rate as u64, "{step:?}");
            assert_eq!(step.acked, step.sent);
            assert_eq!(step.expected_deliveries, 5 * step.sent);
            assert_eq!(step.delivered, step.expected_deliveries);
            assert_eq!(step.missing_deliveries, 0);
            assert!(!step.saturated, "{step:?}");
            assert!(step.deliver_ms.p50 > 0.0 && step.deliver_ms.p99 < 100.0);
            assert!(step.ack_ms.p50 > 0.0);
            // 5 deliveries per send over the measured window
            assert!(
                (step.deliveries_per_sec / (5.0 * rate) - 1.0).abs() < 0.2,
                "{step:?}"
            );
        }
        assert_eq!(r.violations.total, 0, "{:?}", r.violations);
        assert_eq!(r.errors, ErrorsReport::default());
        assert_eq!(r.frames_by_type["presence"], 40);
        assert_eq!(r.frames_by_type["joined"], 40);
        assert_eq!(r.saturation.first_saturated_rate, None);
        assert!(r.steps[0].histograms.is_some(), "kept until printing");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn missing_and_repeated_deliveries_are_reported() {
        let r = drive_fake(true).await;
        let missing: u64 = r.steps.iter().map(|s| s.missing_deliveries).sum();
        let sent: u64 = r.steps.iter().map(|s| s.sent).sum();
        // every 10th send (warm-up included) misses one socket
        assert!(
            missing >= sent / 10 - 2 && missing <= sent / 10 + 8,
            "{missing} of {sent}"
        );
        assert!(
            r.violations.out_of_order >= missing - 8,
            "{:?}",
            r.violations
        );
        assert!(r.violations.gaps > 0, "{:?}", r.violations);
        assert!(r.steps.iter().all(|s| s.acked == s.sent));
        assert!(r.warnings.iter().any(|w| w.contains("violations")));
    }

    #[tokio::test]
    async fn refuses_non_loopback_before_any_traffic() {
        let err = run(args("http://192.0.2.1:8080")).await.unwrap_err();
        assert!(err.to_string().contains("not loopback"), "{err}");
    }
}
