//! One Quarterdeck process under test: its configuration (three accounts on moto, SQLite in a
//! fresh directory, the dev sign-in), start-up, readiness, sign-in, `/metrics` and memory.

use crate::aws::{ACCESS_KEY, ACCOUNTS, REGION};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// How one console is configured.
#[derive(Debug, Clone)]
pub struct Setup {
    pub binary: PathBuf,
    pub site_root: PathBuf,
    pub moto: String,
    /// Where its config, database and log go (emptied first).
    pub dir: PathBuf,
    pub port: u16,
    /// Inventory refresh and details intervals: long, so nothing in the background calls AWS
    /// while the warm measurements run.
    pub refresh_interval: String,
    pub poll_interval: String,
    /// A PostgreSQL database shared with other consoles; `None`: a SQLite file of its own.
    pub database_url: Option<String>,
}

impl Setup {
    fn config(&self) -> String {
        let listen = format!("127.0.0.1:{}", self.port);
        let mut out = format!(
            r#"# Written by the benchmark.
[server]
listen = "{listen}"
public_url = "http://{listen}"
database_url = "{db}"
site_root = "{site}"
lease_interval = "2s"

[auth]
mode = "dev"
login_attempts_per_minute = 1000

[aws]
max_attempts = 2
connect_timeout = "3s"
operation_timeout = "120s"
attempt_timeout = "60s"

[incidents]
poll_interval = "{poll}"
"#,
            db = self.database_url.clone().unwrap_or_else(|| format!(
                "sqlite://{}",
                self.dir.join("quarterdeck.db").display()
            )),
            site = self.site_root.display(),
            poll = self.poll_interval,
        );
        for (env, account) in ACCOUNTS {
            out.push_str(&format!(
                r#"
[[environments]]
id = "{env}"
name = "{env}"
region = "{REGION}"
role_arn = "arn:aws:iam::{account}:role/quarterdeck"
endpoint_url = "{moto}"
protected = {protected}
refresh_interval = "{every}"
metrics_interval = "{every}"
"#,
                moto = self.moto,
                protected = env == "prod",
                every = self.refresh_interval,
            ));
        }
        out
    }
}

/// A running console.
pub struct Console {
    child: Child,
    pub base: String,
    pub http: reqwest::Client,
    /// `qd_session=…` once signed in.
    pub cookie: Option<String>,
    pub started: Instant,
}

impl Console {
    /// Writes the config into a fresh directory and starts the process.
    pub async fn start(setup: &Setup) -> Result<Console> {
        if setup.dir.exists() {
            std::fs::remove_dir_all(&setup.dir)
                .with_context(|| format!("emptying {}", setup.dir.display()))?;
        }
        std::fs::create_dir_all(&setup.dir)
            .with_context(|| format!("creating {}", setup.dir.display()))?;
        let config = setup.dir.join("quarterdeck.toml");
        std::fs::write(&config, setup.config())
            .with_context(|| format!("writing {}", config.display()))?;
        let log = std::fs::File::create(setup.dir.join("server.log"))
            .context("creating the server log")?;
        let log_err = log.try_clone().context("sharing the server log")?;
        let started = Instant::now();
        let child = Command::new(&setup.binary)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", ACCESS_KEY)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", setup.binary.display()))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .context("building the HTTP client")?;
        Ok(Console {
            child,
            base: format!("http://127.0.0.1:{}", setup.port),
            http,
            cookie: None,
            started,
        })
    }

    /// Waits until `/readyz` says every environment holds a fresh inventory; returns the time
    /// from process start.
    pub async fn wait_fresh(&mut self, limit: Duration) -> Result<Duration> {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("the console exited during start-up ({status}); see its server.log");
            }
            if let Ok(resp) = self.http.get(format!("{}/readyz", self.base)).send().await {
                if let Ok(body) = resp.json::<serde_json::Value>().await {
                    let envs = body["environments"].as_array().cloned().unwrap_or_default();
                    if !envs.is_empty() && envs.iter().all(|e| e["freshness"] == "fresh") {
                        return Ok(self.started.elapsed());
                    }
                }
            }
            if self.started.elapsed() > limit {
                bail!("the console was not ready within {limit:?}; see its server.log");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Signs in with the dev sign-in as an admin everywhere.
    pub async fn sign_in(&mut self) -> Result<()> {
        let resp = self
            .http
            .post(format!("{}/auth/dev-login", self.base))
            .header("Origin", &self.base)
            .form(&[("user", "bench"), ("role", "admin"), ("next", "/")])
            .send()
            .await
            .context("signing in")?;
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("qd_session="))
            .and_then(|v| v.split(';').next())
            .ok_or_else(|| anyhow!("the sign-in set no session cookie ({})", resp.status()))?;
        self.cookie = Some(cookie.to_string());
        Ok(())
    }

    pub fn cookie(&self) -> Result<&str> {
        self.cookie
            .as_deref()
            .ok_or_else(|| anyhow!("not signed in"))
    }

    /// A page, which must answer 200; returns its body length.
    pub async fn get(&self, path: &str) -> Result<usize> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie()?)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = resp.status();
        let body = resp.bytes().await.with_context(|| format!("GET {path}"))?;
        if !status.is_success() {
            bail!("GET {path} answered {status}");
        }
        Ok(body.len())
    }

    /// Calls a server function with a form body, as a page does.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<()> {
        let resp = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", self.cookie()?)
            .header("Origin", &self.base)
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .with_context(|| format!("POST /api/{endpoint}"))?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            bail!("POST /api/{endpoint} answered {status}: {body}");
        }
        Ok(())
    }

    pub async fn metrics(&self) -> Result<Metrics> {
        let text = self
            .http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .context("GET /metrics")?
            .text()
            .await
            .context("GET /metrics")?;
        Ok(Metrics::parse(&text))
    }

    /// The process's resident memory, from `/proc`.
    pub fn rss_bytes(&self) -> Result<u64> {
        let pid = self
            .child
            .id()
            .ok_or_else(|| anyhow!("the console has exited"))?;
        rss_of(pid)
    }

    pub async fn stop(mut self) -> Result<()> {
        self.child.kill().await.context("stopping the console")?;
        Ok(())
    }
}

