//! Lambda functions as the console shows them: configuration, published versions, aliases with
//! their routing weights, reserved concurrency, and the event source mappings that feed them
//! from queues (the queue → worker link). Pure: the Lambda adapter maps AWS's shapes into these.

use super::queues::{Queue, Queues};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One Lambda function (its `$LATEST` configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub arn: String,
    pub runtime: Option<String>,
    pub architecture: Option<String>,
    pub memory_mb: Option<i32>,
    pub timeout_secs: Option<i32>,
    pub last_modified: Option<DateTime<Utc>>,
    /// Base64 SHA-256 of the deployment package.
    pub code_sha256: Option<String>,
    pub state: Option<String>,
    /// Published versions, oldest first (`$LATEST` is not one).
    pub versions: Vec<FunctionVersion>,
    pub aliases: Vec<Alias>,
    /// `None`: unreserved (it draws on the account's pool); `Some(0)`: every invocation throttled.
    pub reserved_concurrency: Option<i32>,
    pub tags: BTreeMap<String, String>,
    pub app: Option<String>,
    /// When the aliases and concurrency were read, and the tags (both are read again now and
    /// then, not every cycle).
    pub aliases_read_at: Option<DateTime<Utc>>,
    pub tags_read_at: Option<DateTime<Utc>>,
    /// The CloudWatch Logs group its logging configuration names, when it names one (else
    /// Lambda writes to `/aws/lambda/<name>`).
    #[serde(default)]
    pub log_group: Option<String>,
}

/// A published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionVersion {
    pub version: String,
    pub code_sha256: Option<String>,
    pub description: Option<String>,
    pub last_modified: Option<DateTime<Utc>>,
}

/// An alias: the version it points at, and the share of invocations another version takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub version: String,
    /// Additional versions and their weights (0–1); AWS allows one.
    pub weights: Vec<(String, f64)>,
    pub description: Option<String>,
}

impl Alias {
    /// Where the alias routes, in words: `7`, or `7 (90 %) and 8 (10 %)`.
    pub fn routing(&self) -> String {
        if self.weights.is_empty() {
            return self.version.clone();
        }
        let extra: f64 = self.weights.iter().map(|(_, w)| w).sum();
        let mut parts = vec![format!("{} ({})", self.version, percent(1.0 - extra))];
        parts.extend(
            self.weights
                .iter()
                .map(|(v, w)| format!("{v} ({})", percent(*w))),
        );
        parts.join(" and ")
    }
}

/// A share (0–1) as a percentage: `10 %`, `12.5 %`.
pub(crate) fn percent(share: f64) -> String {
    let p = (share * 100.0).clamp(0.0, 100.0);
    if p.fract().abs() < 0.05 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

impl Function {
    /// Where its logs go: the group its logging configuration names, else Lambda's default.
    pub fn logs_group(&self) -> String {
        self.log_group
            .clone()
            .unwrap_or_else(|| default_log_group(&self.name))
    }

    /// The published version `version`, if there is one.
    pub fn version(&self, version: &str) -> Option<&FunctionVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The code hash an alias runs: its primary version's, or `$LATEST`'s.
    pub fn code_of(&self, alias: &Alias) -> Option<&str> {
        if alias.version == "$LATEST" {
            return self.code_sha256.as_deref();
        }
        self.version(&alias.version)?.code_sha256.as_deref()
    }
}

/// What feeds a function: an event source mapping (an SQS queue, a stream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    pub uuid: String,
    /// The function, or one of its versions or aliases (`…:function:worker:live`).
    pub function_arn: String,
    pub source_arn: String,
    /// `Enabled`, `Disabled`, or a passing state (`Enabling`, `Disabling`, `Updating`,
    /// `Creating`, `Deleting`).
    pub state: String,
    pub batch_size: Option<i32>,
    pub last_modified: Option<DateTime<Utc>>,
    pub state_reason: Option<String>,
}

impl EventSourceMapping {
    /// Whether it polls its source now (or is about to).
    pub fn consuming(&self) -> bool {
        matches!(
            self.state.as_str(),
            "Enabled" | "Enabling" | "Updating" | "Creating"
        )
    }

    /// The function's name, without a version or alias qualifier.
    pub fn function_name(&self) -> Option<&str> {
        function_name_from_arn(&self.function_arn)
    }

    /// The version or alias the mapping invokes, when it names one.
    pub fn qualifier(&self) -> Option<&str> {
        let rest = self.function_arn.split(":function:").nth(1)?;
        rest.split_once(':')
            .map(|(_, q)| q)
            .filter(|q| !q.is_empty())
    }
}

