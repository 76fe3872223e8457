//! Quarterdeck's benchmark. `bench run` seeds moto with three accounts of N services each (for
//! every N asked), starts the release build against it and measures what SPEC §9 sets targets
//! for: warm page latency and throughput with the AWS calls made meanwhile, the cold first
//! inventory against a bare-SDK floor run on the same moto, AWS calls per refresh cycle, growth
//! from the smaller N to the larger, static weight and memory, and how long a fired alarm takes
//! to reach an open page as a live event. It prints one table and writes it, with the machine it
//! ran on, as Markdown. `bench floor` is the floor program itself (run by `bench run` as its
//! own process).

mod args;
mod aws;
mod console;
mod floor;
mod load;
mod report;
mod run;
mod seed;

use anyhow::Result;
use args::RunArgs;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Quarterdeck's benchmark (see docs/benchmarks.md)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of its largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Seed, measure, print the table and write it as Markdown.
    Run(RunArgs),
    /// The floor: read the seeded estate with the fewest calls; prints JSON.
    Floor {
        #[arg(long)]
        moto: String,
    },
    /// Load one page of a running console (to profile it): a closed loop, then the figures.
    Load {
        /// The page, e.g. http://127.0.0.1:3000/
        #[arg(long)]
        url: String,
        /// The session cookie, `qd_session=…`.
        #[arg(long)]
        cookie: String,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Run(args) => runtime.block_on(run::run(args)),
        Command::Load {
            url,
            cookie,
            concurrency,
            seconds,
        } => runtime.block_on(async {
            let t = load::closed_loop(
                &url,
                &cookie,
                concurrency,
                std::time::Duration::from_secs(seconds),
            )
            .await?;
            println!(
                "{} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                t.requests, t.per_second, t.latency.p50, t.latency.p99, t.latency.max
            );
            Ok(())
        }),
        Command::Floor { moto } => runtime.block_on(async {
            let (read, calls) = floor::run(&moto).await?;
            println!(
                "{}",
                serde_json::json!({
                    "calls": calls,
                    "services": read.services,
                    "task_definitions": read.task_definitions,
                    "databases": read.databases,
                    "alarms": read.alarms,
                })
            );
            Ok(())
        }),
    }
}
