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
    /// must carry.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let addr = SocketAddr::new(args.host, args.port);
        let listener = hubsel_serve::bind(addr, token.as_deref()).await?;
        let local = listener.local_addr().context("cannot read the address")?;
        let shown = if local.ip().is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local.port())
        } else {
            local
        };
        match &token {
            Some(t) => println!("hubsel serve: http://{shown}/?hubsel_token={t} (listening on {local}; every request needs this token)"),
            None => println!("hubsel serve: http://{shown}/"),
        }
        std::io::stdout().flush().ok();
        hubsel_serve::serve(listener, workbench, token)
            .await
            .context("the server stopped")?;
        Ok::<(), Fatal>(())
    })
}
