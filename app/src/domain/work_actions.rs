//! Actions on queues and the functions that work them, as pure rules: what a redrive, a cancel
//! of one, a purge, pausing or resuming an event source mapping, pointing or rolling back an
//! alias and setting reserved concurrency would change, checked against the queues and
//! functions as last read, with what a person types parsed (a rate, a routing weight, a
//! concurrency). The use cases look the resource up; these check the request and describe it.

use super::change::Change;
use super::functions::{percent, Alias, EventSourceMapping, Function};
use super::queues::{name_from_arn, MoveTask, Queue, Queues};
use serde::{Deserialize, Serialize};

/// How actions on a queue are stored and listed: `sqs:<queue>` (a colon no cluster, database or
/// alarm id of these pages can hold, so the targets never meet).
pub fn queue_target(name: &str) -> String {
    format!("sqs:{name}")
}

/// How actions on a function are stored and listed: `lambda:<function>`.
pub fn function_target(name: &str) -> String {
    format!("lambda:{name}")
}

/// A checked action on a queue or function: the change in one line, before → after rows, and
/// what else the person should know before confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkPlan {
    pub summary: String,
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
}

/// `1 message`, `4 messages`.
fn messages(n: i64) -> String {
    format!("{n} message{}", super::format::plural(n))
}

/// A checked redrive of a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedrivePlan {
    pub plan: WorkPlan,
    /// The dead-letter queue's ARN (StartMessageMoveTask's `SourceArn`).
    pub source_arn: String,
    /// Its one source queue; `None` when several send to it: each message goes back to the
    /// queue it came from.
    pub destination_arn: Option<String>,
    /// Messages a second; `None`: SQS's own pace.
    pub rate: Option<i32>,
}

/// SQS's bounds on `MaxNumberOfMessagesPerSecond`.
pub const REDRIVE_RATE: (i32, i32) = (1, 500);

/// A redrive rate typed by a person: empty for SQS's own pace, else a whole number within
/// [`REDRIVE_RATE`].
pub fn parse_rate(text: &str) -> Result<Option<i32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (low, high) = REDRIVE_RATE;
    match text.parse::<i64>() {
        Ok(n) if (i64::from(low)..=i64::from(high)).contains(&n) => Ok(Some(n as i32)),
        _ => Err(format!(
            "the rate {text:?} is not a whole number of messages a second from {low} to {high}; leave it empty to let SQS choose"
        )),
    }
}

