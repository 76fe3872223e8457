//! `bench run`: the measurements, size by size, then the alarm path and the static weight.

use crate::args::RunArgs;
use crate::aws::{Account, CallCount};
use crate::console::{free_port, Console, Metrics, Setup};
use crate::load;
use crate::report::{
    self, AlarmResult, FollowResult, ReplicaCounts, ReplicaResult, Report, SizeResult, StaticWeight,
};
use crate::seed::{self, SeededEnv};
use anyhow::{anyhow, bail, Context, Result};
use aws_sdk_cloudwatch::types::StateValue;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn say(text: impl AsRef<str>) {
    eprintln!("bench: {}", text.as_ref());
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The floor, as its own process: (seconds from spawn to exit, calls, services read).
async fn floor_once(moto: &str) -> Result<(f64, f64, u64)> {
    let exe = std::env::current_exe().context("finding the bench binary")?;
    let started = Instant::now();
    let out = tokio::process::Command::new(exe)
        .args(["floor", "--moto", moto])
        .output()
        .await
        .context("running the floor")?;
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "the floor failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let body: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("reading the floor's answer")?;
    Ok((
        secs,
        body["calls"].as_f64().unwrap_or(0.0),
        body["services"].as_u64().unwrap_or(0),
    ))
}

fn setup(args: &RunArgs, name: &str, refresh: &str, poll: &str) -> Result<Setup> {
    Ok(Setup {
        binary: args.quarterdeck.clone(),
        site_root: std::fs::canonicalize(&args.site_root)
            .with_context(|| format!("finding {}", args.site_root.display()))?,
        moto: args.moto.clone(),
        dir: std::path::absolute(args.work_dir.join(name)).context("resolving the work dir")?,
        port: free_port()?,
        refresh_interval: refresh.to_string(),
        poll_interval: poll.to_string(),
        database_url: None,
    })
}

/// Polls `/metrics` until `done` holds, for at most `limit`; `what` names it in the error.
async fn wait_metrics(
    console: &Console,
    what: &str,
    limit: Duration,
    done: impl Fn(&Metrics) -> bool,
) -> Result<()> {
    let started = Instant::now();
    while !done(&console.metrics().await?) {
        if started.elapsed() > limit {
            bail!("{what} did not happen within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Waits for the end of every environment's first details cycle (each has a details age).
async fn wait_details(console: &Console) -> Result<()> {
    wait_metrics(
        console,
        "the details of every environment",
        Duration::from_secs(300),
        |m| {
            m.0.iter()
                .filter(|s| s.name == "quarterdeck_details_age_seconds")
                .count()
                >= crate::aws::ACCOUNTS.len()
        },
    )
    .await
}

fn poll_rounds(m: &Metrics) -> f64 {
    m.sum("quarterdeck_alarm_poll_rounds_total", &[])
}

fn total_calls(m: &Metrics) -> f64 {
    m.sum("quarterdeck_aws_calls_total", &[])
}

fn per_env(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let envs = crate::aws::ACCOUNTS.len() as f64;
    after
        .iter()
        .map(|(op, n)| {
            (
                op.clone(),
                (n - before.get(op).copied().unwrap_or(0.0)) / envs,
            )
        })
        .filter(|(_, n)| *n > 0.0)
        .collect()
}

async fn measure_size(args: &RunArgs, http: &reqwest::Client, n: usize) -> Result<SizeResult> {
    say(format!(
        "N = {n}: resetting and seeding moto (3 accounts × {n} services, {} queues and {} functions)",
        seed::WORK_QUEUES_PER_ENV * 2,
        seed::FUNCTIONS_PER_ENV
    ));
    seed::reset(http, &args.moto).await?;
    let started = Instant::now();
    let count = CallCount::default();
    let accounts = Account::all(&args.moto, &count).await;
    let seeded: Vec<SeededEnv> =
        futures::future::try_join_all(accounts.iter().map(|a| seed::seed_env(a, n))).await?;
    futures::future::try_join_all(accounts.iter().map(seed::seed_queues_and_functions)).await?;
    let seed_secs = started.elapsed().as_secs_f64();
    say(format!(
        "seeded in {seed_secs:.1} s ({} calls)",
        count.get()
    ));

    // The floor once unmeasured: the emulator loads each service's code on first use.
    let (_, _, services) = floor_once(&args.moto).await?;
    if services != (n * crate::aws::ACCOUNTS.len()) as u64 {
        bail!("the floor read {services} services, expected {}", n * 3);
    }
    let mut floor_secs = Vec::new();
    let mut floor_calls = Vec::new();
    let mut cold_secs = Vec::new();
    let mut cold_calls = Vec::new();
    let mut cold_ops = BTreeMap::new();
    let mut console = None;
    for run in 0..args.cold_runs.max(1) {
        let (secs, calls, _) = floor_once(&args.moto).await?;
        floor_secs.push(secs);
        floor_calls.push(calls);
        let setup = setup(args, &format!("n{n}"), "1h", "1h")?;
        let mut c = Console::start(&setup).await?;
        let cold = c.wait_fresh(Duration::from_secs(300)).await?;
        let m = c.metrics().await?;
        let inventory = [("purpose", "inventory")];
        cold_secs.push(cold.as_secs_f64());
        cold_calls.push(m.sum("quarterdeck_aws_calls_total", &inventory));
        cold_ops = m.calls_by_operation(&inventory);
        say(format!(
            "cold run {}: floor {secs:.2} s / {calls} calls, console {:.2} s / {} calls",
            run + 1,
            cold.as_secs_f64(),
            cold_calls[run]
        ));
        if run + 1 < args.cold_runs.max(1) {
            c.stop().await?;
        } else {
            console = Some(c);
        }
    }
    let mut c = console.ok_or_else(|| anyhow!("no console left running"))?;
    c.sign_in().await?;
    // Every environment's details (metric series, tasks, revisions), then the alarm poller's
    // first round: the last start-up work that calls AWS.
    wait_details(&c).await?;
    wait_metrics(
        &c,
        "the alarm poller's first round",
        Duration::from_secs(120),
        |m| poll_rounds(m) >= 1.0,
    )
    .await?;
    let m = c.metrics().await?;
    let details_first = per_env(
        &BTreeMap::new(),
        &m.calls_by_operation(&[("purpose", "details")]),
    );

    // One refresh cycle of every environment, asked for explicitly.
    let before = m.calls_by_operation(&[("purpose", "inventory")]);
    for (env, _) in crate::aws::ACCOUNTS {
        c.call("refresh_environment", &[("env", env)]).await?;
    }
    let m = c.metrics().await?;
    let refresh = per_env(&before, &m.calls_by_operation(&[("purpose", "inventory")]));

    // Warm: nothing in the background is due for an hour.
    let overview = "/";
    let environment = "/envs/prod";
    let drift = "/drift?all=1";
    let overview_bytes = c.get(overview).await?;
    let environment_bytes = c.get(environment).await?;
    let drift_bytes = c.get(drift).await?;
    let calls_before = total_calls(&c.metrics().await?);
    let cookie = c.cookie()?.to_string();
    let url = |path: &str| format!("{}{path}", c.base);
    say("warm: sequential latency");
    let overview_seq = load::sequential(&url(overview), &cookie, args.requests).await?;
    let environment_seq = load::sequential(&url(environment), &cookie, args.requests).await?;
    let drift_seq = load::sequential(&url(drift), &cookie, args.requests).await?;
    say(format!(
        "warm: {} connections for {} s per page",
        args.concurrency, args.seconds
    ));
    let span = Duration::from_secs(args.seconds);
    let overview_tp = load::closed_loop(&url(overview), &cookie, args.concurrency, span).await?;
    let environment_tp =
        load::closed_loop(&url(environment), &cookie, args.concurrency, span).await?;
    let calls_during = total_calls(&c.metrics().await?) - calls_before;
    let rss = c.rss_bytes()?;
    c.stop().await?;
    let details_later = details_cycle(args, n).await?;
    let result = SizeResult {
        n,
        seed_secs,
        floor_secs: median(&mut floor_secs),
        floor_calls: median(&mut floor_calls),
        cold_secs: median(&mut cold_secs),
        cold_calls: median(&mut cold_calls),
        cold_ops: per_env(&BTreeMap::new(), &cold_ops),
        refresh,
        details_first,
        details_later,
        overview_seq,
        environment_seq,
        overview_tp,
        environment_tp,
        overview_bytes,
        environment_bytes,
        drift_seq,
        drift_bytes,
        calls_during_warm: calls_during,
        rss_bytes: rss,
        seeded,
    };
    report::print_size(&result);
    Ok(result)
}

/// Reads the live stream and hands over the arrival time of every new prod incident event.
fn follow_events(resp: reqwest::Response) -> tokio::sync::mpsc::UnboundedReceiver<(Instant, i64)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut resp = resp;
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            let at = Instant::now();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if !block.lines().any(|l| l.trim() == "event: incident") {
                    continue;
                }
                let data = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data:"))
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d.trim()).ok());
                if let Some(data) = data {
                    if data["env"] == "prod" {
                        let _ = tx.send((at, data["id"].as_i64().unwrap_or(0)));
                    }
                }
            }
        }
    });
    rx
}

