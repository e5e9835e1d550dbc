#![forbid(unsafe_code)]
//! The `support-chat` binary: `serve` (the default), `migrate`, `admin create`, `openapi`,
//! `kb import`, `assistant eval`.
//! Settings come from flags, then environment variables, then an optional `support-chat.toml`.

#[cfg(target_os = "linux")]
mod files;
mod kb;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;
use support_chat_domain::{Email, Password, PersonName, Role};
use support_chat_server::assistant::llm::{Llm, LlmConfig};
use support_chat_server::{AppState, ServerConfig};
use support_chat_store::{Store, StoreOptions};

/// mimalloc hands freed memory back to the system promptly; with glibc's per-thread arenas,
/// the 19 MiB Argon2 buffers of a burst of sign-ins stayed resident for good. It is built with
/// `no_thp`: transparent huge pages made the heap grow in 2 MiB steps (37 MB resident right
/// after start instead of 23 MB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "support-chat",
    version,
    about = "Self-hostable customer-support chat server"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage admin accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the OpenAPI 3.1 document of the REST API.
    Openapi,
    /// Knowledge-base tools.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// AI assistant tools.
    Assistant {
        #[command(subcommand)]
        command: AssistantCommand,
    },
}

#[derive(Subcommand)]
enum AssistantCommand {
    /// Score the hand-off decision on a labelled JSON Lines file (no LLM, no database):
    /// prints precision, recall and F1 of the hand-off, category and urgency accuracy and
    /// confusion tables.
    Eval {
        /// One example per line: {"messages":[{"role":"user","content":"…"}],"handoff":true,
        /// "category":"billing","urgency":"high"} (optional "note").
        file: PathBuf,
        /// Also list every example the analyzer got wrong.
        #[arg(long)]
        errors: bool,
    },
}

