//! The `quarterdeck` command: `serve`, `check-config`, `migrate` and `healthcheck` (for container
//! health checks on images without curl).

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::config::{Settings, CONFIG_PATH_VAR};
use std::path::PathBuf;
use std::process::ExitCode;

/// A page view allocates a great deal (the HTML, the view model, its JSON for hydration):
/// mimalloc spends far less time on that than the system allocator, measured by the benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "quarterdeck",
    version,
    about = "Operations console for AWS environments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console.
    Serve(ConfigArg),
    /// Validate the configuration and print a summary.
    CheckConfig(ConfigArg),
    /// Apply database migrations (as the database owner) and exit; with
    /// `server.database_app_role`, also grant that role what `serve` needs.
    Migrate(ConfigArg),
    /// Print the IAM policies the configuration needs (JSON): the console's own role's, and per
    /// environment its role's trust, read and action policies, scoped as narrowly as AWS allows.
    IamPolicy {
        #[command(flatten)]
        config: ConfigArg,
        /// The role the console runs as (its ECS task role), trusted by each environment's role.
        #[arg(long)]
        console_role: String,
    },
    /// Ask a running console's `/healthz` (exit 0 when it answers 200), for container health
    /// checks.
    Healthcheck {
        /// Where the console listens.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: std::net::SocketAddr,
    },
}

/// One `GET /healthz` over plain HTTP/1.0 with a short timeout.
fn healthcheck(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let timeout = std::time::Duration::from_secs(3);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut answer = String::new();
    stream.take(4096).read_to_string(&mut answer)?;
    let status = answer.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        anyhow::bail!("{addr}/healthz answered {status:?}")
    }
}

#[derive(clap::Args)]
struct ConfigArg {
    /// Path to the TOML config file (or set QD_CONFIG). Without one, the whole configuration
    /// comes from `QD_…` environment variables.
    #[arg(long, short, env = CONFIG_PATH_VAR)]
    config: Option<PathBuf>,
}

fn load(arg: &ConfigArg) -> anyhow::Result<Settings> {
    match &arg.config {
        Some(path) => Settings::load(path, std::env::vars()),
        None => Settings::from_env(std::env::vars()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "listening for ctrl-c");
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => tracing::error!(error = %e, "listening for SIGTERM"),
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Healthcheck { addr } => healthcheck(addr),
        Command::CheckConfig(arg) => {
            let settings = load(&arg)?;
            print!("{}", settings.summary());
            println!("config OK");
            Ok(())
        }
        Command::IamPolicy {
            config,
            console_role,
        } => {
            let ok = console_role.starts_with("arn:")
                && console_role.contains(":role/")
                && server::config::account_from_arn(&console_role).is_some();
            if !ok {
                anyhow::bail!("--console-role: {console_role:?} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)");
            }
            let settings = load(&config)?;
            let doc = server::iam::policies(&settings, &console_role);
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(())
        }
        Command::Migrate(arg) => {
            let settings = load(&arg)?;
            server::telemetry::init(settings.server.log_format);
            let pool = server::store::connect(&settings.server.database_url).await?;
            server::store::migrate(&pool).await?;
            server::auth::sessions::SqlSessions::open(
                &settings.server.database_url,
                true,
                std::sync::Arc::new(server::store::SqlSessionOwners::new(pool.clone())),
            )
            .await?;
            println!(
                "migrations applied to {}",
                server::store::redact(&settings.server.database_url)
            );
            if let Some(role) = &settings.server.database_app_role {
                server::store::privileges::grant_serving_role(&pool, role).await?;
                println!("privileges granted to the serving role {role}");
            }
            Ok(())
        }
        Command::Serve(arg) => {
            let settings = load(&arg)?;
            server::telemetry::init(settings.server.log_format);
            let app = server::startup::Application::build(settings)
                .await
                .context("starting the console")?;
            app.run(shutdown_signal()).await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