async fn measure_alarms(args: &RunArgs, seeded: &SeededEnv) -> Result<AlarmResult> {
    let poll = args.poll_interval.as_str();
    let poll_secs = parse_secs(poll)?;
    say(format!(
        "alarm path: poller every {poll}, {} samples",
        args.alarm_samples
    ));
    let setup = setup(args, "alarms", "1h", poll)?;
    let mut c = Console::start(&setup).await?;
    c.wait_fresh(Duration::from_secs(300)).await?;
    c.sign_in().await?;
    // The steady state an operator meets: the first details cycle (thousands of GetMetricData
    // queries that the emulator, one process, answers slowly) is over, so a sample does not
    // time the emulator's queue instead of the poller.
    wait_details(&c).await?;
    // Let the first rounds open the incidents of the alarms already firing.
    wait_metrics(
        &c,
        "two alarm poller rounds",
        Duration::from_secs(120),
        |m| poll_rounds(m) >= 2.0,
    )
    .await?;
    let resp = c
        .http
        .get(format!("{}/events", c.base))
        .header("Cookie", c.cookie()?)
        .timeout(Duration::from_secs(3600))
        .send()
        .await
        .context("opening /events")?;
    if !resp.status().is_success() {
        bail!("/events answered {}", resp.status());
    }
    let mut events = follow_events(resp);
    let count = CallCount::default();
    let prod = Account::connect(&args.moto, "prod", crate::aws::ACCOUNTS[2].1, count).await;
    // Quiet alarms of apps with no incident yet, one per app, so each opens a new incident.
    let mut apps = std::collections::BTreeSet::new();
    for a in seeded.alarms.iter().filter(|a| a.firing) {
        apps.insert(a.app.clone());
    }
    let candidates: Vec<_> = seeded
        .alarms
        .iter()
        .filter(|a| !a.firing && apps.insert(a.app.clone()))
        .take(args.alarm_samples)
        .collect();
    let mut samples = Vec::new();
    let mut newest = 0;
    for (k, alarm) in candidates.iter().enumerate() {
        // Land at different points of the poll cycle.
        let offset = poll_secs * (k as f64 + 0.5) / candidates.len() as f64;
        tokio::time::sleep(Duration::from_secs_f64(2.0 + offset)).await;
        while let Ok((_, id)) = events.try_recv() {
            newest = newest.max(id);
        }
        let fired = Instant::now();
        seed::set_alarm(&prod, &alarm.name, StateValue::Alarm).await?;
        let limit = fired + Duration::from_secs_f64(poll_secs * 3.0 + 10.0);
        let arrived = loop {
            let left = limit.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, events.recv()).await {
                Ok(Some((at, id))) if id > newest => {
                    newest = id;
                    break at;
                }
                Ok(Some(_)) => continue,
                Ok(None) => bail!("the live stream closed"),
                Err(_) => bail!("no incident event for {} within the limit", alarm.name),
            }
        };
        let secs = arrived.duration_since(fired).as_secs_f64();
        say(format!("alarm {}: {secs:.2} s", alarm.name));
        samples.push(secs);
    }
    c.stop().await?;
    Ok(AlarmResult { poll_secs, samples })
}

