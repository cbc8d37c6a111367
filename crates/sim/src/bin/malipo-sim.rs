//! `malipo-sim`: runs the provider simulators on loopback ports until Ctrl-C.
//!
//! ```text
//! cargo run -p malipo-sim -- --daraja-port 18080 --paystack-port 18081 --clickpesa-port 18082 --sms-port 18083
//! ```
//!
//! Each simulator has its own `--<name>-port` flag (0 picks a free port; the bound address is
//! logged). To add a simulator: add its port to `Args`, parse the flag in `Args::parse`, and
//! start it in `main` beside the others.

use std::net::{Ipv4Addr, SocketAddr};

use malipo_sim::clickpesa::{ClickPesaSim, ClickPesaSimConfig};
use malipo_sim::daraja::{DarajaSim, SimConfig};
use malipo_sim::paystack::{PaystackSim, PaystackSimConfig, WebhookScript};
use malipo_sim::sms::{SmsSim, SmsSimConfig};
use tokio::net::TcpListener;

const USAGE: &str = "usage: malipo-sim [--daraja-port PORT] [--paystack-port PORT] [--clickpesa-port PORT] [--sms-port PORT]\n\
  --daraja-port PORT   Daraja (M-Pesa) simulator on 127.0.0.1:PORT (default 18080)\n\
  --paystack-port PORT Paystack simulator (default 18081): secret key sk_test_malipo_sim\n\
  --clickpesa-port PORT ClickPesa simulator (default 18082): client id IDmalipoSim, API key sim-clickpesa-api-key\n\
  --sms-port PORT      Africa's Talking SMS simulator (default 18083): username sandbox, apiKey sim-at-api-key\n\
  Credentials: consumer key sim-consumer-key, secret sim-consumer-secret; paybill 174379\n\
  with the sandbox passkey; store 600100 (passkey sim-store-passkey-600100) with till 600200.";

/// Command-line flags.
struct Args {
    daraja_port: u16,
    paystack_port: u16,
    clickpesa_port: u16,
    sms_port: u16,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            daraja_port: 18080,
            paystack_port: 18081,
            clickpesa_port: 18082,
            sms_port: 18083,
        };
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--daraja-port" => {
                    let value = args.next().ok_or("--daraja-port needs a port")?;
                    parsed.daraja_port = value
                        .parse()
                        .map_err(|_| format!("{value:?} is not a port number"))?;
                }
                "--paystack-port" | "--clickpesa-port" | "--sms-port" => {
                    let value = args.next().ok_or(format!("{flag} needs a port"))?;
                    let port = value
                        .parse()
                        .map_err(|_| format!("{value:?} is not a port number"))?;
                    match flag.as_str() {
                        "--paystack-port" => parsed.paystack_port = port,
                        "--clickpesa-port" => parsed.clickpesa_port = port,
                        _ => parsed.sms_port = port,
                    }
                }
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown flag {other:?}")),
            }
        }
        Ok(parsed)
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let (stop_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut servers = tokio::task::JoinSet::new();

    match TcpListener::bind(loopback(args.daraja_port)).await {
        Ok(listener) => {
            let mut stop = stop_tx.subscribe();
            let sim = DarajaSim::new(SimConfig::default());
            servers.spawn(async move {
                malipo_sim::daraja::run(listener, sim, async move {
                    let _ = stop.recv().await;
                })
                .await
            });
        }
        Err(e) => {
            eprintln!("cannot listen on port {}: {e}", args.daraja_port);
            return std::process::ExitCode::FAILURE;
        }
    }

    match TcpListener::bind(loopback(args.paystack_port)).await {
        Ok(listener) => {
            let mut stop = stop_tx.subscribe();
            let sim = PaystackSim::new(PaystackSimConfig {
                secret_key: "sk_test_malipo_sim".into(),
                webhooks: WebhookScript::default(),
            });
            tracing::info!(addr = ?listener.local_addr().ok(), "paystack simulator listening");
            servers.spawn(async move {
                malipo_sim::paystack::run(listener, sim, async move {
                    let _ = stop.recv().await;
                })
                .await
            });
        }
        Err(e) => {
            eprintln!("cannot listen on port {}: {e}", args.paystack_port);
            return std::process::ExitCode::FAILURE;
        }
    }

    match TcpListener::bind(loopback(args.clickpesa_port)).await {
        Ok(listener) => {
            let mut stop = stop_tx.subscribe();
            let sim = ClickPesaSim::new(ClickPesaSimConfig {
                client_id: "IDmalipoSim".into(),
                api_key: "sim-clickpesa-api-key".into(),
                checksum_key: None,
                webhook_url: None,
            });
            tracing::info!(addr = ?listener.local_addr().ok(), "clickpesa simulator listening");
            servers.spawn(async move {
                malipo_sim::clickpesa::run(listener, sim, async move {
                    let _ = stop.recv().await;
                })
                .await
            });
        }
        Err(e) => {
            eprintln!("cannot listen on port {}: {e}", args.clickpesa_port);
            return std::process::ExitCode::FAILURE;
        }
    }

    match TcpListener::bind(loopback(args.sms_port)).await {
        Ok(listener) => {
            let mut stop = stop_tx.subscribe();
            let sim = SmsSim::new(SmsSimConfig::default());
            tracing::info!(addr = ?listener.local_addr().ok(), "africa's talking sms simulator listening");
            servers.spawn(async move {
                malipo_sim::sms::run(listener, sim, async move {
                    let _ = stop.recv().await;
                })
                .await
            });
        }
        Err(e) => {
            eprintln!("cannot listen on port {}: {e}", args.sms_port);
            return std::process::ExitCode::FAILURE;
        }
    }

    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("cannot wait for Ctrl-C; stopping");
    }
    let _ = stop_tx.send(());
    while let Some(done) = servers.join_next().await {
        if let Ok(Err(e)) = done {
            eprintln!("a simulator stopped with an error: {e}");
        }
    }
    std::process::ExitCode::SUCCESS
}
