//! The load generator: sequential requests for latency without queueing (an upper bound on
//! server time: it adds only loopback and this client), and a closed loop at a fixed
//! concurrency for throughput. Every response must be a 200 and is read to its end.

use anyhow::{bail, Context, Result};
use std::time::{Duration, Instant};

/// Latency figures of one run, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(samples: &mut [f64]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_by(f64::total_cmp);
        Latency {
            p50: percentile(samples, 50.0),
            p99: percentile(samples, 99.0),
            max: samples[samples.len() - 1],
        }
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What a closed-loop run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Throughput {
    pub requests: u64,
    pub per_second: f64,
    pub latency: Latency,
}

fn client(connections: usize) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the load client")
}

async fn one(http: &reqwest::Client, url: &str, cookie: &str) -> Result<f64> {
    let started = Instant::now();
    let resp = http
        .get(url)
        .header("Cookie", cookie)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = resp.status();
    resp.bytes().await.with_context(|| format!("GET {url}"))?;
    if status != reqwest::StatusCode::OK {
        bail!("GET {url} answered {status}");
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// `count` requests one after another (after `count / 10` unmeasured ones to warm up).
pub async fn sequential(url: &str, cookie: &str, count: usize) -> Result<Latency> {
    let http = client(1)?;
    for _ in 0..count / 10 {
        one(&http, url, cookie).await?;
    }
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        samples.push(one(&http, url, cookie).await?);
    }
    Ok(Latency::of(&mut samples))
}

/// `concurrency` workers each sending the next request when the last one ends, for `duration`.
pub async fn closed_loop(
    url: &str,
    cookie: &str,
    concurrency: usize,
    duration: Duration,
) -> Result<Throughput> {
    let http = client(concurrency)?;
    // Open the connections before the clock starts.
    futures::future::try_join_all((0..concurrency).map(|_| one(&http, url, cookie))).await?;
    let started = Instant::now();
    let deadline = started + duration;
    let workers = (0..concurrency).map(|_| {
        let http = http.clone();
        let url = url.to_string();
        let cookie = cookie.to_string();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < deadline {
                samples.push(one(&http, &url, &cookie).await?);
            }
            Ok::<_, anyhow::Error>(samples)
        })
    });
    let mut samples = Vec::new();
    for worker in futures::future::join_all(workers).await {
        samples.extend(worker.context("a load worker panicked")??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Throughput {
        requests: samples.len() as u64,
        per_second: samples.len() as f64 / elapsed,
        latency: Latency::of(&mut samples),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let l = Latency::of(&mut samples);
        assert_eq!((l.p50, l.p99, l.max), (50.0, 99.0, 100.0));
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(Latency::of(&mut []).p99, 0.0);
    }
}
