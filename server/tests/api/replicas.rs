//! Two console processes (the real binary) on one PostgreSQL database: one runs the jobs; when it
//! is killed outright (no clean shutdown, its lease left to expire) the other takes over the
//! alarm poller and no transition is lost or recorded twice. Runs when the suite runs on
//! PostgreSQL (`QD_TEST_DATABASE=postgres`); on SQLite the in-process tests cover the lease.

use crate::faults::{Fault, FaultProxy};
use crate::helpers::{fresh_postgres_database, moto_url, Account};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Console {
    child: Child,
    base: String,
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(config: &std::path::Path, database: &str) -> Console {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["serve", "--config"])
        .arg(config)
        .env("QD_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("QD_SERVER__DATABASE_URL", database)
        .env_remove("QD_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a console");
    Console {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn metric(console: &Console, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("{}/metrics", console.base))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
}

async fn until(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {limit:?}");
}

/// A config for consoles over `account`'s environment `dev` with the alarm poller every `poll`,
/// and `extra` lines in the environment's table; answers its path.
fn write_config(
    dir: &std::path::Path,
    account: &Account,
    poll: &str,
    extra: &str,
) -> std::path::PathBuf {
    write_config_at(dir, account, &moto_url(), poll, extra)
}

/// As [`write_config`], with AWS at `endpoint` (a proxy in front of moto).
fn write_config_at(
    dir: &std::path::Path,
    account: &Account,
    endpoint: &str,
    poll: &str,
    extra: &str,
) -> std::path::PathBuf {
    let config = dir.join("quarterdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[server]
public_url = "http://127.0.0.1:3000"
lease_interval = "1s"
[auth]
mode = "dev"
[aws]
max_attempts = 1
[incidents]
poll_interval = "{poll}"
[[environments]]
id = "dev"
name = "Development"
region = "eu-west-1"
role_arn = "arn:aws:iam::{}:role/quarterdeck"
endpoint_url = "{}"
{extra}"#,
            account.id, endpoint
        ),
    )
    .expect("config");
    config
}

/// Two consoles on `database` with `config`, once both are ready and one holds the jobs lease:
/// (leader, follower).
async fn two_consoles(config: &std::path::Path, database: &str) -> (Console, Console) {
    let first = start(config, database);
    let second = start(config, database);
    let both = [&first, &second];
    until("both consoles ready", Duration::from_secs(60), async || {
        let mut ready = true;
        for c in both {
            ready &= reqwest::get(format!("{}/readyz", c.base))
                .await
                .is_ok_and(|r| r.status() == 200);
        }
        ready
    })
    .await;
    until("one leader", Duration::from_secs(20), async || {
        let a = metric(&first, "quarterdeck_jobs_leader").await;
        let b = metric(&second, "quarterdeck_jobs_leader").await;
        matches!((a, b), (Some(x), Some(y)) if x + y == 1.0)
    })
    .await;
    if metric(&first, "quarterdeck_jobs_leader").await == Some(1.0) {
        (first, second)
    } else {
        (second, first)
    }
}

/// An account with one service, `main/web` of app `shop`.
async fn shop() -> Account {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 1).await;
    account
}

#[tokio::test]
async fn a_killed_leader_is_replaced_and_no_transition_is_lost_or_doubled() {
    let Some(database) = fresh_postgres_database().await else {
        eprintln!("two-process lease test: runs in the PostgreSQL pass of the test command");
        return;
    };
    let account = shop().await;
    let dims = [("ClusterName", "main"), ("ServiceName", "web")];
    account.alarm("web-cpu", "CPU", &dims, false).await;
    account.alarm("web-5xx", "5xx", &dims, false).await;
    account.set_alarm_state("web-cpu", "OK").await;
    account.set_alarm_state("web-5xx", "OK").await;

    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &account, "1s", "");
    let (leader, follower) = two_consoles(&config, &database).await;
    until(
        "the leader's first poll",
        Duration::from_secs(20),
        async || {
            metric(&leader, "quarterdeck_alarm_poll_rounds_total")
                .await
                .is_some_and(|n| n >= 1.0)
        },
    )
    .await;
    account.set_alarm_state("web-cpu", "ALARM").await;
    let pool = server::store::connect(&database).await.expect("database");
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap_or(-1)
        }
    };
    until(
        "the leader opens an incident",
        Duration::from_secs(20),
        async || count("SELECT COUNT(*) FROM incidents").await == 1,
    )
    .await;

    // Killed outright: its lease is not given back and must expire (three 1 s intervals).
    let mut leader = leader;
    leader.child.kill().expect("kill the leader");
    let _ = leader.child.wait();
    let took = until(
        "the follower takes over",
        Duration::from_secs(15),
        async || metric(&follower, "quarterdeck_jobs_leader").await == Some(1.0),
    )
    .await;
    assert!(took <= Duration::from_secs(10), "took {took:?}");
    account.set_alarm_state("web-5xx", "ALARM").await;
    until(
        "the follower records the next transition",
        Duration::from_secs(20),
        async || count("SELECT COUNT(*) FROM incident_alarms WHERE alarm = 'web-5xx'").await == 1,
    )
    .await;
    assert_eq!(
        count("SELECT COUNT(*) FROM timeline_entries WHERE summary LIKE 'web-cpu OK → ALARM%'")
            .await,
        1,
        "the first transition is on record once"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM incidents").await,
        1,
        "joined, not doubled"
    );
}

/// The sum of every `quarterdeck_aws_calls_total` series for `purpose` on `console`.
async fn aws_calls(console: &Console, purpose: &str) -> f64 {
    let Ok(response) = reqwest::get(format!("{}/metrics", console.base)).await else {
        return -1.0;
    };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with("quarterdeck_aws_calls_total{"))
        .filter(|l| l.contains(&format!("purpose=\"{purpose}\"")))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum()
}