#[derive(Subcommand)]
enum KbCommand {
    /// Load articles from Markdown (front matter `title:`, `slug:`, `tags:`, `published:`, or a
    /// `# Title` line; the file name is the slug) or JSON files (an article or a list of
    /// `{"title","body","slug"?,"tags"?,"published"?}`). PATH is a file or a folder (searched
    /// recursively). Articles with the same slug are updated; one bad file imports nothing.
    Import { path: PathBuf },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account (asks for the password, or reads it with --password-stdin).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Every setting. Each may also be given in `support-chat.toml` under the same name with
/// underscores (e.g. `database_url = "..."`); flags and environment variables win.
#[derive(Args, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Configuration file [default: ./support-chat.toml when it exists].
    #[arg(long, global = true, env = "SUPPORT_CHAT_CONFIG")]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "SUPPORT_CHAT_BIND")]
    bind: Option<String>,
    /// Directory for the SQLite file and uploaded files [default: ./data].
    #[arg(long, global = true, env = "SUPPORT_CHAT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB [default: sqlite://DATA_DIR/support-chat.db].
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The origin browsers use, for Origin checks, cookies and links [default: http://BIND].
    #[arg(long, global = true, env = "SUPPORT_CHAT_PUBLIC_URL")]
    public_url: Option<String>,
    /// Redis for running several nodes: real-time fan-out, shared send limits and admin
    /// presence (redis://HOST:PORT[/DB]). Without it everything stays in this process.
    #[arg(long, global = true, env = "REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// Shared HS256 secret for host-app single sign-on (SSO is off when unset).
    #[arg(
        long,
        global = true,
        env = "SUPPORT_CHAT_SSO_SECRET",
        hide_env_values = true
    )]
    sso_secret: Option<String>,
    /// Messages a user may send per minute; admins get five times as many [default: 30].
    #[arg(long, global = true, env = "SUPPORT_CHAT_MESSAGE_RATE_PER_MINUTE")]
    message_rate_per_minute: Option<u32>,
    /// Messages a user may send in a burst [default: 10].
    #[arg(long, global = true, env = "SUPPORT_CHAT_MESSAGE_BURST")]
    message_burst: Option<u32>,
    /// Sign-in attempts per account per minute; per client address (sign-ins and
    /// registrations together) four times this [default: 10].
    #[arg(long, global = true, env = "SUPPORT_CHAT_LOGIN_RATE_PER_MINUTE")]
    login_rate_per_minute: Option<u32>,
    /// Trust X-Forwarded-For for the client address (only behind your own proxy).
    #[arg(long, global = true, env = "SUPPORT_CHAT_TRUST_FORWARDED_FOR", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    trust_forwarded_for: Option<bool>,
    /// Start fresh installs with every feature flag off (the plan's default).
    #[arg(long, global = true, env = "SUPPORT_CHAT_FEATURES_DEFAULT_OFF", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    features_default_off: Option<bool>,
    /// Database connections to keep at most [default: 16 on PostgreSQL; on SQLite two per CPU
    /// core, from 4 to 16].
    #[arg(long, global = true, env = "SUPPORT_CHAT_DB_MAX_CONNECTIONS")]
    db_max_connections: Option<u32>,
    /// Log format: text or json [default: text]. Verbosity comes from RUST_LOG.
    #[arg(long, global = true, env = "SUPPORT_CHAT_LOG_FORMAT")]
    log_format: Option<String>,
    /// WebSocket: seconds between protocol pings to a quiet socket [default: 25].
    #[arg(long, global = true, env = "SUPPORT_CHAT_WS_PING_SECS")]
    ws_ping_secs: Option<u64>,
    /// WebSocket: seconds of silence (not even a pong) before a socket is dropped [default: 60].
    #[arg(long, global = true, env = "SUPPORT_CHAT_WS_IDLE_TIMEOUT_SECS")]
    ws_idle_timeout_secs: Option<u64>,
    /// WebSocket: frames queued for one socket before it counts as too slow and is closed
    /// [default: 512].
    #[arg(long, global = true, env = "SUPPORT_CHAT_WS_OUTBOX_LIMIT")]
    ws_outbox_limit: Option<usize>,
    /// WebSocket: most messages replayed on join; a client further behind gets
    /// reset_required [default: 500].
    #[arg(long, global = true, env = "SUPPORT_CHAT_WS_MAX_REPLAY")]
    ws_max_replay: Option<i64>,
    /// WebSocket: frames one socket may send per second (three times this in a burst)
    /// [default: 20].
    #[arg(long, global = true, env = "SUPPORT_CHAT_WS_FRAMES_PER_SECOND")]
    ws_frames_per_second: Option<u32>,
    /// The assistant's language model: the base URL of any OpenAI-compatible API, version
    /// included (e.g. http://127.0.0.1:11434/v1 for Ollama). Unset: the built-in offline
    /// answerer only.
    #[arg(long, global = true, env = "SUPPORT_CHAT_LLM_BASE_URL")]
    llm_base_url: Option<String>,
    /// The model name sent to the LLM endpoint (required with --llm-base-url).
    #[arg(long, global = true, env = "SUPPORT_CHAT_LLM_MODEL")]
    llm_model: Option<String>,
    /// API key for the LLM endpoint, sent as a bearer token (never logged).
    #[arg(
        long,
        global = true,
        env = "SUPPORT_CHAT_LLM_API_KEY",
        hide_env_values = true
    )]
    llm_api_key: Option<String>,
    /// LLM: seconds to wait for a reply to start, and for each next piece of it [default: 20].
    #[arg(long, global = true, env = "SUPPORT_CHAT_LLM_TIMEOUT_SECS")]
    llm_timeout_secs: Option<u64>,
    /// LLM: extra attempts when a request fails before the answer starts [default: 2].
    #[arg(long, global = true, env = "SUPPORT_CHAT_LLM_RETRIES")]
    llm_retries: Option<u32>,
    /// LLM: requests to the model at once from this process; more wait their turn up to the
    /// timeout, then get the built-in answer [default: 8].
    #[arg(long, global = true, env = "SUPPORT_CHAT_LLM_MAX_CONCURRENT")]
    llm_max_concurrent: Option<usize>,
    /// First admin's email, created at start when there is no admin yet; the password comes
    /// from the SUPPORT_CHAT_ADMIN_PASSWORD environment variable (never a flag, so it stays out
    /// of the process list).
    #[arg(long, global = true, env = "SUPPORT_CHAT_ADMIN_EMAIL")]
    admin_email: Option<String>,
}

