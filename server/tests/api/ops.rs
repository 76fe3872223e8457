//! Probes: health, readiness, metrics.

use crate::helpers::{spawn_app, spawn_app_with_overrides, Account, Auth, TestEnv};

#[tokio::test]
async fn health_and_readiness_answer_without_a_session() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], true);
    assert_eq!(body["environments"][0]["env"], "dev");
    assert_eq!(body["environments"][0]["freshness"], "fresh");
}

#[tokio::test]
async fn metrics_count_aws_calls_by_operation_and_purpose() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(
            r#"quarterdeck_aws_calls_total{env="dev",service="ECS",operation="ListClusters",purpose="inventory"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"quarterdeck_inventory_failing{env="dev"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"operation="DescribeAlarms",purpose="poller"} 1"#),
        "the poller's first round: {text}"
    );
}

/// One parsed sample line: metric name, labels, value.
type Sample = (String, Vec<(String, String)>, f64);

/// A strict reading of the Prometheus text format (0.0.4): `# HELP` and `# TYPE` once per
/// family, before its samples; a family's samples contiguous; label values quoted with `\\`,
/// `\"` and `\n` escapes; values that parse as floats. Returns the samples, or what is wrong.
fn parse_prometheus(text: &str) -> Result<Vec<Sample>, String> {
    let mut samples = Vec::new();
    let mut typed: std::collections::HashMap<String, String> = Default::default();
    let mut finished: std::collections::HashSet<String> = Default::default();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if kind == "TYPE" {
                let t = parts.next().unwrap_or("");
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&t) {
                    return Err(format!("line {n}: unknown type {t:?}"));
                }
                if typed.insert(name.to_string(), t.to_string()).is_some() {
                    return Err(format!("line {n}: second TYPE for {name}"));
                }
            }
            if finished.contains(name) {
                return Err(format!("line {n}: {name} comes back after other families"));
            }
            if let Some(prev) = current.replace(name.to_string()) {
                if prev != name {
                    finished.insert(prev);
                }
            }
            continue;
        }
        let (name_labels, value) = line
            .rsplit_once(' ')
            .ok_or_else(|| format!("line {n}: no value"))?;
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().map_err(|_| format!("line {n}: value {v:?}"))?,
        };
        let (name, labels) = match name_labels.split_once('{') {
            Some((name, rest)) => {
                let body = rest
                    .strip_suffix('}')
                    .ok_or_else(|| format!("line {n}: unclosed labels"))?;
                (
                    name.to_string(),
                    parse_labels(body).map_err(|e| format!("line {n}: {e}"))?,
                )
            }
            None => (name_labels.to_string(), Vec::new()),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        {
            return Err(format!("line {n}: bad metric name {name:?}"));
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| typed.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(&name)
            .to_string();
        if current.as_deref() != Some(family.as_str()) {
            return Err(format!(
                "line {n}: sample of {family} outside its family's block"
            ));
        }
        samples.push((name, labels, value));
    }
    Ok(samples)
}

fn parse_labels(body: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if chars.next() != Some('"') {
            return Err(format!("label {key:?} is not quoted"));
        }
        let mut value = String::new();
        loop {
            match chars.next() {
                Some('\\') => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(c @ ('\\' | '"')) => value.push(c),
                    other => return Err(format!("bad escape {other:?}")),
                },
                Some('"') => break,
                Some(c) => value.push(c),
                None => return Err("unterminated label value".into()),
            }
        }
        out.push((key, value));
        match chars.next() {
            Some(',') | None => {}
            Some(c) => return Err(format!("unexpected {c:?} after a label")),
        }
    }
    Ok(out)
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_requests_by_route() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    for _ in 0..3 {
        app.get_text("/envs/dev").await;
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    let samples = parse_prometheus(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let find = |name: &str, want: &[(&str, &str)]| -> Option<f64> {
        samples
            .iter()
            .find(|(n, labels, _)| {
                n == name
                    && want
                        .iter()
                        .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
            })
            .map(|(_, _, v)| *v)
    };
    assert_eq!(
        find(
            "quarterdeck_http_requests_total",
            &[
                ("route", "/envs/{env}"),
                ("method", "GET"),
                ("status", "200")
            ]
        ),
        Some(3.0)
    );
    assert_eq!(
        find(
            "quarterdeck_http_request_duration_seconds_count",
            &[("route", "/envs/{env}")]
        ),
        Some(3.0)
    );
    let calls = find(
        "quarterdeck_aws_calls_total",
        &[("service", "ECS"), ("operation", "ListClusters")],
    );
    assert_eq!(
        find(
            "quarterdeck_aws_call_duration_seconds_count",
            &[("service", "ECS"), ("operation", "ListClusters")]
        ),
        calls,
        "every counted call is timed"
    );
    assert_eq!(find("quarterdeck_jobs_leader", &[]), Some(1.0));
    assert!(find("quarterdeck_alarm_poll_rounds_total", &[]).is_some_and(|n| n >= 1.0));
    assert!(parse_prometheus("# TYPE a counter\na 1\n# TYPE b gauge\nb 2\na 3\n").is_err());
    assert!(parse_prometheus("a{x=unquoted} 1\n").is_err());
}

/// The `quarterdeck_http_requests_total` series of one scrape.
fn request_series(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("quarterdeck_http_requests_total{"))
        .filter_map(|l| l.rsplit_once(' ').map(|(series, _)| series.to_string()))
        .collect()
}