/// Moving `dlq`'s messages back: it must be a dead-letter queue of a queue this environment
/// lists, hold messages, and have no redrive running.
pub fn plan_redrive(queues: &Queues, dlq: &Queue, rate: &str) -> Result<RedrivePlan, String> {
    let sources = queues.sources_of(dlq);
    if sources.is_empty() {
        return Err(format!(
            "{} is not a dead-letter queue: no queue's redrive policy names it, so its messages have nowhere to go back to",
            dlq.name
        ));
    }
    if let Some(running) = queues.move_tasks.get(&dlq.name).and_then(|m| m.running()) {
        return Err(format!(
            "a redrive of {} is running already ({}); wait for it to end or cancel it",
            dlq.name,
            running.progress()
        ));
    }
    let waiting = dlq.visible + dlq.delayed;
    if waiting == 0 {
        return Err(format!(
            "{} holds no messages to redrive{}",
            dlq.name,
            if dlq.in_flight > 0 {
                format!(
                    " ({} being received: wait until they are back or deleted)",
                    dlq.in_flight
                )
            } else {
                String::new()
            }
        ));
    }
    let rate = parse_rate(rate)?;
    let (destination_arn, to) = match sources.as_slice() {
        [one] => (Some(one.arn.clone()), one.name.clone()),
        many => (
            None,
            format!(
                "the queues they came from ({})",
                many.iter()
                    .map(|q| q.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    let messages = messages(waiting);
    let mut notes = vec![format!(
        "SQS moves the messages in the background; progress shows here while it runs, and it can be cancelled. Messages moved before a cancel stay moved."
    )];
    if sources.iter().any(|q| queues.dead_letter_of(q).is_some()) {
        notes.push(
            "A message that fails again goes back to the dead-letter queue after its receive count."
                .to_string(),
        );
    }
    Ok(RedrivePlan {
        plan: WorkPlan {
            summary: format!(
                "redrive {messages} from {} to {to}{}",
                dlq.name,
                rate.map(|r| format!(" at {r} a second"))
                    .unwrap_or_default()
            ),
            changes: vec![Change::new(
                format!("Messages in {}", dlq.name),
                waiting.to_string(),
                format!("moved to {to}"),
            )],
            notes,
        },
        source_arn: dlq.arn.clone(),
        destination_arn,
        rate,
    })
}

/// Stopping the redrive of `dlq` that runs now: SQS needs its task handle.
pub fn plan_cancel_redrive(queues: &Queues, dlq: &Queue) -> Result<(WorkPlan, String), String> {
    let running: Option<&MoveTask> = queues.move_tasks.get(&dlq.name).and_then(|m| m.running());
    let Some((task, handle)) = running.and_then(|t| t.handle.clone().map(|h| (t, h))) else {
        return Err(format!(
            "no redrive of {} is running as last read; there is nothing to cancel",
            dlq.name
        ));
    };
    Ok((
        WorkPlan {
            summary: format!("cancel the redrive of {} ({})", dlq.name, task.progress()),
            changes: vec![Change::new("Redrive", task.progress(), "cancelled")],
            notes: vec!["Messages already moved stay where they were moved.".to_string()],
        },
        handle,
    ))
}

/// Deleting every message of `queue`, for good: the person types the queue's name whatever the
/// environment.
pub fn plan_purge(queue: &Queue, confirm: Option<&str>) -> Result<WorkPlan, String> {
    if confirm.map(str::trim) != Some(queue.name.as_str()) {
        return Err(format!(
            "a purge deletes every message in {} for good: type {} to confirm",
            queue.name, queue.name
        ));
    }
    let messages = queue.messages();
    Ok(WorkPlan {
        summary: format!(
            "purge {}: delete {}",
            queue.name,
            self::messages(messages)
        ),
        changes: vec![Change::new(
            format!("Messages in {}", queue.name),
            messages.to_string(),
            "0",
        )],
        notes: vec![
            "SQS deletes the messages within 60 seconds; messages sent meanwhile may go too. A queue can be purged once every 60 seconds.".to_string(),
        ],
    })
}

/// Pausing (`enabled` false) or resuming a mapping of `function`: refused when it already is.
pub fn plan_mapping(
    function: &Function,
    mapping: &EventSourceMapping,
    enabled: bool,
) -> Result<WorkPlan, String> {
    let source = name_from_arn(&mapping.source_arn).unwrap_or(&mapping.source_arn);
    let consuming = mapping.consuming();
    if consuming == enabled {
        return Err(format!(
            "{} {} {source} already ({}); nothing would change",
            function.name,
            if enabled {
                "consumes"
            } else {
                "does not consume"
            },
            mapping.state
        ));
    }
    let (verb, after, note) = if enabled {
        (
            "resume",
            "Enabled",
            format!(
                "{} takes messages from {source} again, in batches of {}.",
                function.name,
                mapping
                    .batch_size
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| "its size".into())
            ),
        )
    } else {
        (
            "pause",
            "Disabled",
            format!("Messages stay in {source} and age there until the mapping is resumed; those older than the queue's retention are lost."),
        )
    };
    Ok(WorkPlan {
        summary: format!("{verb} {} consuming {source}", function.name),
        changes: vec![Change::new(
            format!("Mapping from {source}"),
            mapping.state.clone(),
            after,
        )],
        notes: vec![note],
    })
}

/// Where an alias sends invocations: a published version, and another with its share in parts
/// per million (kept whole so a stored command compares exactly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRouting {
    pub version: String,
    pub weights: Vec<(String, u32)>,
}

/// A whole share, in parts per million.
pub const WHOLE: u32 = 1_000_000;

impl AliasRouting {
    /// An alias as read, its weights rounded to parts per million.
    pub fn of(alias: &Alias) -> Self {
        Self {
            version: alias.version.clone(),
            weights: alias
                .weights
                .iter()
                .map(|(v, w)| {
                    (
                        v.clone(),
                        (w.clamp(0.0, 1.0) * f64::from(WHOLE)).round() as u32,
                    )
                })
                .collect(),
        }
    }

    /// The weights as Lambda takes them (0–1).
    pub fn shares(&self) -> Vec<(String, f64)> {
        self.weights
            .iter()
            .map(|(v, ppm)| (v.clone(), f64::from(*ppm) / f64::from(WHOLE)))
            .collect()
    }

    /// In words: `7`, or `7 (90 %) and 8 (10 %)`.
    pub fn describe(&self) -> String {
        Alias {
            name: String::new(),
            version: self.version.clone(),
            weights: self.shares(),
            description: None,
        }
        .routing()
    }
}

/// A routing weight typed by a person: `0.1`, `10%` or `10 %`, from 0 to 1 (0 % to 100 %);
/// answered in parts per million.
pub fn parse_weight(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "the weight {text:?} is not a share from 0 to 1 (0.1, or 10 %) of invocations for the additional version"
        )
    };
    let share = match text.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
        None => text.parse::<f64>(),
    }
    .map_err(|_| bad())?;
    if !share.is_finite() || !(0.0..=1.0).contains(&share) {
        return Err(bad());
    }
    Ok((share * f64::from(WHOLE)).round() as u32)
}

