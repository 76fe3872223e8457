//! What differs between two task-definition revisions — of one family, or of the same service in
//! two environments: task CPU and memory, and per container its image, environment variables,
//! `secrets` references, CPU/memory, ports, command, entry point, health check and log
//! configuration. Values of variables whose names look secret are masked; `secrets` are shown by
//! the ARN they are read from, which is all a task definition holds of them. The rows are
//! [`Change`]s, so the review step, the drift view and release requests show them alike.

use super::change::Change;
use super::inventory::{ContainerDefinition, HealthCheck, LogConfig, TaskDefinition};

/// What a masked value reads as.
pub const MASKED: &str = "•••••• (masked)";
/// What a missing value reads as.
const NONE: &str = "—";

/// Parts of a variable name that mark its value as secret (compared upper-case, by word).
const SECRET_WORDS: [&str; 12] = [
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
    "AUTH",
    "DSN",
];

/// Whether a variable's name says its value is secret: one of its words (split at `_`, `-`,
/// `.` and lower → upper case changes) is a secret word, or it ends in one (`APIKEY`).
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.') {
            words.push(std::mem::take(&mut word));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase();
        word.push(c.to_ascii_uppercase());
    }
    words.push(word);
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || ["KEY", "TOKEN", "SECRET", "PASSWORD"]
            .iter()
            .any(|w| upper.ends_with(w))
}

/// The rows that differ from `before` to `after`, task-level first, then each container in
/// `after`'s order followed by the ones only `before` has. Empty when nothing compared differs.
pub fn diff_revisions(before: &TaskDefinition, after: &TaskDefinition) -> Vec<Change> {
    let mut rows = Vec::new();
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| NONE.to_string());
    if before.cpu != after.cpu {
        rows.push(Change::new("Task CPU", text(&before.cpu), text(&after.cpu)));
    }
    if before.memory != after.memory {
        rows.push(Change::new(
            "Task memory",
            text(&before.memory),
            text(&after.memory),
        ));
    }
    for c in &after.containers {
        match before.containers.iter().find(|b| b.name == c.name) {
            Some(b) => diff_container(&mut rows, b, c),
            None => rows.push(Change::new(
                format!("Container {}", c.name),
                "— (not in this revision)",
                format!("added, image {}", c.image),
            )),
        }
    }
    for b in &before.containers {
        if !after.containers.iter().any(|c| c.name == b.name) {
            rows.push(Change::new(
                format!("Container {}", b.name),
                format!("image {}", b.image),
                "— (not in this revision)",
            ));
        }
    }
    rows
}

fn diff_container(rows: &mut Vec<Change>, b: &ContainerDefinition, a: &ContainerDefinition) {
    let name = &a.name;
    let mut push = |what: String, before: String, after: String| {
        if before != after {
            rows.push(Change::new(what, before, after));
        }
    };
    push(format!("{name}: image"), b.image.clone(), a.image.clone());
    let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_else(|| NONE.into());
    push(format!("{name}: CPU units"), num(b.cpu), num(a.cpu));
    push(
        format!("{name}: memory (MiB)"),
        num(b.memory),
        num(a.memory),
    );
    let ports = |p: &[i32]| {
        if p.is_empty() {
            NONE.to_string()
        } else {
            p.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
        }
    };
    push(format!("{name}: ports"), ports(&b.ports), ports(&a.ports));
    push(
        format!("{name}: entry point"),
        words(&b.entry_point),
        words(&a.entry_point),
    );
    push(
        format!("{name}: command"),
        words(&b.command),
        words(&a.command),
    );
    push(
        format!("{name}: health check"),
        health(b.health_check.as_ref()),
        health(a.health_check.as_ref()),
    );
    push(
        format!("{name}: logs"),
        logs(b.log.as_ref()),
        logs(a.log.as_ref()),
    );
    for (var, before, after) in pairs(&b.environment, &a.environment) {
        let (before, after) = if looks_secret(var) {
            // Say that it changed, never what it was or is.
            let mask = |v: Option<&String>| v.map_or(NONE.to_string(), |_| MASKED.to_string());
            match (before, after) {
                (Some(_), Some(_)) => (MASKED.to_string(), format!("{MASKED}, changed")),
                _ => (mask(before), mask(after)),
            }
        } else {
            (
                before.cloned().unwrap_or_else(|| NONE.into()),
                after.cloned().unwrap_or_else(|| NONE.into()),
            )
        };
        rows.push(Change::new(format!("{name}: env {var}"), before, after));
    }
    for (var, before, after) in pairs(&b.secrets, &a.secrets) {
        let from = |v: Option<&String>| v.map_or(NONE.to_string(), |arn| format!("from {arn}"));
        rows.push(Change::new(
            format!("{name}: secret {var}"),
            from(before),
            from(after),
        ));
    }
}