/// Checks a function name typed or linked by a person: 1–64 letters, digits, hyphens and
/// underscores (Lambda's rule for a bare name).
pub fn parse_function_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(format!(
            "a function name has 1 to 64 characters; {name:?} has {}",
            name.len()
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "{name:?} is not a function name: use letters, digits, hyphens and underscores"
        ));
    }
    Ok(name.to_string())
}

/// Reads Lambda's `LastModified`: `2019-02-27T19:55:17.000+0000` from AWS (an offset without a
/// colon), RFC 3339 from some emulators.
pub fn parse_lambda_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The group Lambda writes a function's logs to when its logging configuration names none.
pub fn default_log_group(function: &str) -> String {
    format!("/aws/lambda/{function}")
}

/// The function name in a Lambda function ARN, with or without a qualifier
/// (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`).
pub fn function_name_from_arn(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?.split(":function:").nth(1)?;
    let name = rest.split(':').next()?;
    (!name.is_empty()).then_some(name)
}

/// The functions of one environment and their event source mappings as last read, with why
/// they could not all be read this cycle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Functions {
    pub functions: Vec<Function>,
    pub mappings: Vec<EventSourceMapping>,
    pub error: Option<String>,
}

impl Functions {
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The mappings that invoke `function` (any version or alias of it).
    pub fn mappings_of(&self, function: &str) -> Vec<&EventSourceMapping> {
        self.mappings
            .iter()
            .filter(|m| m.function_name() == Some(function))
            .collect()
    }

    /// The mappings that read the queue with ARN `queue_arn`: its workers.
    pub fn workers_of(&self, queue_arn: &str) -> Vec<&EventSourceMapping> {
        self.mappings
            .iter()
            .filter(|m| m.source_arn == queue_arn)
            .collect()
    }

    /// Every function of `app` (by tag), by name.
    pub fn of_app(&self, app: &str) -> Vec<&Function> {
        let mut mine: Vec<&Function> = self
            .functions
            .iter()
            .filter(|f| f.app.as_deref() == Some(app))
            .collect();
        mine.sort_by(|a, b| a.name.cmp(&b.name));
        mine
    }
}

/// One queue → worker → dead-letter queue chain: a queue, the functions that consume it (with
/// each mapping's state) and where its failures go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    pub queue: String,
    pub waiting: i64,
    pub workers: Vec<ChainWorker>,
    pub dead_letter: Option<String>,
    /// Messages in the dead-letter queue; `None` when it is not listed here.
    pub dead_letters: Option<i64>,
}

/// One consumer of a chain's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainWorker {
    /// The function's name, or the mapping's whole function ARN when it is not a function here.
    pub function: String,
    pub qualifier: Option<String>,
    pub mapping: String,
    pub state: String,
    pub consuming: bool,
}