/// Whether a version is one an alias may point at: published (a number), not `$LATEST`.
fn published<'f>(function: &'f Function, version: &str, what: &str) -> Result<&'f str, String> {
    let version = version.trim();
    if version.eq_ignore_ascii_case("$LATEST") {
        return Err(format!(
            "the {what} must be a published version, not $LATEST: $LATEST changes with every code update; publish a version first"
        ));
    }
    function
        .version(version)
        .map(|v| v.version.as_str())
        .ok_or_else(|| {
            let known: Vec<&str> = function
                .versions
                .iter()
                .map(|v| v.version.as_str())
                .collect();
            format!(
                "{} has no published version {version:?} (published: {})",
                function.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )
        })
}

fn alias_plan(
    function: &Function,
    alias: &Alias,
    from: &AliasRouting,
    to: &AliasRouting,
    verb: &str,
) -> WorkPlan {
    let code = |routing: &AliasRouting| {
        function
            .version(&routing.version)
            .and_then(|v| v.code_sha256.clone())
            .map(|c| c.chars().take(12).collect::<String>())
            .unwrap_or_else(|| "—".into())
    };
    let mut changes = vec![Change::new(
        format!("Alias {}", alias.name),
        from.describe(),
        to.describe(),
    )];
    if from.version != to.version {
        changes.push(Change::new("Code (primary)", code(from), code(to)));
    }
    let mut notes = Vec::new();
    if let Some((v, ppm)) = to.weights.first() {
        notes.push(format!(
            "Lambda sends about {} of the invocations through {} to version {v}; the rest run {}.",
            percent(f64::from(*ppm) / f64::from(WHOLE)),
            alias.name,
            to.version
        ));
    }
    notes.push(
        "Event source mappings and callers that name the alias follow it at once.".to_string(),
    );
    WorkPlan {
        summary: format!(
            "{verb} {}:{} {} → {}",
            function.name,
            alias.name,
            from.describe(),
            to.describe()
        ),
        changes,
        notes,
    }
}