#[tokio::test]
async fn made_up_http_methods_add_no_metric_series() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    // Two scrapes first, so the scrape's own series exists before counting.
    app.get("/metrics").await;
    let before = request_series(&app.get_text("/metrics").await);
    for n in 0..40 {
        let method = reqwest::Method::from_bytes(format!("QDPROBE{n}").as_bytes()).unwrap();
        for path in ["/healthz", "/", "/api/get_overview", "/no-such-page"] {
            app.client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .unwrap();
        }
    }
    let text = app.get_text("/metrics").await;
    assert!(!text.contains("QDPROBE"), "{text}");
    let after = request_series(&text);
    let new: Vec<&String> = after.iter().filter(|s| !before.contains(s)).collect();
    assert!(
        new.iter().all(|s| s.contains("method=\"other\"")),
        "only the shared label is new: {new:?}"
    );
    assert!(
        new.len() <= 4,
        "160 made-up requests on four paths add at most a series per path: {new:?}"
    );
}

#[tokio::test]
async fn metrics_without_the_token_are_refused() {
    let account = Account::new().await;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &account)],
        Auth::Dev,
        &[
            ("QD_SERVER__METRICS_TOKEN_ENV", "QD_TEST_METRICS_TOKEN"),
            ("QD_TEST_METRICS_TOKEN", "scrape-me-9f3c"),
        ],
    )
    .await;
    let bare = app.get("/metrics").await;
    assert_eq!(bare.status(), 401, "no token, even from loopback");
    assert_eq!(
        bare.headers()["www-authenticate"],
        "Bearer realm=\"metrics\""
    );
    assert!(!bare.text().await.unwrap().contains("quarterdeck_"));
    for wrong in [
        "Bearer scrape-me",
        "Bearer scrape-me-9f3cX",
        "Basic c2NyYXBlLW1lLTlmM2M=",
    ] {
        let response = app
            .client
            .get(app.url("/metrics"))
            .header("authorization", wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{wrong}");
    }
    // A signed-in admin's session is not the token either.
    app.sign_in("ana", "admin").await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let scraped = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-9f3c")
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped
        .text()
        .await
        .unwrap()
        .contains("quarterdeck_aws_calls_total{"));
}

#[tokio::test]
async fn metrics_relayed_by_a_proxy_are_refused_without_a_token() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let response = app
            .client
            .get(app.url("/metrics"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{name}");
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("server.metrics_token_env"));
    }
    assert_eq!(
        app.get("/metrics").await.status(),
        200,
        "a scraper on this host, unconfigured"
    );
}

#[tokio::test]
async fn metrics_on_an_address_of_their_own_leave_the_main_one() {
    let account = Account::new().await;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &account)],
        Auth::Dev,
        &[("QD_SERVER__METRICS_LISTEN", "127.0.0.1:0")],
    )
    .await;
    let own = app.metrics_base.clone().expect("a metrics address");
    let scraped = app
        .client
        .get(format!("{own}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped
        .text()
        .await
        .unwrap()
        .contains("quarterdeck_inventory_failing{env=\"dev\"} 0"));
    let elsewhere = app.client.get(format!("{own}/")).send().await.unwrap();
    assert_eq!(elsewhere.status(), 404, "only /metrics there");
    assert_eq!(
        app.get("/metrics").await.status(),
        404,
        "not on the main address"
    );
}
