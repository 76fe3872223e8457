//! SQS queues as the console shows them: how many messages wait, are being worked and are
//! delayed, the dead-letter queue each queue sends its failures to (from its redrive policy),
//! and the checks on what an operator types about a queue. Pure: the SQS adapter maps AWS's
//! attribute strings with the parsers here.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One SQS queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    pub name: String,
    pub url: String,
    pub arn: String,
    pub fifo: bool,
    pub encryption: Encryption,
    /// `ApproximateNumberOfMessages`: waiting to be received.
    pub visible: i64,
    /// `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted (in flight).
    pub in_flight: i64,
    /// `ApproximateNumberOfMessagesDelayed`.
    pub delayed: i64,
    pub created_at: Option<DateTime<Utc>>,
    pub visibility_timeout_secs: Option<i64>,
    pub retention_secs: Option<i64>,
    /// Where messages go after too many receives.
    pub redrive: Option<Redrive>,
    pub tags: BTreeMap<String, String>,
    pub app: Option<String>,
    /// When the tags were read (they are read again now and then, not every cycle).
    pub tags_read_at: Option<DateTime<Utc>>,
}

impl Queue {
    /// Messages in the queue: waiting, in flight and delayed.
    pub fn messages(&self) -> i64 {
        self.visible + self.in_flight + self.delayed
    }
}

/// How a queue's messages are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encryption {
    None,
    /// SSE-SQS: keys SQS manages.
    SqsManaged,
    /// SSE-KMS with this key id or alias.
    Kms(String),
}

impl Encryption {
    /// From the `KmsMasterKeyId` and `SqsManagedSseEnabled` attributes (a KMS key wins: some
    /// emulators report SSE-SQS on as well).
    pub fn of(kms_key: Option<&str>, sqs_managed: Option<&str>) -> Self {
        match kms_key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => Encryption::Kms(key.to_string()),
            None if sqs_managed.is_some_and(|v| v.eq_ignore_ascii_case("true")) => {
                Encryption::SqsManaged
            }
            None => Encryption::None,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Encryption::None => "not encrypted".into(),
            Encryption::SqsManaged => "SSE-SQS".into(),
            Encryption::Kms(key) => format!("SSE-KMS ({key})"),
        }
    }
}

/// A queue's redrive policy: after `max_receive_count` receives a message moves to the
/// dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redrive {
    pub dead_letter_arn: String,
    pub max_receive_count: u32,
}

/// Reads the `RedrivePolicy` attribute, JSON such as
/// `{"deadLetterTargetArn":"arn:aws:sqs:…:jobs-dlq","maxReceiveCount":"5"}` (AWS sends the count
/// as a string, some emulators as a number: both are read).
pub fn parse_redrive_policy(text: &str) -> Result<Redrive, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the redrive policy is not JSON ({e})"))?;
    let dead_letter_arn = doc["deadLetterTargetArn"]
        .as_str()
        .filter(|a| !a.is_empty())
        .ok_or("the redrive policy names no deadLetterTargetArn")?
        .to_string();
    let count = &doc["maxReceiveCount"];
    let max_receive_count = count
        .as_u64()
        .or_else(|| count.as_str().and_then(|s| s.trim().parse().ok()))
        .and_then(|n| u32::try_from(n).ok())
        .ok_or("the redrive policy's maxReceiveCount is not a whole number")?;
    Ok(Redrive {
        dead_letter_arn,
        max_receive_count,
    })
}

/// Reads an epoch-seconds attribute (`CreatedTimestamp`): whole seconds from AWS, a decimal
/// fraction from some emulators.
pub fn parse_epoch_seconds(text: &str) -> Option<DateTime<Utc>> {
    let seconds: f64 = text.trim().parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Utc.timestamp_opt(seconds.trunc() as i64, 0).single()
}

/// The queue name at the end of an SQS ARN (`arn:aws:sqs:<region>:<account>:<name>`).
pub fn name_from_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("sqs"), Some(_), Some(_), Some(name)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!name.is_empty()).then_some(name)
}

/// Checks a queue name typed or linked by a person: 1–80 letters, digits, hyphens and
/// underscores, with `.fifo` at the end of a FIFO queue's name (SQS's own rule).
pub fn parse_queue_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if name.is_empty() || name.len() > 80 {
        return Err(format!(
            "a queue name has 1 to 80 characters; {:?} has {}",
            name,
            name.len()
        ));
    }
    if base.is_empty()
        || !base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "{name:?} is not a queue name: use letters, digits, hyphens and underscores (and .fifo at the end of a FIFO queue)"
        ));
    }
    Ok(name.to_string())
}