/// Names whose values differ between two sorted lists, with both values (absent as `None`).
fn pairs<'a>(
    before: &'a [(String, String)],
    after: &'a [(String, String)],
) -> Vec<(&'a str, Option<&'a String>, Option<&'a String>)> {
    let mut names: Vec<&str> = before
        .iter()
        .chain(after)
        .map(|(n, _)| n.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|n| {
            let b = before.iter().find(|(k, _)| k == n).map(|(_, v)| v);
            let a = after.iter().find(|(k, _)| k == n).map(|(_, v)| v);
            (b != a).then_some((n, b, a))
        })
        .collect()
}

fn words(list: &[String]) -> String {
    if list.is_empty() {
        NONE.to_string()
    } else {
        list.join(" ")
    }
}

fn health(h: Option<&HealthCheck>) -> String {
    let Some(h) = h else {
        return NONE.to_string();
    };
    let secs = |label: &str, v: Option<i32>| v.map(|n| format!(", {label} {n}s"));
    format!(
        "{}{}{}{}{}",
        words(&h.command),
        secs("every", h.interval_secs).unwrap_or_default(),
        secs("timeout", h.timeout_secs).unwrap_or_default(),
        h.retries
            .map(|n| format!(", {n} retries"))
            .unwrap_or_default(),
        secs("grace", h.start_period_secs).unwrap_or_default(),
    )
}