impl Settings {
    /// Fills every unset value from the TOML file.
    fn merge_file(mut self) -> anyhow::Result<Self> {
        let explicit = self.config.clone();
        let path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("support-chat.toml"));
        if !path.exists() {
            if explicit.is_some() {
                bail!("configuration file {} does not exist", path.display());
            }
            return Ok(self);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let file: Settings = toml::from_str(&text)
            .with_context(|| format!("invalid configuration in {}", path.display()))?;
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = file.$f; } )* };
        }
        fill!(
            bind,
            data_dir,
            database_url,
            public_url,
            redis_url,
            sso_secret,
            message_rate_per_minute,
            message_burst,
            login_rate_per_minute,
            trust_forwarded_for,
            features_default_off,
            db_max_connections,
            log_format,
            ws_ping_secs,
            ws_idle_timeout_secs,
            ws_outbox_limit,
            ws_max_replay,
            ws_frames_per_second,
            llm_base_url,
            llm_model,
            llm_api_key,
            llm_timeout_secs,
            llm_retries,
            llm_max_concurrent,
            admin_email
        );
        Ok(self)
    }

    fn bind(&self) -> String {
        self.bind.clone().unwrap_or_else(|| "127.0.0.1:8080".into())
    }

    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir().join("support-chat.db").display()
            )
        })
    }

    fn server_config(&self) -> anyhow::Result<ServerConfig> {
        let d = ServerConfig::default();
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind()));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("--public-url must start with http:// or https:// (got '{public_url}')");
        }
        if self.sso_secret.as_ref().is_some_and(|s| s.len() < 32) {
            bail!("--sso-secret must be at least 32 characters");
        }
        let rt = support_chat_server::realtime::RealtimeConfig::default();
        let ping = self
            .ws_ping_secs
            .map_or(rt.ping_interval, Duration::from_secs);
        let idle = self
            .ws_idle_timeout_secs
            .map_or(rt.idle_timeout, Duration::from_secs);
        if ping.is_zero() || idle <= ping {
            bail!("--ws-idle-timeout-secs must be longer than --ws-ping-secs, and both above 0");
        }
        let frames = self
            .ws_frames_per_second
            .unwrap_or(rt.frames_per_second)
            .max(1);
        let realtime = support_chat_server::realtime::RealtimeConfig {
            ping_interval: ping,
            idle_timeout: idle,
            outbox_limit: self.ws_outbox_limit.unwrap_or(rt.outbox_limit).max(16),
            max_replay: self
                .ws_max_replay
                .unwrap_or(rt.max_replay)
                .clamp(1, 100_000),
            frames_per_second: frames,
            frame_burst: frames.saturating_mul(3),
            ..rt
        };
        Ok(ServerConfig {
            llm: self.llm_config()?,
            public_url: public_url.trim_end_matches('/').to_owned(),
            trust_forwarded_for: self.trust_forwarded_for.unwrap_or(false),
            sso_secret: self.sso_secret.clone(),
            message_rate_per_minute: self
                .message_rate_per_minute
                .unwrap_or(d.message_rate_per_minute)
                .max(1),
            message_burst: self.message_burst.unwrap_or(d.message_burst).max(1),
            login_attempts_per_minute: self
                .login_rate_per_minute
                .unwrap_or(d.login_attempts_per_minute)
                .max(1),
            realtime,
            ..d
        })
    }

    /// The language model settings, checked (`None` without a base URL).
    fn llm_config(&self) -> anyhow::Result<Option<LlmConfig>> {
        let Some(base_url) = self.llm_base_url.clone().filter(|u| !u.trim().is_empty()) else {
            if self.llm_model.is_some() || self.llm_api_key.is_some() {
                bail!(
                    "--llm-model and --llm-api-key need --llm-base-url (SUPPORT_CHAT_LLM_BASE_URL)"
                );
            }
            return Ok(None);
        };
        let Some(model) = self.llm_model.clone() else {
            bail!("--llm-base-url needs --llm-model (SUPPORT_CHAT_LLM_MODEL): the model to ask");
        };
        let mut config = LlmConfig::new(base_url, model);
        config.api_key = self.llm_api_key.clone().filter(|k| !k.is_empty());
        if let Some(secs) = self.llm_timeout_secs {
            if !(1..=600).contains(&secs) {
                bail!("--llm-timeout-secs must be between 1 and 600 (got {secs})");
            }
            config.request_timeout = Duration::from_secs(secs);
            config.stall_timeout = Duration::from_secs(secs);
            config.total_timeout = config.total_timeout.max(Duration::from_secs(secs * 3));
        }
        if let Some(retries) = self.llm_retries {
            config.retries = retries.min(5);
        }
        if let Some(n) = self.llm_max_concurrent {
            if !(1..=1024).contains(&n) {
                bail!("--llm-max-concurrent must be between 1 and 1024 (got {n})");
            }
            config.max_concurrent = n;
        }
        // The same checks the server makes, so a bad value stops `serve` with a clear message.
        Llm::new(config.clone()).map_err(|e| anyhow::anyhow!(e))?;
        Ok(Some(config))
    }

    async fn store(&self) -> anyhow::Result<Store> {
        let url = self.database_url();
        let opts = StoreOptions {
            max_connections: self.db_max_connections.map(|n| n.max(1)),
            ..StoreOptions::default()
        };
        Store::connect(&url, &opts)
            .await
            .context("opening the database")
    }
}

