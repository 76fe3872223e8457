//! What `bench run` is told: where moto, the console and its site are, the sizes to seed and
//! how long and hard to load each page.

use clap::Args;
use std::path::PathBuf;

/// What `bench run` measures and where.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The moto server, e.g. http://127.0.0.1:5123 (reset before each size).
    #[arg(long)]
    pub moto: String,
    /// moto's version, for the report.
    #[arg(long, default_value = "unknown")]
    pub moto_version: String,
    /// The console binary (a release build).
    #[arg(long, default_value = "target/release/quarterdeck")]
    pub quarterdeck: PathBuf,
    /// The built site (pkg/ with the wasm, JS and CSS).
    #[arg(long, default_value = "target/site")]
    pub site_root: PathBuf,
    /// Services per environment, one measurement each.
    #[arg(long, value_delimiter = ',', default_value = "200,1000")]
    pub sizes: Vec<usize>,
    /// Connections of the throughput runs.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Length of each throughput run.
    #[arg(long, default_value_t = 8)]
    pub seconds: u64,
    /// Sequential requests per page for the latency figures.
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
    /// Cold starts (and floor runs) per size; the median is reported.
    #[arg(long, default_value_t = 3)]
    pub cold_runs: usize,
    /// Fired alarms timed to the live event, at the largest size.
    #[arg(long, default_value_t = 5)]
    pub alarm_samples: usize,
    /// The alarm poller's interval in the alarm measurement (`incidents.poll_interval`).
    #[arg(long, default_value = "5s")]
    pub poll_interval: String,
    /// A PostgreSQL server (its `postgres` database) on which the replica measurement creates
    /// a fresh database; empty skips that measurement.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres: String,
    /// How long the replicas' AWS calls are counted (one console and two, side by side), after
    /// a warm-up: nine refresh cycles, so that where a window starts and ends in a cycle moves the figure by a few per
    /// cent, not by the 10 % the target allows (one cycle at N = 1000 is about 340 calls).
    #[arg(long, default_value_t = 270)]
    pub replica_seconds: u64,
    /// How long each follower count's AWS calls are counted in the logs measurement.
    #[arg(long, default_value_t = 30)]
    pub follow_seconds: u64,
    /// Where the Markdown report goes.
    #[arg(long, default_value = "docs/benchmarks.md")]
    pub out: PathBuf,
    /// Scratch space: the consoles' configs, databases and logs.
    #[arg(long, default_value = "target/bench")]
    pub work_dir: PathBuf,
}