fn logs(l: Option<&LogConfig>) -> String {
    let Some(l) = l else {
        return NONE.to_string();
    };
    if l.options.is_empty() {
        return l.driver.clone();
    }
    let options: Vec<String> = l
        .options
        .iter()
        .map(|(k, v)| {
            if looks_secret(k) {
                format!("{k}={MASKED}")
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    format!("{} ({})", l.driver, options.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, image: &str) -> ContainerDefinition {
        ContainerDefinition {
            name: name.into(),
            image: image.into(),
            essential: true,
            ports: vec![8080],
            cpu: Some(256),
            memory: Some(512),
            environment: vec![
                ("APP_ENV".into(), "staging".into()),
                ("DB_PASSWORD".into(), "hunter2".into()),
                ("LOG_LEVEL".into(), "info".into()),
            ],
            secrets: vec![(
                "DATABASE_URL".into(),
                "arn:aws:ssm:eu-west-1:2:parameter/app/staging/db".into(),
            )],
            command: vec!["serve".into()],
            entry_point: vec![],
            health_check: Some(HealthCheck {
                command: vec!["CMD-SHELL".into(), "curl -f localhost/health".into()],
                interval_secs: Some(30),
                timeout_secs: Some(5),
                retries: Some(3),
                start_period_secs: None,
            }),
            log: Some(LogConfig {
                driver: "awslogs".into(),
                options: vec![("awslogs-group".into(), "/ecs/app".into())],
            }),
        }
    }

    fn td(revision: i32, containers: Vec<ContainerDefinition>) -> TaskDefinition {
        TaskDefinition {
            arn: format!("arn:aws:ecs:eu-west-1:2:task-definition/app:{revision}"),
            family: "app".into(),
            revision,
            cpu: Some("256".into()),
            memory: Some("512".into()),
            containers,
            registered_at: None,
        }
    }

    fn rows(diff: &[Change]) -> Vec<(&str, &str, &str)> {
        diff.iter()
            .map(|c| (c.what.as_str(), c.before.as_str(), c.after.as_str()))
            .collect()
    }

    #[test]
    fn the_same_revision_has_no_differences() {
        let a = td(1, vec![container("api", "repo/api:1.0")]);
        assert!(diff_revisions(&a, &a).is_empty());
    }

    #[test]
    fn every_compared_field_shows_before_and_after() {
        let before = td(1, vec![container("api", "repo/api:1.0")]);
        let mut c = container("api", "repo/api:1.1");
        c.cpu = Some(512);
        c.memory = None;
        c.ports = vec![8080, 9090];
        c.command = vec!["serve".into(), "--fast".into()];
        c.entry_point = vec!["/bin/tini".into()];
        c.environment[2].1 = "debug".into();
        c.environment.push(("FEATURE_X".into(), "on".into()));
        c.secrets[0].1 = "arn:aws:ssm:eu-west-1:3:parameter/app/prod/db".into();
        c.health_check = None;
        c.log = Some(LogConfig {
            driver: "awslogs".into(),
            options: vec![("awslogs-group".into(), "/ecs/app-v2".into())],
        });
        let mut after = td(2, vec![c]);
        after.memory = Some("1024".into());
        let diff = diff_revisions(&before, &after);
        assert_eq!(
            rows(&diff),
            vec![
                ("Task memory", "512", "1024"),
                ("api: image", "repo/api:1.0", "repo/api:1.1"),
                ("api: CPU units", "256", "512"),
                ("api: memory (MiB)", "512", "—"),
                ("api: ports", "8080", "8080, 9090"),
                ("api: entry point", "—", "/bin/tini"),
                ("api: command", "serve", "serve --fast"),
                (
                    "api: health check",
                    "CMD-SHELL curl -f localhost/health, every 30s, timeout 5s, 3 retries",
                    "—"
                ),
                (
                    "api: logs",
                    "awslogs (awslogs-group=/ecs/app)",
                    "awslogs (awslogs-group=/ecs/app-v2)"
                ),
                ("api: env FEATURE_X", "—", "on"),
                ("api: env LOG_LEVEL", "info", "debug"),
                (
                    "api: secret DATABASE_URL",
                    "from arn:aws:ssm:eu-west-1:2:parameter/app/staging/db",
                    "from arn:aws:ssm:eu-west-1:3:parameter/app/prod/db"
                ),
            ]
        );
    }

    #[test]
    fn secret_looking_values_are_masked_whether_changed_added_or_removed() {
        let before = td(1, vec![container("api", "repo/api:1.0")]);
        let mut c = container("api", "repo/api:1.0");
        c.environment[1].1 = "correct horse".into();
        c.environment
            .push(("STRIPE_API_KEY".into(), "sk_live_123".into()));
        let after = td(2, vec![c.clone()]);
        let diff = diff_revisions(&before, &after);
        assert_eq!(
            rows(&diff),
            vec![
                ("api: env DB_PASSWORD", MASKED, "•••••• (masked), changed"),
                ("api: env STRIPE_API_KEY", "—", MASKED),
            ]
        );
        let removed = diff_revisions(&after, &before);
        assert_eq!(removed[1].before, MASKED);
        assert_eq!(removed[1].after, "—");
        let text = format!("{diff:?}{removed:?}");
        for secret in ["hunter2", "correct horse", "sk_live_123"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn added_and_removed_containers_are_named() {
        let before = td(
            1,
            vec![
                container("api", "repo/api:1.0"),
                container("proxy", "envoy:1"),
            ],
        );
        let after = td(
            2,
            vec![
                container("api", "repo/api:1.0"),
                container("agent", "datadog:7"),
            ],
        );
        assert_eq!(
            rows(&diff_revisions(&before, &after)),
            vec![
                (
                    "Container agent",
                    "— (not in this revision)",
                    "added, image datadog:7"
                ),
                (
                    "Container proxy",
                    "image envoy:1",
                    "— (not in this revision)"
                ),
            ]
        );
    }

    #[test]
    fn secret_names_are_recognised_by_word() {
        let cases = [
            ("DB_PASSWORD", true),
            ("API_KEY", true),
            ("STRIPEAPIKEY", true),
            ("githubToken", true),
            ("client-secret", true),
            ("SENTRY_DSN", true),
            ("AWS_SECRET_ACCESS_KEY", true),
            ("BASIC_AUTH", true),
            ("LOG_LEVEL", false),
            ("KEYSPACE", false),
            ("MONKEY_COUNT", false),
            ("PASSENGER_LIMIT", false),
            ("APP_ENV", false),
        ];
        for (name, secret) in cases {
            assert_eq!(looks_secret(name), secret, "{name}");
        }
    }
}