pub fn rss_of(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| anyhow!("no VmRSS in /proc/{pid}/status"))
}

/// One sample of the Prometheus text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// The samples of one `/metrics` answer.
#[derive(Debug, Clone, Default)]
pub struct Metrics(pub Vec<Sample>);

impl Metrics {
    /// Reads the text format's sample lines; comments and malformed lines are skipped.
    pub fn parse(text: &str) -> Metrics {
        Metrics(text.lines().filter_map(parse_line).collect())
    }

    /// The sum of a family's samples whose labels include all of `matching`.
    pub fn sum(&self, name: &str, matching: &[(&str, &str)]) -> f64 {
        self.0
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                matching
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .sum()
    }

    /// AWS call attempts by operation (`Service Operation`), for calls matching `matching`.
    pub fn calls_by_operation(&self, matching: &[(&str, &str)]) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for s in self
            .0
            .iter()
            .filter(|s| s.name == "quarterdeck_aws_calls_total")
        {
            if matching
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            {
                let op = format!(
                    "{} {}",
                    s.labels.get("service").map(String::as_str).unwrap_or("?"),
                    s.labels.get("operation").map(String::as_str).unwrap_or("?")
                );
                *out.entry(op).or_insert(0.0) += s.value;
            }
        }
        out
    }
}

fn parse_line(line: &str) -> Option<Sample> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (head, value) = line.rsplit_once(' ')?;
    let value: f64 = value.parse().ok()?;
    let (name, labels) = match head.split_once('{') {
        None => (head.to_string(), BTreeMap::new()),
        Some((name, rest)) => (name.to_string(), parse_labels(rest.strip_suffix('}')?)?),
    };
    Some(Sample {
        name,
        labels,
        value,
    })
}

fn parse_labels(mut rest: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                '"' => break i,
                other => value.push(other),
            }
        };
        out.insert(key.trim_start_matches(',').to_string(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    Some(out)
}

/// A port nothing listens on now.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr().context("finding a free port")?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_samples_with_escaped_labels() {
        let m = Metrics::parse(
            "# HELP x y\nquarterdeck_aws_calls_total{env=\"dev\",service=\"ECS\",operation=\"DescribeServices\",purpose=\"inventory\"} 21\nquarterdeck_aws_calls_total{env=\"prod\",service=\"ECS\",operation=\"DescribeServices\",purpose=\"poller\"} 4\nweird{a=\"q\\\"uote\"} 1.5\nbroken{ 3\n",
        );
        assert_eq!(m.0.len(), 3);
        assert_eq!(m.sum("quarterdeck_aws_calls_total", &[]), 25.0);
        assert_eq!(
            m.sum("quarterdeck_aws_calls_total", &[("purpose", "inventory")]),
            21.0
        );
        assert_eq!(m.0[2].labels["a"], "q\"uote");
        let ops = m.calls_by_operation(&[("env", "prod")]);
        assert_eq!(ops["ECS DescribeServices"], 4.0);
    }
}