fn init_logs(format: Option<&str>) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format.unwrap_or("text") {
        "json" => builder.json().flatten_event(true).init(),
        "text" => builder.init(),
        other => bail!("--log-format must be text or json (got '{other}')"),
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Pure and offline: needs no settings, database or runtime.
    if let Some(Command::Assistant {
        command: AssistantCommand::Eval { file, errors },
    }) = &cli.command
    {
        return assistant_eval(file, *errors);
    }
    let settings = cli.settings.merge_file()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => write_stdout(&format!(
            "{}\n",
            support_chat_server::openapi_document().to_pretty_json()?
        )),
        Command::Migrate => {
            init_logs(settings.log_format.as_deref())?;
            runtime.block_on(async {
                let store = settings.store().await?;
                store.close().await;
                println!("migrations applied to {}", redact(&settings.database_url()));
                Ok(())
            })
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    name,
                    password_stdin,
                },
        } => {
            let password = read_password(password_stdin)?;
            runtime.block_on(async {
                let store = settings.store().await?;
                let user = create_admin(&store, &email, &name, &password).await?;
                store.close().await;
                println!(
                    "admin {} <{}> created (id {})",
                    user.name, user.email, user.id
                );
                Ok(())
            })
        }
        Command::Kb {
            command: KbCommand::Import { path },
        } => runtime.block_on(async {
            let store = settings.store().await?;
            let outcome = kb::import(&store, &path).await;
            store.close().await;
            outcome
        }),
        Command::Serve => {
            init_logs(settings.log_format.as_deref())?;
            runtime.block_on(serve(settings))
        }
        Command::Assistant { .. } => unreachable!("handled before the settings are read"),
    }
}