/// A fresh database on the PostgreSQL server `server` (a URL of its `postgres` database), by
/// psql; answers its URL.
async fn fresh_postgres(server: &str) -> Result<String> {
    let name = format!(
        "qd_bench_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );
    let out = tokio::process::Command::new("psql")
        .arg(server)
        .args(["-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .await
        .context("running psql")?;
    if !out.status.success() {
        bail!(
            "creating a database on {server}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let base = server
        .rsplit_once('/')
        .map(|(base, _)| base)
        .ok_or_else(|| anyhow!("{server} names no database"))?;
    Ok(format!("{base}/{name}"))
}

/// One console's AWS calls and GetMetricData metric queries so far, and whether it leads.
async fn replica_counts(console: &Console) -> Result<ReplicaCounts> {
    let m = console.metrics().await?;
    Ok(ReplicaCounts {
        calls: total_calls(&m),
        metric_queries: m.sum("quarterdeck_aws_metric_queries_total", &[]),
        leads: m.sum("quarterdeck_jobs_leader", &[]) >= 1.0,
        by_purpose: PURPOSES
            .iter()
            .map(|p| {
                let n = m.sum("quarterdeck_aws_calls_total", &[("purpose", p)]);
                (p.to_string(), n)
            })
            .collect(),
    })
}

/// The purposes the console labels its AWS calls with.
const PURPOSES: [&str; 9] = [
    "inventory",
    "details",
    "resource",
    "poller",
    "action",
    "rollout",
    "logs",
    "follow",
    "other",
];

/// Per hour, what each of `consoles` added between `before` and `after`, the leader first.
fn per_hour(before: &[ReplicaCounts], after: &[ReplicaCounts], secs: u64) -> Vec<ReplicaCounts> {
    let scale = 3600.0 / secs as f64;
    let mut out: Vec<ReplicaCounts> = before
        .iter()
        .zip(after)
        .map(|(b, a)| ReplicaCounts {
            calls: (a.calls - b.calls) * scale,
            metric_queries: (a.metric_queries - b.metric_queries) * scale,
            leads: a.leads,
            by_purpose: a
                .by_purpose
                .iter()
                .map(|(p, n)| {
                    let before = b.by_purpose.get(p).copied().unwrap_or(0.0);
                    (p.clone(), (n - before) * scale)
                })
                .filter(|(_, n)| *n > 0.0)
                .collect(),
        })
        .collect();
    out.sort_by_key(|c| !c.leads);
    out
}

/// AWS calls and metric queries per hour of one console alone and of two consoles sharing a
/// database, both groups running at once against the same emulator (each on a fresh PostgreSQL
/// database), so that however fast the emulator answers during the window, it answers both
/// alike; counted over `args.replica_seconds` once every console has settled.
async fn replica_calls(args: &RunArgs) -> Result<(ReplicaCounts, Vec<ReplicaCounts>)> {
    let alone_db = fresh_postgres(&args.postgres).await?;
    let shared_db = fresh_postgres(&args.postgres).await?;
    let mut consoles = Vec::new();
    for (name, database) in [
        ("replicas-1-0", &alone_db),
        ("replicas-2-0", &shared_db),
        ("replicas-2-1", &shared_db),
    ] {
        let mut s = setup(args, name, REPLICA_REFRESH, "30s")?;
        s.database_url = Some(database.clone());
        consoles.push(Console::start(&s).await?);
    }
    for c in &mut consoles {
        c.wait_fresh(Duration::from_secs(600)).await?;
    }
    // Past the start, where each replica may read AWS once before the leader has published.
    tokio::time::sleep(Duration::from_secs(45)).await;
    let mut before = Vec::new();
    for c in &consoles {
        before.push(replica_counts(c).await?);
    }
    tokio::time::sleep(Duration::from_secs(args.replica_seconds)).await;
    let mut after = Vec::new();
    for c in &consoles {
        after.push(replica_counts(c).await?);
    }
    for c in consoles {
        c.stop().await?;
    }
    let alone = per_hour(&before[..1], &after[..1], args.replica_seconds)
        .pop()
        .ok_or_else(|| anyhow!("no console alone"))?;
    let pair = per_hour(&before[1..], &after[1..], args.replica_seconds);
    Ok((alone, pair))
}

/// The details interval of the later-cycle measurement: long enough that one environment's
/// cycle ends well before the next begins.
const DETAILS_EVERY: &str = "30s";

/// The AWS calls of a later details cycle (the second), per environment by operation: what a
/// console spends each cycle once its caches hold (queues' tags, functions' aliases and
/// concurrency, task-definition revisions). A console with details every [`DETAILS_EVERY`];
/// each environment's calls are taken when its first cycle has ended and again when its second
/// has (its `quarterdeck_details_age_seconds` falls back towards zero).
async fn details_cycle(args: &RunArgs, n: usize) -> Result<BTreeMap<String, f64>> {
    say(format!("N = {n}: a later details cycle"));
    let setup = setup(args, &format!("details-{n}"), DETAILS_EVERY, "1h")?;
    let mut c = Console::start(&setup).await?;
    c.wait_fresh(Duration::from_secs(300)).await?;
    let age = |m: &Metrics, env: &str| {
        m.0.iter()
            .find(|s| {
                s.name == "quarterdeck_details_age_seconds"
                    && s.labels.get("env").map(String::as_str) == Some(env)
            })
            .map(|s| s.value)
    };
    let started = Instant::now();
    let mut first: BTreeMap<&str, (f64, BTreeMap<String, f64>)> = BTreeMap::new();
    let mut later: BTreeMap<&str, BTreeMap<String, f64>> = BTreeMap::new();
    while later.len() < crate::aws::ACCOUNTS.len() {
        if started.elapsed() > Duration::from_secs(300) {
            bail!("two details cycles of every environment did not end within 5 minutes");
        }
        let m = c.metrics().await?;
        for (env, _) in crate::aws::ACCOUNTS {
            let Some(now) = age(&m, env) else {
                continue;
            };
            let ops = m.calls_by_operation(&[("purpose", "details"), ("env", env)]);
            match first.get(env) {
                None => {
                    first.insert(env, (now, ops));
                }
                Some((then, before)) if now + 1.0 < *then && !later.contains_key(env) => {
                    later.insert(
                        env,
                        ops.iter()
                            .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0.0)))
                            .filter(|(_, n)| *n > 0.0)
                            .collect(),
                    );
                }
                Some((_, before)) if !later.contains_key(env) => {
                    // Still the first cycle's reading: follow its age upwards.
                    let before = before.clone();
                    first.insert(env, (now, before));
                }
                _ => {}
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    c.stop().await?;
    let envs = crate::aws::ACCOUNTS.len() as f64;
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    for ops in later.values() {
        for (op, n) in ops {
            *total.entry(op.clone()).or_default() += n / envs;
        }
    }
    Ok(total)
}

/// How many browsers follow one service's logs in the logs measurement.
pub const FOLLOWERS: usize = 20;

/// AWS calls per minute (purpose `follow`) while one browser, then [`FOLLOWERS`], follow the
/// same prod service's logs, with a line written into its stream every second.
async fn measure_follow(args: &RunArgs, seeded: &SeededEnv) -> Result<FollowResult> {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    let service = seeded
        .services
        .first()
        .ok_or_else(|| anyhow!("no service to follow"))?
        .clone();
    say(format!(
        "logs: 1 and {FOLLOWERS} browsers following {}/{}",
        service.cluster, service.name
    ));
    let logs = aws_sdk_cloudwatchlogs::Client::new(
        &crate::aws::config(&args.moto, crate::aws::ACCOUNTS[2].1).await,
    );
    let _ = logs
        .create_log_group()
        .log_group_name(seed::LOG_GROUP)
        .send()
        .await;
    let stream = format!("{}/app/0f1e2d3c4b5a6978", service.name);
    let _ = logs
        .create_log_stream()
        .log_group_name(seed::LOG_GROUP)
        .log_stream_name(&stream)
        .send()
        .await;
    let writer = {
        let logs = logs.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                n += 1;
                let event = InputLogEvent::builder()
                    .timestamp(chrono::Utc::now().timestamp_millis())
                    .message(format!("INFO GET /api/orders/{n} 200 12ms"))
                    .build();
                if let Ok(event) = event {
                    let _ = logs
                        .put_log_events()
                        .log_group_name(seed::LOG_GROUP)
                        .log_stream_name(&stream)
                        .log_events(event)
                        .send()
                        .await;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    let setup = setup(args, "follow", "1h", "1h")?;
    let mut c = Console::start(&setup).await?;
    c.wait_fresh(Duration::from_secs(300)).await?;
    c.sign_in().await?;
    let url = format!(
        "{}/envs/prod/services/{}/{}/logs/follow",
        c.base, service.cluster, service.name
    );
    let mut per_minute = Vec::new();
    let mut open = Vec::new();
    for followers in [1, FOLLOWERS] {
        while open.len() < followers {
            let resp = c
                .http
                .get(&url)
                .header("Cookie", c.cookie()?)
                .timeout(Duration::from_secs(3600))
                .send()
                .await
                .context("following logs")?;
            if !resp.status().is_success() {
                bail!("{url} answered {}", resp.status());
            }
            open.push(follow_events(resp));
        }
        // Past the first reads of the new streams.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let before = c
            .metrics()
            .await?
            .sum("quarterdeck_aws_calls_total", &[("purpose", "follow")]);
        tokio::time::sleep(Duration::from_secs(args.follow_seconds)).await;
        let after = c
            .metrics()
            .await?
            .sum("quarterdeck_aws_calls_total", &[("purpose", "follow")]);
        let rate = (after - before) * 60.0 / args.follow_seconds as f64;
        say(format!(
            "{followers} following: {rate:.1} AWS calls per minute"
        ));
        per_minute.push(rate);
    }
    writer.abort();
    drop(open);
    c.stop().await?;
    Ok(FollowResult {
        one: per_minute.first().copied().unwrap_or_default(),
        many: per_minute.last().copied().unwrap_or_default(),
        followers: FOLLOWERS,
    })
}

/// The refresh and details interval of the replica measurement.
const REPLICA_REFRESH: &str = "30s";

/// AWS calls per hour with one console, and with two on one PostgreSQL database, at the
/// largest size (still seeded); `None` when no PostgreSQL server is given.
async fn measure_replicas(args: &RunArgs) -> Result<Option<ReplicaResult>> {
    if args.postgres.is_empty() {
        return Ok(None);
    }
    say("AWS calls per hour: one console alone and two sharing a database, side by side");
    let (one, two) = replica_calls(args).await?;
    let result = ReplicaResult {
        refresh: REPLICA_REFRESH.to_string(),
        one,
        two,
    };
    say(format!(
        "calls per hour: one {:.0}; two {} (leader + follower)",
        result.one.calls,
        result.split_by(|c| c.calls)
    ));
    for (who, counts) in std::iter::once(("alone", &result.one)).chain(
        result
            .two
            .iter()
            .map(|c| (if c.leads { "leader" } else { "follower" }, c)),
    ) {
        let purposes: Vec<String> = counts
            .by_purpose
            .iter()
            .map(|(p, n)| format!("{p} {n:.0}"))
            .collect();
        say(format!(
            "calls per hour by purpose, {who}: {}",
            purposes.join(", ")
        ));
    }
    Ok(Some(result))
}

fn parse_secs(text: &str) -> Result<f64> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: f64 = number
        .parse()
        .with_context(|| format!("reading the interval {text}"))?;
    Ok(match unit {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" => n * 60.0,
        _ => bail!("unknown unit in {text}"),
    })
}

fn static_weight(args: &RunArgs) -> Result<StaticWeight> {
    let pkg = args.site_root.join("pkg");
    let mut weight = StaticWeight::default();
    for entry in std::fs::read_dir(&pkg).with_context(|| format!("listing {}", pkg.display()))? {
        let path = entry.context("listing pkg")?.path();
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let gz = report::gzip_len(&bytes)?;
        let slot = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => &mut weight.wasm,
            Some("css") => &mut weight.css,
            Some("js") => &mut weight.js,
            _ => continue,
        };
        slot.0 += bytes.len() as u64;
        slot.1 += gz;
    }
    Ok(weight)
}

pub async fn run(args: RunArgs) -> Result<()> {
    if !args.quarterdeck.exists() {
        bail!(
            "{} does not exist: build the release first (cargo leptos build --release)",
            args.quarterdeck.display()
        );
    }
    let started = Instant::now();
    let http = reqwest::Client::new();
    let mut sizes = Vec::new();
    for &n in &args.sizes {
        sizes.push(measure_size(&args, &http, n).await?);
    }
    let last = sizes.last().ok_or_else(|| anyhow!("no sizes to measure"))?;
    let alarms = measure_alarms(&args, &last.seeded[2]).await?;
    let follow = measure_follow(&args, &last.seeded[2]).await?;
    let replicas = measure_replicas(&args).await?;
    let report = Report {
        args: args.clone(),
        sizes,
        alarms,
        follow,
        replicas,
        weight: static_weight(&args)?,
        took: started.elapsed(),
        concurrency: args.concurrency,
    };
    let table = report::table(&report);
    println!("{table}");
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, report::markdown(&report)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    say(format!("wrote {}", args.out.display()));
    Ok(())
}