/// The queues of one environment as last read, with why they could not be read this cycle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Queues {
    /// By name.
    pub queues: Vec<Queue>,
    pub error: Option<String>,
    /// The redrives of dead-letter queues (by name) that the console started or saw running,
    /// as ListMessageMoveTasks last told them; read only while one runs, never per cycle for
    /// every queue.
    #[serde(default)]
    pub move_tasks: BTreeMap<String, MoveTasks>,
}

/// A dead-letter queue's recent redrives (message move tasks), newest first, as last read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveTasks {
    pub tasks: Vec<MoveTask>,
    /// Why they could not be read (SQS's code and message), shown in place.
    pub error: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
}

impl MoveTasks {
    /// The redrive running now, if any: the one a cancel stops.
    pub fn running(&self) -> Option<&MoveTask> {
        self.tasks.iter().find(|t| t.is_running())
    }
}

/// One message move task: a redrive from a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveTask {
    /// The handle a cancel names; SQS gives it for running tasks only.
    pub handle: Option<String>,
    /// RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED.
    pub status: String,
    /// Where the messages go; `None`: back to the queues they came from.
    pub destination_arn: Option<String>,
    pub moved: i64,
    /// How many there were to move when it started.
    pub to_move: Option<i64>,
    pub failure: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
}

impl MoveTask {
    pub fn is_running(&self) -> bool {
        self.status == "RUNNING"
    }

    /// How far it got, in words: `running: 12 of 40 moved`, `completed: 40 moved`.
    pub fn progress(&self) -> String {
        let moved = match self.to_move {
            Some(total) if self.is_running() => format!("{} of {total} moved", self.moved),
            _ => format!("{} moved", self.moved),
        };
        let status = self.status.to_lowercase();
        match &self.failure {
            Some(why) => format!("{status}: {moved} ({why})"),
            None => format!("{status}: {moved}"),
        }
    }
}

impl Queues {
    pub fn get(&self, name: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.name == name)
    }

    fn by_arn(&self, arn: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.arn == arn)
    }

    /// The dead-letter queue `queue`'s redrive policy names, when this environment has it.
    pub fn dead_letter_of(&self, queue: &Queue) -> Option<&Queue> {
        self.by_arn(&queue.redrive.as_ref()?.dead_letter_arn)
    }

    /// The queues that send their failures to `queue`: not empty means `queue` is a
    /// dead-letter queue.
    pub fn sources_of(&self, queue: &Queue) -> Vec<&Queue> {
        self.queues
            .iter()
            .filter(|q| {
                q.redrive
                    .as_ref()
                    .is_some_and(|r| r.dead_letter_arn == queue.arn)
            })
            .collect()
    }

    pub fn is_dead_letter(&self, queue: &Queue) -> bool {
        !self.sources_of(queue).is_empty()
    }

    /// Where a queue stands, in one word.
    pub fn verdict(&self, queue: &Queue) -> QueueVerdict {
        QueueVerdict::of(
            queue,
            self.is_dead_letter(queue),
            self.dead_letter_of(queue),
        )
    }

    /// Every queue of `app` (by tag), source queues first and each followed by its dead-letter
    /// queue.
    pub fn of_app(&self, app: &str) -> Vec<&Queue> {
        let mut mine: Vec<&Queue> = self
            .queues
            .iter()
            .filter(|q| q.app.as_deref() == Some(app))
            .collect();
        mine.sort_by_key(|q| (self.is_dead_letter(q), q.name.clone()));
        mine
    }
}

/// Where a queue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueVerdict {
    /// Nothing waiting.
    Empty,
    /// Messages waiting to be received.
    Waiting,
    /// Its dead-letter queue holds messages: some of its messages failed.
    FailingMessages,
    /// A dead-letter queue holding messages.
    DeadLetters,
}

impl QueueVerdict {
    /// The verdict of `queue`, given whether it is a dead-letter queue and its own dead-letter
    /// queue when the environment lists it.
    pub fn of(queue: &Queue, is_dead_letter: bool, dead_letter: Option<&Queue>) -> Self {
        if is_dead_letter {
            return if queue.messages() > 0 {
                QueueVerdict::DeadLetters
            } else {
                QueueVerdict::Empty
            };
        }
        if dead_letter.is_some_and(|d| d.messages() > 0) {
            return QueueVerdict::FailingMessages;
        }
        if queue.visible > 0 {
            QueueVerdict::Waiting
        } else {
            QueueVerdict::Empty
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueueVerdict::Empty => "empty",
            QueueVerdict::Waiting => "messages waiting",
            QueueVerdict::FailingMessages => "failures in its DLQ",
            QueueVerdict::DeadLetters => "dead letters",
        }
    }