/// Pointing `alias` at published `version`, with `additional` (another published version,
/// empty for none) taking `weight` of the invocations. Answers the plan, and the routing before
/// and after.
pub fn plan_alias(
    function: &Function,
    alias: &Alias,
    version: &str,
    additional: &str,
    weight: &str,
) -> Result<(WorkPlan, AliasRouting, AliasRouting), String> {
    let version = published(function, version, "version")?.to_string();
    let additional = additional.trim();
    let weights = if additional.is_empty() {
        if !weight.trim().is_empty() {
            return Err(
                "a weight needs an additional version to send it to; choose one, or leave the weight empty"
                    .to_string(),
            );
        }
        Vec::new()
    } else {
        let extra = published(function, additional, "additional version")?.to_string();
        if extra == version {
            return Err(format!(
                "the additional version must differ from the version the alias points at ({version})"
            ));
        }
        let ppm = parse_weight(weight)?;
        if ppm == 0 {
            Vec::new()
        } else {
            vec![(extra, ppm)]
        }
    };
    let from = AliasRouting::of(alias);
    let to = AliasRouting { version, weights };
    if from == to {
        return Err(format!(
            "{} already routes to {}; nothing would change",
            alias.name,
            to.describe()
        ));
    }
    let plan = alias_plan(function, alias, &from, &to, "point");
    Ok((plan, from, to))
}

/// Putting `alias` back: a weighted alias drops its additional version (every invocation runs
/// its version again); otherwise it points at the newest published version older than its own.
pub fn plan_alias_rollback(
    function: &Function,
    alias: &Alias,
) -> Result<(WorkPlan, AliasRouting, AliasRouting), String> {
    let from = AliasRouting::of(alias);
    let to = if !from.weights.is_empty() {
        AliasRouting {
            version: from.version.clone(),
            weights: Vec::new(),
        }
    } else {
        let current: u64 = from.version.parse().map_err(|_| {
            format!(
                "{} points at {}, not a published version; point it at one instead",
                alias.name, from.version
            )
        })?;
        let previous = function
            .versions
            .iter()
            .filter_map(|v| v.version.parse::<u64>().ok())
            .filter(|v| *v < current)
            .max()
            .ok_or_else(|| {
                format!(
                    "{} has no published version older than {current} to roll {} back to",
                    function.name, alias.name
                )
            })?;
        AliasRouting {
            version: previous.to_string(),
            weights: Vec::new(),
        }
    };
    let plan = alias_plan(function, alias, &from, &to, "roll back");
    Ok((plan, from, to))
}

/// The most reserved concurrency the console asks for; AWS refuses more than the account's
/// own limit leaves, in its own words.
pub const MAX_RESERVED_CONCURRENCY: i32 = 100_000;

/// Reserved concurrency typed by a person: a whole number from 0, or empty (or `none`) to
/// remove the reservation so the function shares the account's pool.
pub fn parse_concurrency(text: &str) -> Result<Option<i32>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!(
            "reserved concurrency {n} is negative; 0 stops every invocation"
        )),
        Ok(n) if n <= i64::from(MAX_RESERVED_CONCURRENCY) => Ok(Some(n as i32)),
        _ => Err(format!(
            "reserved concurrency {text:?} is not a whole number from 0 to {MAX_RESERVED_CONCURRENCY}; leave it empty to remove the reservation"
        )),
    }
}

fn describe_concurrency(value: Option<i32>) -> String {
    match value {
        None => "unreserved (the account's pool)".to_string(),
        Some(0) => "0 (stopped)".to_string(),
        Some(n) => n.to_string(),
    }
}