/// The chains of the queues of `app` that are not dead-letter queues, by queue name.
pub fn chains(queues: &Queues, functions: &Functions, app: &str) -> Vec<Chain> {
    queues
        .of_app(app)
        .into_iter()
        .filter(|q| !queues.is_dead_letter(q))
        .map(|q| {
            let dlq = queues.dead_letter_of(q);
            Chain {
                queue: q.name.clone(),
                waiting: q.visible,
                workers: functions
                    .workers_of(&q.arn)
                    .into_iter()
                    .map(|m| ChainWorker {
                        function: m.function_name().unwrap_or(&m.function_arn).to_string(),
                        qualifier: m.qualifier().map(str::to_string),
                        mapping: m.uuid.clone(),
                        state: m.state.clone(),
                        consuming: m.consuming(),
                    })
                    .collect(),
                dead_letter: dlq.map(|d| d.name.clone()).or_else(|| {
                    q.redrive.as_ref().map(|r| {
                        super::queues::name_from_arn(&r.dead_letter_arn)
                            .unwrap_or(&r.dead_letter_arn)
                            .to_string()
                    })
                }),
                dead_letters: dlq.map(Queue::messages),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::queues::Queue;

    fn queue(name: &str, visible: i64, dlq: Option<&str>) -> Queue {
        crate::domain::fixtures::queue(name, Some("assess"), visible, dlq)
    }

    fn mapping(uuid: &str, function_arn: &str, source: &str, state: &str) -> EventSourceMapping {
        EventSourceMapping {
            uuid: uuid.into(),
            function_arn: function_arn.into(),
            source_arn: format!("arn:aws:sqs:eu-west-1:1:{source}"),
            state: state.into(),
            batch_size: Some(10),
            last_modified: None,
            state_reason: None,
        }
    }

    #[test]
    fn function_names_and_qualifiers_come_from_arns() {
        // (ARN, name, qualifier)
        let cases = [
            (
                "arn:aws:lambda:eu-west-1:1:function:worker",
                Some("worker"),
                None,
            ),
            (
                "arn:aws:lambda:eu-west-1:1:function:worker:live",
                Some("worker"),
                Some("live"),
            ),
            (
                "arn:aws:lambda:eu-west-1:1:function:worker:7",
                Some("worker"),
                Some("7"),
            ),
            ("arn:aws:sqs:eu-west-1:1:jobs", None, None),
            ("worker", None, None),
        ];
        for (arn, name, qualifier) in cases {
            let m = mapping("u", arn, "jobs", "Enabled");
            assert_eq!(m.function_name(), name, "{arn}");
            assert_eq!(m.qualifier(), qualifier, "{arn}");
        }
    }

    #[test]
    fn lambda_times_read_with_or_without_a_colon_in_the_offset() {
        let cases = [
            ("2019-02-27T19:55:17.000+0000", Some(1551297317)),
            ("2026-12-07T10:10:04.248793000Z", Some(1796638204)),
            ("2026-12-07T10:10:04+01:00", Some(1796634604)),
            ("yesterday", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_lambda_time(text).map(|t| t.timestamp()),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn function_names_are_checked() {
        let long = "f".repeat(65);
        let cases = [
            ("scorer", true),
            ("assessment-scorer_2", true),
            ("", false),
            ("has space", false),
            ("arn:aws:lambda:x", false),
            (long.as_str(), false),
        ];
        for (name, ok) in cases {
            assert_eq!(parse_function_name(name).is_ok(), ok, "{name}");
        }
    }

    #[test]
    fn a_mapping_consumes_unless_disabled_or_on_its_way_there() {
        let cases = [
            ("Enabled", true),
            ("Enabling", true),
            ("Updating", true),
            ("Creating", true),
            ("Disabled", false),
            ("Disabling", false),
            ("Deleting", false),
        ];
        for (state, consuming) in cases {
            assert_eq!(
                mapping("u", "arn:aws:lambda:r:1:function:w", "q", state).consuming(),
                consuming,
                "{state}"
            );
        }
    }

    #[test]
    fn alias_routing_reads_as_words() {
        let alias = |version: &str, weights: Vec<(&str, f64)>| Alias {
            name: "live".into(),
            version: version.into(),
            weights: weights
                .into_iter()
                .map(|(v, w)| (v.to_string(), w))
                .collect(),
            description: None,
        };
        let cases = [
            (alias("7", vec![]), "7"),
            (alias("7", vec![("8", 0.1)]), "7 (90 %) and 8 (10 %)"),
            (alias("7", vec![("8", 0.125)]), "7 (87.5 %) and 8 (12.5 %)"),
            (alias("$LATEST", vec![]), "$LATEST"),
        ];
        for (alias, want) in cases {
            assert_eq!(alias.routing(), want);
        }
    }

    #[test]
    fn a_queue_its_workers_and_its_dead_letter_queue_read_as_one_chain() {
        let queues = Queues {
            queues: vec![
                queue("jobs", 12, Some("jobs-dlq")),
                queue("jobs-dlq", 3, None),
                queue("mail", 0, None),
            ],
            error: None,
            move_tasks: Default::default(),
        };
        let functions = Functions {
            functions: vec![],
            mappings: vec![
                mapping(
                    "m1",
                    "arn:aws:lambda:eu-west-1:1:function:scorer:live",
                    "jobs",
                    "Enabled",
                ),
                mapping(
                    "m2",
                    "arn:aws:lambda:eu-west-1:1:function:auditor",
                    "jobs",
                    "Disabled",
                ),
                mapping(
                    "m3",
                    "arn:aws:lambda:eu-west-1:1:function:other",
                    "elsewhere",
                    "Enabled",
                ),
            ],
            error: None,
        };
        let chains = chains(&queues, &functions, "assess");
        assert_eq!(
            chains.len(),
            2,
            "the dead-letter queue is not a chain of its own"
        );
        let jobs = &chains[0];
        assert_eq!(jobs.queue, "jobs");
        assert_eq!(jobs.dead_letter.as_deref(), Some("jobs-dlq"));
        assert_eq!(jobs.dead_letters, Some(3));
        let workers: Vec<(&str, Option<&str>, bool)> = jobs
            .workers
            .iter()
            .map(|w| (w.function.as_str(), w.qualifier.as_deref(), w.consuming))
            .collect();
        assert_eq!(
            workers,
            [("scorer", Some("live"), true), ("auditor", None, false)]
        );
        assert!(chains[1].workers.is_empty());
        assert_eq!(functions.mappings_of("scorer").len(), 1);
    }
}
