//! `hubsel serve`: reads the data as `hubsel run` does, prepares the
//! travel times once, and serves the workbench (crate `hubsel-serve`).

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use hubsel::scenario::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use hubsel_serve::{Scenario, Workbench};

use crate::options::{set_threads, InputArgs};
use crate::Fatal;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Address to listen on. Loopback (127.0.0.1, ::1) by default; any
    /// other address gets a random token, printed, that every request
    /// must carry. `0.0.0.0`: every interface; the addresses colleagues
    /// can open are printed.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// A host name the server also answers to (repeatable), e.g. the
    /// machine's name on the office network: requests naming any other
    /// host are refused (DNS rebinding). `NAME` or `NAME:PORT`.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
    /// Seconds a connection may take to send a request's headers, and may
    /// stay idle between requests, before it is closed.
    #[arg(long, default_value = "10", value_parser = positive_seconds)]
    header_timeout: f64,
    /// Computations run at once (default: the cores); more wait in a
    /// short queue, then get 503 with Retry-After.
    #[arg(long)]
    max_runs: Option<usize>,
    /// Requests that may wait for a computation beyond --max-runs.
    #[arg(long, default_value = "32")]
    queue: usize,
    /// Largest file the "Your data" panel takes, in MB (a zip may unpack to
    /// as much; the session folder holds three times it at most).
    #[arg(long, default_value = "1024", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    max_upload_mb: u64,
    /// Port (0: any free port; the address is printed).
    #[arg(long, default_value = "8300")]
    port: u16,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

pub fn serve(args: &ServeArgs) -> Result<(), Fatal> {
    set_threads(args.threads)?;
    let config = args.input.scenario(None)?;
    let (base, is_default) = match args.input.scenario_path() {
        Some(p) => (
            Scenario {
                text: std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read scenario {}", p.display()))?,
                file: p.display().to_string(),
            },
            false,
        ),
        None => (
            Scenario {
                text: DEFAULT_SCENARIO.to_string(),
                file: DEFAULT_SCENARIO_NAME.to_string(),
            },
            true,
        ),
    };
    let sources = args.input.sources()?;
    let options = args.input.read_options(&config)?;
    eprintln!("hubsel serve: reading the data and preparing the travel times …");
    let inputs = hubsel::io::load(&sources, &options)?;
    let workbench = Arc::new(Workbench::new(inputs, base, is_default)?);
    let token = (!args.host.is_loopback()).then(hubsel_serve::new_token);
    let defaults = hubsel_serve::Options::default();
    let options = hubsel_serve::Options {
        token: token.clone(),
        allow_hosts: args.allow_host.clone(),
        header_timeout: std::time::Duration::from_secs_f64(args.header_timeout),
        max_runs: args.max_runs.unwrap_or(defaults.max_runs).max(1),
        queue: args.queue,
        upload_limits: hubsel_serve::upload::Limits {
            file: args.max_upload_mb << 20,
            session: 3 * (args.max_upload_mb << 20),
            unzipped: args.max_upload_mb << 20,
            ..hubsel_serve::upload::Limits::default()
        },
        ..defaults
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // Computations run on blocking threads, at most `max_runs` at once:
        // no more threads (each keeps its own allocator arena).
        .max_blocking_threads(options.max_runs + 2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let addr = SocketAddr::new(args.host, args.port);
        let listener = hubsel_serve::bind(addr, token.as_deref()).await?;
        let local = listener.local_addr().context("cannot read the address")?;
        // One write: a reader that stops after the first line does not
        // make a later line fail.
        let text = addresses_text(
            local,
            token.as_deref(),
            &args.allow_host,
            &network_addresses(local),
        );
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).ok();
        out.flush().ok();
        drop(out);
        hubsel_serve::serve(listener, workbench, options)
            .await
            .context("the server stopped")?;
        Ok::<(), Fatal>(())
    })
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds in (0, 3600]")),
    }
}

/// The machine's non-loopback addresses a server bound to `local` (all
/// interfaces) is reached at, in order, without duplicates; none for a
/// server bound to one address.
fn network_addresses(local: SocketAddr) -> Vec<IpAddr> {
    if !local.ip().is_unspecified() {
        return Vec::new();
    }
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback() && !i.is_link_local())
        .map(|i| i.ip())
        // 0.0.0.0 is IPv4 only; `::` takes both (dual stack).
        .filter(|ip| local.is_ipv6() || ip.is_ipv4())
        .collect();
    ips.sort();
    ips.dedup();
    ips
}

/// What `hubsel serve` prints: first the address to open on this machine
/// (loopback when bound to every interface), then those colleagues can
/// open: each interface's address and each `--allow-host` name, with the
/// token when there is one.
fn addresses_text(
    local: SocketAddr,
    token: Option<&str>,
    allow: &[String],
    network: &[IpAddr],
) -> String {
    let query = token
        .map(|t| format!("?hubsel_token={t}"))
        .unwrap_or_default();
    let port = local.port();
    let shown = if local.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else {
        local
    };
    let mut text = match token {
        Some(_) => format!("hubsel serve: http://{shown}/{query} (listening on {local}; every request needs this token)\n"),
        None => format!("hubsel serve: http://{shown}/\n"),
    };
    for ip in network {
        let at = SocketAddr::new(*ip, port);
        text.push_str(&format!(
            "hubsel serve: for colleagues: http://{at}/{query}\n"
        ));
    }
    if local.ip().is_unspecified() && network.is_empty() {
        text.push_str("hubsel serve: no network interface address found: colleagues cannot reach this machine\n");
    }
    for name in allow {
        let name = name.trim();
        let host = if name.contains(':') {
            name.to_string()
        } else {
            format!("{name}:{port}")
        };
        text.push_str(&format!(
            "hubsel serve: for colleagues: http://{host}/{query}\n"
        ));
    }
    text
}