    /// Whether an operator should look (shown highlighted).
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            QueueVerdict::FailingMessages | QueueVerdict::DeadLetters
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(name: &str, visible: i64, dlq: Option<&str>) -> Queue {
        crate::domain::fixtures::queue(name, Some("assess"), visible, dlq)
    }

    #[test]
    fn redrive_policies_read_the_count_as_a_string_or_a_number() {
        let arn = "arn:aws:sqs:eu-west-1:1:jobs-dlq";
        let cases: [(&str, Result<u32, &str>); 6] = [
            (
                r#"{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:jobs-dlq","maxReceiveCount":"5"}"#,
                Ok(5),
            ),
            (
                r#"{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:jobs-dlq","maxReceiveCount":3}"#,
                Ok(3),
            ),
            (r#"{"maxReceiveCount":3}"#, Err("deadLetterTargetArn")),
            (
                r#"{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:jobs-dlq","maxReceiveCount":"many"}"#,
                Err("whole number"),
            ),
            (
                r#"{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:jobs-dlq","maxReceiveCount":-1}"#,
                Err("whole number"),
            ),
            ("not json", Err("not JSON")),
        ];
        for (text, want) in cases {
            match (parse_redrive_policy(text), want) {
                (Ok(r), Ok(n)) => {
                    assert_eq!(r.max_receive_count, n, "{text}");
                    assert_eq!(r.dead_letter_arn, arn);
                }
                (Err(e), Err(part)) => assert!(e.contains(part), "{text}: {e}"),
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn epoch_seconds_are_read_whole_or_with_a_fraction() {
        let cases = [
            ("1796638166", Some(1796638166)),
            ("1796638166.6538", Some(1796638166)),
            (" 0 ", Some(0)),
            ("-5", None),
            ("soon", None),
            ("NaN", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_epoch_seconds(text).map(|t| t.timestamp()),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn queue_names_come_from_arns_and_are_checked() {
        assert_eq!(
            name_from_arn("arn:aws:sqs:eu-west-1:123456789012:jobs.fifo"),
            Some("jobs.fifo")
        );
        assert_eq!(name_from_arn("arn:aws:sns:eu-west-1:1:topic"), None);
        assert_eq!(name_from_arn("arn:aws:sqs:eu-west-1:1:"), None);
        let long = "q".repeat(81);
        let cases: [(&str, bool); 8] = [
            ("assess-jobs", true),
            ("assess_jobs-dlq", true),
            ("orders.fifo", true),
            (".fifo", false),
            ("", false),
            ("has space", false),
            ("semi;colon", false),
            (long.as_str(), false),
        ];
        for (name, ok) in cases {
            assert_eq!(parse_queue_name(name).is_ok(), ok, "{name}");
        }
    }

    #[test]
    fn encryption_prefers_a_kms_key() {
        let cases = [
            (Some("alias/jobs"), Some("true"), "SSE-KMS (alias/jobs)"),
            (None, Some("true"), "SSE-SQS"),
            (Some(" "), Some("false"), "not encrypted"),
            (None, None, "not encrypted"),
        ];
        for (key, managed, want) in cases {
            assert_eq!(Encryption::of(key, managed).label(), want);
        }
    }

    #[test]
    fn a_queue_and_its_dead_letter_queue_read_as_one_unit() {
        let queues = Queues {
            queues: vec![
                queue("jobs-dlq", 3, None),
                queue("jobs", 12, Some("jobs-dlq")),
                queue("mail", 0, Some("mail-dlq")),
                queue("mail-dlq", 0, None),
                queue("idle", 0, None),
            ],
            error: None,
            move_tasks: Default::default(),
        };
        let get = |n: &str| queues.get(n).unwrap();
        // (queue, verdict)
        let cases = [
            ("jobs", QueueVerdict::FailingMessages),
            ("jobs-dlq", QueueVerdict::DeadLetters),
            ("mail", QueueVerdict::Empty),
            ("mail-dlq", QueueVerdict::Empty),
            ("idle", QueueVerdict::Empty),
        ];
        for (name, want) in cases {
            assert_eq!(queues.verdict(get(name)), want, "{name}");
        }
        assert_eq!(
            queues.dead_letter_of(get("jobs")).map(|q| q.name.as_str()),
            Some("jobs-dlq")
        );
        assert!(queues.is_dead_letter(get("jobs-dlq")));
        assert!(!queues.is_dead_letter(get("jobs")));
        let order: Vec<&str> = queues
            .of_app("assess")
            .iter()
            .map(|q| q.name.as_str())
            .collect();
        assert_eq!(order, ["idle", "jobs", "mail", "jobs-dlq", "mail-dlq"]);
    }
}