/// Setting `function`'s reserved concurrency to what `text` asks; answers the plan and the
/// value (`None`: remove the reservation).
pub fn plan_concurrency(
    function: &Function,
    text: &str,
) -> Result<(WorkPlan, Option<i32>), String> {
    let to = parse_concurrency(text)?;
    let from = function.reserved_concurrency;
    if from == to {
        return Err(format!(
            "{}'s reserved concurrency is {} already; nothing would change",
            function.name,
            describe_concurrency(to)
        ));
    }
    let note = match to {
        Some(0) => "Every invocation is throttled: queues behind it keep their messages, synchronous callers get errors, until the reservation is raised or removed.".to_string(),
        Some(n) => format!("At most {n} run at once; the rest are throttled. The account's unreserved pool shrinks by what is reserved."),
        None => "The function shares the account's unreserved pool again.".to_string(),
    };
    Ok((
        WorkPlan {
            summary: format!(
                "reserved concurrency of {}: {} → {}",
                function.name,
                describe_concurrency(from),
                describe_concurrency(to)
            ),
            changes: vec![Change::new(
                "Reserved concurrency",
                describe_concurrency(from),
                describe_concurrency(to),
            )],
            notes: vec![note],
        },
        to,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::queues::MoveTasks;

    fn queue(name: &str, visible: i64, dlq: Option<&str>) -> Queue {
        crate::domain::fixtures::queue(name, None, visible, dlq)
    }

    fn running(handle: Option<&str>) -> MoveTask {
        MoveTask {
            handle: handle.map(str::to_string),
            status: "RUNNING".into(),
            destination_arn: None,
            moved: 3,
            to_move: Some(10),
            failure: None,
            started_at: None,
        }
    }

    fn queues(list: Vec<Queue>, tasks: &[(&str, MoveTask)]) -> Queues {
        Queues {
            queues: list,
            error: None,
            move_tasks: tasks
                .iter()
                .map(|(n, t)| {
                    (
                        n.to_string(),
                        MoveTasks {
                            tasks: vec![t.clone()],
                            error: None,
                            read_at: None,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn redrives_go_from_a_dead_letter_queue_with_messages_to_its_source() {
        let one = queues(
            vec![
                queue("jobs", 0, Some("jobs-dlq")),
                queue("jobs-dlq", 4, None),
            ],
            &[],
        );
        let two = queues(
            vec![
                queue("a", 0, Some("shared-dlq")),
                queue("b", 0, Some("shared-dlq")),
                queue("shared-dlq", 2, None),
            ],
            &[],
        );
        let busy = queues(
            vec![
                queue("jobs", 0, Some("jobs-dlq")),
                queue("jobs-dlq", 4, None),
            ],
            &[("jobs-dlq", running(Some("h1")))],
        );
        let empty = queues(
            vec![
                queue("jobs", 0, Some("jobs-dlq")),
                queue("jobs-dlq", 0, None),
            ],
            &[],
        );
        // (queues, queue, rate) → Ok((destination, summary)) or Err(needle)
        // Ok((destination, words in the summary)) or Err(words in the refusal)
        type Expected<'a> = Result<(Option<&'a str>, &'a str), &'a str>;
        let cases: Vec<(&Queues, &str, &str, Expected)> = vec![
            (
                &one,
                "jobs-dlq",
                "",
                Ok((Some("jobs"), "redrive 4 messages from jobs-dlq to jobs")),
            ),
            (
                &one,
                "jobs-dlq",
                " 50 ",
                Ok((Some("jobs"), "at 50 a second")),
            ),
            (
                &two,
                "shared-dlq",
                "",
                Ok((None, "to the queues they came from (a, b)")),
            ),
            (&one, "jobs", "", Err("not a dead-letter queue")),
            (
                &busy,
                "jobs-dlq",
                "",
                Err("running already (running: 3 of 10 moved)"),
            ),
            (&empty, "jobs-dlq", "", Err("holds no messages")),
            (&one, "jobs-dlq", "0", Err("from 1 to 500")),
            (&one, "jobs-dlq", "501", Err("from 1 to 500")),
            (&one, "jobs-dlq", "fast", Err("not a whole number")),
        ];
        for (queues, name, rate, expected) in cases {
            let dlq = queues.get(name).expect(name);
            let got = plan_redrive(queues, dlq, rate);
            match (got, expected) {
                (Ok(plan), Ok((dest, summary))) => {
                    let dest = dest.map(|d| format!("arn:aws:sqs:eu-west-1:1:{d}"));
                    assert_eq!(plan.destination_arn, dest, "{name}");
                    assert_eq!(plan.source_arn, dlq.arn);
                    assert!(plan.plan.summary.contains(summary), "{}", plan.plan.summary);
                }
                (Err(e), Err(needle)) => assert!(e.contains(needle), "{name} {rate}: {e}"),
                (got, expected) => panic!("{name} {rate}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn a_cancel_needs_a_running_redrive_with_its_handle() {
        let list = || {
            vec![
                queue("jobs", 0, Some("jobs-dlq")),
                queue("jobs-dlq", 4, None),
            ]
        };
        let with = queues(list(), &[("jobs-dlq", running(Some("h1")))]);
        let (plan, handle) = plan_cancel_redrive(&with, with.get("jobs-dlq").unwrap()).unwrap();
        assert_eq!(handle, "h1");
        assert!(plan.summary.contains("3 of 10 moved"), "{}", plan.summary);
        let mut done = running(None);
        done.status = "COMPLETED".into();
        for q in [
            queues(list(), &[]),
            queues(list(), &[("jobs-dlq", done)]),
            queues(list(), &[("jobs-dlq", running(None))]),
        ] {
            let err = plan_cancel_redrive(&q, q.get("jobs-dlq").unwrap()).unwrap_err();
            assert!(err.contains("nothing to cancel"), "{err}");
        }
    }

    #[test]
    fn a_purge_is_confirmed_by_typing_the_queues_name() {
        let q = queue("jobs", 7, None);
        let cases = [
            (Some("jobs"), true),
            (Some(" jobs "), true),
            (Some("job"), false),
            (Some("JOBS"), false),
            (None, false),
        ];
        for (confirm, ok) in cases {
            match plan_purge(&q, confirm) {
                Ok(plan) => {
                    assert!(ok, "{confirm:?}");
                    assert_eq!(plan.summary, "purge jobs: delete 7 messages");
                }
                Err(e) => {
                    assert!(!ok, "{confirm:?}");
                    assert!(e.contains("type jobs to confirm"), "{e}");
                }
            }
        }
    }

    fn function(versions: &[&str], reserved: Option<i32>) -> Function {
        Function {
            versions: versions
                .iter()
                .map(|v| crate::domain::fixtures::version(v, &format!("code-of-{v}")))
                .collect(),
            reserved_concurrency: reserved,
            ..crate::domain::fixtures::function("scorer", None)
        }
    }

    fn alias(version: &str, weights: &[(&str, f64)]) -> Alias {
        Alias {
            name: "live".into(),
            version: version.into(),
            weights: weights.iter().map(|(v, w)| (v.to_string(), *w)).collect(),
            description: None,
        }
    }

    #[test]
    fn weights_are_shares_from_zero_to_one() {
        let cases = [
            ("0.1", Ok(100_000)),
            ("10%", Ok(100_000)),
            (" 12.5 % ", Ok(125_000)),
            ("0", Ok(0)),
            ("1", Ok(WHOLE)),
            ("1.5", Err(())),
            ("-0.1", Err(())),
            ("150%", Err(())),
            ("NaN", Err(())),
            ("inf", Err(())),
            ("ten", Err(())),
            ("", Err(())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_weight(text).map_err(|_| ()), expected, "{text:?}");
        }
    }

    #[test]
    fn aliases_point_at_published_versions_with_at_most_one_weighted() {
        let f = function(&["1", "2", "3"], None);
        let at2 = alias("2", &[]);
        // (version, additional, weight) → Ok(routing in words) or Err(needle)
        let cases = [
            (("3", "", ""), Ok("3")),
            (("2", "3", "10%"), Ok("2 (90 %) and 3 (10 %)")),
            (("3", "2", "0.5"), Ok("3 (50 %) and 2 (50 %)")),
            (("3", "2", "0"), Ok("3")),
            (("2", "", ""), Err("nothing would change")),
            (("2", "3", "0"), Err("nothing would change")),
            (("$LATEST", "", ""), Err("not $LATEST")),
            (("2", "$latest", "0.1"), Err("not $LATEST")),
            (
                ("9", "", ""),
                Err("no published version \"9\" (published: 1, 2, 3)"),
            ),
            (("2", "9", "0.1"), Err("no published version \"9\"")),
            (("3", "3", "0.1"), Err("must differ")),
            (("2", "3", "1.5"), Err("from 0 to 1")),
            (("2", "3", ""), Err("from 0 to 1")),
            (("3", "", "0.1"), Err("needs an additional version")),
        ];
        for ((version, extra, weight), expected) in cases {
            match (plan_alias(&f, &at2, version, extra, weight), expected) {
                (Ok((plan, from, to)), Ok(words)) => {
                    assert_eq!(to.describe(), words);
                    assert_eq!(from.describe(), "2");
                    assert!(
                        plan.summary.starts_with("point scorer:live 2 → "),
                        "{}",
                        plan.summary
                    );
                }
                (Err(e), Err(needle)) => {
                    assert!(e.contains(needle), "{version}/{extra}/{weight}: {e}")
                }
                (got, expected) => {
                    panic!("{version}/{extra}/{weight}: got {got:?}, expected {expected:?}")
                }
            }
        }
    }

    #[test]
    fn a_rollback_drops_the_canary_or_goes_to_the_version_before() {
        let f = function(&["1", "2", "5", "7"], None);
        let cases = [
            (alias("7", &[("5", 0.1)]), Ok("7")),
            (alias("7", &[]), Ok("5")),
            (alias("5", &[]), Ok("2")),
            (alias("1", &[]), Err("no published version older than 1")),
            (alias("$LATEST", &[]), Err("not a published version")),
        ];
        for (a, expected) in cases {
            match (plan_alias_rollback(&f, &a), expected) {
                (Ok((plan, _, to)), Ok(words)) => {
                    assert_eq!(to.describe(), words);
                    assert!(
                        plan.summary.starts_with("roll back scorer:live"),
                        "{}",
                        plan.summary
                    );
                }
                (Err(e), Err(needle)) => assert!(e.contains(needle), "{e}"),
                (got, expected) => panic!("{a:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn reserved_concurrency_is_zero_or_more_or_removed() {
        let cases = [
            (None, "0", Ok(Some(0)), "0 (stopped)"),
            (Some(20), "5", Ok(Some(5)), "20 → 5"),
            (Some(0), "", Ok(None), "unreserved"),
            (Some(0), "none", Ok(None), "unreserved"),
            (Some(20), "20", Err("nothing would change"), ""),
            (None, "", Err("nothing would change"), ""),
            (None, "-1", Err("negative"), ""),
            (None, "2.5", Err("not a whole number"), ""),
            (
                None,
                "100001",
                Err("not a whole number from 0 to 100000"),
                "",
            ),
        ];
        for (reserved, text, expected, words) in cases {
            let f = function(&["1"], reserved);
            match (plan_concurrency(&f, text), expected) {
                (Ok((plan, to)), Ok(value)) => {
                    assert_eq!(to, value, "{text}");
                    assert!(plan.summary.contains(words), "{}", plan.summary);
                }
                (Err(e), Err(needle)) => assert!(e.contains(needle), "{text}: {e}"),
                (got, expected) => panic!("{text}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn mappings_pause_only_when_consuming_and_resume_only_when_not() {
        let f = function(&["1"], None);
        let mapping = |state: &str| EventSourceMapping {
            uuid: "u1".into(),
            function_arn: f.arn.clone(),
            source_arn: "arn:aws:sqs:eu-west-1:1:jobs".into(),
            state: state.into(),
            batch_size: Some(10),
            last_modified: None,
            state_reason: None,
        };
        let cases = [
            ("Enabled", false, Ok("pause scorer consuming jobs")),
            ("Disabled", true, Ok("resume scorer consuming jobs")),
            ("Disabled", false, Err("does not consume jobs already")),
            ("Enabled", true, Err("consumes jobs already")),
        ];
        for (state, enabled, expected) in cases {
            match (plan_mapping(&f, &mapping(state), enabled), expected) {
                (Ok(plan), Ok(summary)) => assert_eq!(plan.summary, summary),
                (Err(e), Err(needle)) => assert!(e.contains(needle), "{e}"),
                (got, expected) => panic!("{state}/{enabled}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn targets_keep_queues_and_functions_apart() {
        assert_eq!(queue_target("jobs"), "sqs:jobs");
        assert_eq!(function_target("jobs"), "lambda:jobs");
    }
}