/// Issue 18, item 5: with two replicas, AWS sees one replica's reads. The leader refreshes and
/// publishes each snapshot; the follower loads them (a service added in AWS shows on it) and
/// makes no inventory or details calls of its own once the leader publishes.
#[tokio::test]
async fn a_follower_shows_what_the_leader_read_without_calling_aws() {
    let Some(database) = fresh_postgres_database().await else {
        eprintln!("two-process snapshot test: runs in the PostgreSQL pass of the test command");
        return;
    };
    let account = shop().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        &account,
        "1h",
        "refresh_interval = \"2s\"\nmetrics_interval = \"2s\"\n",
    );
    let (leader, follower) = two_consoles(&config, &database).await;
    // Past the start, where each replica may read AWS once before anything is published.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let (leader_before, follower_before) = (
        aws_calls(&leader, "inventory").await + aws_calls(&leader, "details").await,
        aws_calls(&follower, "inventory").await + aws_calls(&follower, "details").await,
    );
    // A service added in AWS reaches the follower through the leader's snapshot.
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "api", &td, "shop", 1).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed_in = client
        .post(format!("{}/auth/dev-login", follower.base))
        .form(&[("user", "ana"), ("role", "viewer"), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert!(signed_in.status().is_success() || signed_in.status().is_redirection());
    until(
        "the follower shows the new service",
        Duration::from_secs(20),
        async || {
            client
                .get(format!("{}/envs/dev/services/main/api", follower.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let leader_calls =
        aws_calls(&leader, "inventory").await + aws_calls(&leader, "details").await - leader_before;
    let follower_calls = aws_calls(&follower, "inventory").await
        + aws_calls(&follower, "details").await
        - follower_before;
    assert!(
        leader_calls > 0.0,
        "the leader reads AWS ({leader_calls} calls)"
    );
    assert_eq!(
        follower_calls, 0.0,
        "the follower reads the leader's snapshots, not AWS ({follower_calls} calls; leader {leader_calls})"
    );
}

/// The leader's cycle is its interval plus however long its reads take; at a thousand services
/// they outlast two intervals. A follower whose leader is alive keeps following however old the
/// published snapshot is, instead of reading AWS itself and doubling the calls (the benchmark's
/// two replicas made 2.2 times one's calls before this).
#[tokio::test]
async fn a_follower_keeps_following_a_leader_whose_reads_outlast_two_intervals() {
    let Some(database) = fresh_postgres_database().await else {
        eprintln!("two-process snapshot test: runs in the PostgreSQL pass of the test command");
        return;
    };
    let account = shop().await;
    let proxy = FaultProxy::start().await;
    // Each inventory read takes over 5 s: more than two 2 s intervals.
    proxy.arm("ListClusters", Fault::Late(Duration::from_secs(5)));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config_at(
        dir.path(),
        &account,
        &proxy.url,
        "1h",
        "refresh_interval = \"2s\"\nmetrics_interval = \"2s\"\n",
    );
    let (leader, follower) = two_consoles(&config, &database).await;
    // Past the start, where each replica may read AWS once before anything is published.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let (leader_before, follower_before) = (
        aws_calls(&leader, "inventory").await,
        aws_calls(&follower, "inventory").await,
    );
    tokio::time::sleep(Duration::from_secs(16)).await;
    let leader_calls = aws_calls(&leader, "inventory").await - leader_before;
    let follower_calls = aws_calls(&follower, "inventory").await - follower_before;
    assert!(
        leader_calls >= 2.0,
        "the leader keeps reading ({leader_calls} calls)"
    );
    assert_eq!(
        follower_calls, 0.0,
        "a live leader's slow cycle is no reason to read AWS ({follower_calls} calls; leader {leader_calls})"
    );
}

/// A leader whose reads fail (AWS denies or throttles it, or times out) is alive and trying: it
/// publishes each failure, and the follower neither reads AWS itself once the leader has been
/// silent for ten intervals (which would double the calls to an AWS that already fails: the
/// benchmark's follower did, while moto timed its leader's details cycles out) nor at start.
#[tokio::test]
async fn a_follower_does_not_read_aws_while_its_leaders_reads_fail() {
    let Some(database) = fresh_postgres_database().await else {
        eprintln!("two-process snapshot test: runs in the PostgreSQL pass of the test command");
        return;
    };
    let account = shop().await;
    let proxy = FaultProxy::start().await;
    // Every details cycle fails on its metric read.
    proxy.arm(
        "GetMetricData",
        Fault::xml(
            "AccessDenied",
            "User is not authorized to perform: cloudwatch:GetMetricData",
            403,
        ),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config_at(
        dir.path(),
        &account,
        &proxy.url,
        "1h",
        "refresh_interval = \"2s\"\nmetrics_interval = \"2s\"\n",
    );
    let (leader, follower) = two_consoles(&config, &database).await;
    // Past ten 2 s intervals of a leader with nothing to publish but failures.
    tokio::time::sleep(Duration::from_secs(28)).await;
    let leader_calls = aws_calls(&leader, "details").await;
    assert!(
        proxy.seen("GetMetricData") >= 3,
        "the leader keeps trying ({leader_calls} details calls)"
    );
    let follower_calls =
        aws_calls(&follower, "details").await + aws_calls(&follower, "inventory").await;
    assert_eq!(
        follower_calls, 0.0,
        "a leader whose reads fail is no reason to read AWS ({follower_calls} calls; leader {leader_calls})"
    );
}