/// `support-chat assistant eval FILE`: fails (exit status 1) on an unreadable file or a bad
/// line, naming it.
fn assistant_eval(file: &std::path::Path, errors: bool) -> anyhow::Result<()> {
    use support_chat_assistant::{AnalyzeOptions, eval};
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let examples =
        eval::parse_dataset(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let report = eval::evaluate(&examples, &AnalyzeOptions::default());
    let mut out = format!("{}\n{report}", file.display());
    if errors {
        out.push_str(&format!(
            "\nmistakes ({}):\n{}",
            report.mistakes.len(),
            report.mistakes_text()
        ));
    }
    write_stdout(&out)
}

/// Writes a command's output. A reader that stops early (`| head`) is not an error: the
/// rest is simply not wanted (`println!` would panic on the closed pipe).
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        return Ok(s.trim_end_matches(['\n', '\r']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the password: pass --password-stdin and pipe it in");
    }
    let p = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if p != again {
        bail!("the passwords differ");
    }
    Ok(p)
}

async fn create_admin(
    store: &Store,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<support_chat_store::User> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = PersonName::parse(name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let password = Password::parse(password).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = support_chat_server::auth::hash_password(password.as_str().to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the password: {e:?}"))?;
    store
        .create_user(email.as_str(), name.as_str(), Role::Admin, Some(&hash))
        .await
        .map_err(|e| match e {
            support_chat_store::StoreError::Conflict(_) => {
                anyhow::anyhow!("an account with email {} already exists", email.as_str())
            }
            other => anyhow::anyhow!(other),
        })
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s && url[s + 3..at].contains(':') => {
            let user = url[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let config = settings.server_config()?;
    std::fs::create_dir_all(settings.data_dir()).with_context(|| {
        format!(
            "creating the data directory {}",
            settings.data_dir().display()
        )
    })?;
    let store = settings.store().await?;
    store
        .ensure_default_flags(!settings.features_default_off.unwrap_or(false))
        .await?;
    if support_chat_server::assistant::seed_starter_articles(&store).await? {
        tracing::info!("added the starter knowledge-base articles");
    }
    if store.count_admins().await? == 0 {
        let password = std::env::var("SUPPORT_CHAT_ADMIN_PASSWORD").ok();
        match (&settings.admin_email, &password) {
            (Some(email), Some(password)) => {
                let name = email.split('@').next().unwrap_or("Admin").to_owned();
                let user = create_admin(&store, email, &name, password).await?;
                tracing::info!(user.id = %user.id, "first admin created from SUPPORT_CHAT_ADMIN_EMAIL");
            }
            (Some(_), None) => {
                bail!("SUPPORT_CHAT_ADMIN_EMAIL is set but SUPPORT_CHAT_ADMIN_PASSWORD is not")
            }
            _ => {}
        }
    }
    let bind = settings.bind();
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("listening on {bind}"))?;
    let addr = listener.local_addr()?;
    #[cfg(target_os = "linux")]
    {
        let open_files = files::prepare(&listener);
        tracing::info!(
            limit = open_files.limit,
            raised_from = open_files.raised_from,
            table = open_files.table,
            "open-file limit and descriptor table set"
        );
    }
    let has_admin = store.count_admins().await? > 0;
    println!(
        "support-chat {} listening on http://{addr} (public URL {})",
        env!("CARGO_PKG_VERSION"),
        config.public_url
    );
    println!("database: {}", redact(&settings.database_url()));
    if has_admin {
        println!(
            "sign in at {}/login with your admin account",
            config.public_url
        );
    } else {
        println!(
            "no admin yet: run `support-chat admin create --email you@example.com --name You`, \
             or start with SUPPORT_CHAT_ADMIN_EMAIL and SUPPORT_CHAT_ADMIN_PASSWORD; \
             end users register at {}/register",
            config.public_url
        );
    }
    let redis = match &settings.redis_url {
        Some(url) => {
            let r = support_chat_server::realtime::broker::Redis::connect(url)
                .await
                .context("connecting to REDIS_URL")?;
            tracing::info!(redis = %redact(url), "real-time fan-out and shared limits through redis");
            Some(r)
        }
        None => None,
    };
    let state = AppState::with_redis(store.clone(), config, redis);
    support_chat_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("shutting down: closing the database");
    tokio::time::timeout(Duration::from_secs(5), store.close())
        .await
        .ok();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; draining connections");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_printed_urls() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/chat"),
            "postgres://app:***@db:5432/chat"
        );
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
        assert_eq!(redact("postgres://app@db/chat"), "postgres://app@db/chat");
    }

    #[test]
    fn the_help_documents_every_setting() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        for env in [
            "SUPPORT_CHAT_BIND",
            "SUPPORT_CHAT_DATA_DIR",
            "DATABASE_URL",
            "SUPPORT_CHAT_PUBLIC_URL",
            "REDIS_URL",
            "SUPPORT_CHAT_SSO_SECRET",
            "SUPPORT_CHAT_MESSAGE_RATE_PER_MINUTE",
            "SUPPORT_CHAT_ADMIN_EMAIL",
            "SUPPORT_CHAT_FEATURES_DEFAULT_OFF",
            "SUPPORT_CHAT_LOG_FORMAT",
        ] {
            assert!(help.contains(env), "--help does not mention {env}");
        }
    }

    #[test]
    fn switches_work_bare_or_with_a_value() {
        let cli = Cli::try_parse_from(["support-chat", "--features-default-off", "serve"]).unwrap();
        assert_eq!(cli.settings.features_default_off, Some(true));
        let cli = Cli::try_parse_from(["support-chat", "--trust-forwarded-for=false"]).unwrap();
        assert_eq!(cli.settings.trust_forwarded_for, Some(false));
    }

    #[test]
    fn unknown_keys_in_the_config_file_are_refused() {
        assert!(toml::from_str::<Settings>("bind = \"0.0.0.0:1\"\n").is_ok());
        let err = toml::from_str::<Settings>("bnid = \"x\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("bnid"), "{err}");
    }
}
