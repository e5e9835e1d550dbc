//! support-chat load generator.
//!
//! Drives a *loopback* support-chat server with open-loop traffic and prints one
//! JSON report per run. See `bench/README.md`.
#![forbid(unsafe_code)]

mod http;
mod loopback;
mod procfs;
mod report;
mod schedule;
mod ws;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "support-chat-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open-loop load against the HTTP JSON API (list / open / send).
    Http(http::HttpArgs),
    /// Open-loop load over WebSockets (connect, idle, send→deliver, saturation).
    Ws(ws::WsArgs),
    /// Merges the `ws --histograms` reports of the processes of one run into one report.
    WsMerge(ws::MergeArgs),
}

/// A reqwest client builder that works however the workspace was built: built together with
/// the server, reqwest has TLS without a crypto provider and needs one installed first.
pub(crate) fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Http(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("bench-worker")
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(http::run(args))),
        Command::Ws(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("bench-worker")
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(ws::run(args))),
        Command::WsMerge(args) => ws::run_merge(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("support-chat-bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
