//! The queues page and the queue page: SQS queues across environments, each beside the
//! dead-letter queue its failures go to, and one queue with its charts, its dead-letter queue or
//! the queues that feed it, and the alarms that watch it.

use super::functions::{workers_of, MappingRef};
use super::rows::{firing, watches_queue, watching};
use super::summary::{cards, detail_rows, DetailRows, EnvCard, EnvData, ReadError};
use crate::domain::ids::EnvId;
use crate::domain::inventory::{Alarm, QueueMetrics};
use crate::domain::queues::{Queue, QueueVerdict, Queues};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A queue with the figures its table row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub env: EnvId,
    pub queue: Queue,
    pub verdict: QueueVerdict,
    /// The dead-letter queue its redrive policy names: its name and the messages in it, or
    /// only its name when this environment does not list it.
    pub dead_letter: Option<DeadLetterRef>,
    /// For a dead-letter queue, the queues whose failures it holds.
    pub sources: Vec<String>,
    /// The age of the oldest message at the last metric point, in seconds.
    pub oldest_age_secs: Option<f64>,
    pub alarms_firing: u32,
}

/// A dead-letter queue as its source's row shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterRef {
    pub name: String,
    /// Messages in it (visible, in flight and delayed); `None` when it is not listed here.
    pub messages: Option<i64>,
}

impl QueueRow {
    fn of(env: &EnvData<'_>, queues: &Queues, queue: &Queue, alarms: &[Alarm]) -> Self {
        let found = queues.dead_letter_of(queue);
        let sources: Vec<String> = queues
            .sources_of(queue)
            .iter()
            .map(|q| q.name.clone())
            .collect();
        let dead_letter = queue.redrive.as_ref().map(|r| DeadLetterRef {
            name: found.map(|d| d.name.clone()).unwrap_or_else(|| {
                crate::domain::queues::name_from_arn(&r.dead_letter_arn)
                    .unwrap_or(&r.dead_letter_arn)
                    .to_string()
            }),
            messages: found.map(Queue::messages),
        });
        Self {
            env: env.descriptor.id.clone(),
            verdict: QueueVerdict::of(queue, !sources.is_empty(), found),
            dead_letter,
            sources,
            oldest_age_secs: env
                .details
                .and_then(|d| d.queue_metrics.get(&queue.name))
                .and_then(|m| m.oldest_age.latest()),
            alarms_firing: firing(alarms, |a| watches_queue(a, &queue.name)),
            queue: queue.clone(),
        }
    }
}

/// An environment's queues in figures, for its page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSummary {
    pub queues: usize,
    /// Messages waiting in queues that are not dead-letter queues.
    pub waiting: i64,
    /// Dead-letter queues holding messages, and how many messages they hold.
    pub dead_letter_queues_holding: usize,
    pub dead_letters: i64,
    /// Why the queues could not all be read this cycle.
    pub error: Option<String>,
}

impl QueueSummary {
    pub fn of(queues: &Queues) -> Self {
        let mut summary = QueueSummary {
            queues: queues.queues.len(),
            error: queues.error.clone(),
            ..QueueSummary::default()
        };
        for q in &queues.queues {
            if queues.is_dead_letter(q) {
                let held = q.messages();
                if held > 0 {
                    summary.dead_letter_queues_holding += 1;
                    summary.dead_letters += held;
                }
            } else {
                summary.waiting += q.visible;
            }
        }
        summary
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuesView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    /// By app (queues without one last), sources before dead-letter queues, then name.
    pub rows: Vec<QueueRow>,
    pub env_filter: Option<EnvId>,
    pub errors: Vec<ReadError>,
    /// Environments whose queues have not been read yet (the first details cycle is running).
    pub unread: Vec<EnvId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub row: QueueRow,
    /// Its dead-letter queue, when this environment lists it.
    pub dead_letter: Option<QueueRow>,
    /// The queues that send their failures here (this is a dead-letter queue).
    pub sources: Vec<QueueRow>,
    pub metrics: Option<QueueMetrics>,
    pub alarms: Vec<Alarm>,
    /// Why the queues could not all be read this cycle (shown as last read).
    pub read_error: Option<String>,
    /// The functions that consume it: each function's name and its event source mapping.
    pub workers: Vec<(String, MappingRef)>,
    /// Its redrives as last read (a dead-letter queue the console redrove).
    #[serde(default)]
    pub move_tasks: Option<crate::domain::queues::MoveTasks>,
    /// What the person may do to it, and what was done lately (set by the server function).
    #[serde(default)]
    pub actions: Option<super::action_panel::ActionPanel>,
}

pub fn queues(envs: &[EnvData<'_>], env_filter: Option<&EnvId>, now: DateTime<Utc>) -> QueuesView {
    let DetailRows {
        rows,
        errors,
        unread,
    } = detail_rows(
        envs,
        env_filter,
        |env, details| {
            let queues = &details.queues;
            let rows = queues
                .queues
                .iter()
                .map(|q| QueueRow::of(env, queues, q, env.alarms()))
                .collect();
            (rows, queues.error.clone())
        },
        |r: &QueueRow| {
            (
                r.queue.app.is_none(),
                r.queue.app.clone(),
                !r.sources.is_empty(),
                r.queue.name.clone(),
                r.env.clone(),
            )
        },
    );
    QueuesView {
        generated_at: now,
        envs: cards(envs, now),
        rows,
        env_filter: env_filter.cloned(),
        errors,
        unread,
    }
}

/// The queues of `app` in one environment, each source queue followed by the dead-letter
/// queues (for the app page's queue → dead-letter chain).
pub(super) fn app_rows(env: &EnvData<'_>, app: &str) -> Vec<QueueRow> {
    let Some(details) = env.details else {
        return Vec::new();
    };
    details
        .queues
        .of_app(app)
        .into_iter()
        .map(|q| QueueRow::of(env, &details.queues, q, env.alarms()))
        .collect()
}

pub fn queue(env: &EnvData<'_>, name: &str, now: DateTime<Utc>) -> Option<QueueView> {
    let details = env.details?;
    let queues = &details.queues;
    let queue = queues.get(name)?;
    let row = |q: &Queue| QueueRow::of(env, queues, q, env.alarms());
    let alarms = watching(env.alarms(), |a| watches_queue(a, name));
    Some(QueueView {
        generated_at: now,
        card: env.card(now),
        row: row(queue),
        dead_letter: queues.dead_letter_of(queue).map(row),
        sources: queues.sources_of(queue).into_iter().map(row).collect(),
        metrics: details.queue_metrics.get(name).cloned(),
        alarms,
        read_error: queues.error.clone(),
        workers: workers_of(env, &queue.arn),
        move_tasks: queues.move_tasks.get(name).cloned(),
        actions: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::descriptor;
    use super::*;
    use crate::domain::fixtures::queue;
    use crate::domain::inventory::{EnvDetails, EnvInventory, RefreshStatus};

    #[test]
    fn rows_put_each_app_together_sources_before_their_dead_letter_queues() {
        let descriptor = descriptor("prod");
        let status = RefreshStatus::default();
        let details = EnvDetails {
            queues: Queues {
                queues: vec![
                    queue("jobs-dlq", Some("assess"), 4, None),
                    queue("jobs", Some("assess"), 20, Some("jobs-dlq")),
                    queue("loose", None, 0, Some("gone-dlq")),
                    queue("audit", Some("ledger"), 0, None),
                ],
                error: Some("SQS GetQueueAttributes: throttled".into()),
                move_tasks: Default::default(),
            },
            ..EnvDetails::default()
        };
        let inventory = EnvInventory::default();
        let envs = [EnvData {
            descriptor: &descriptor,
            status: &status,
            inventory: Some(&inventory),
            details: Some(&details),
            summary: None,
        }];
        let view = queues(&envs, None, at());
        let order: Vec<&str> = view.rows.iter().map(|r| r.queue.name.as_str()).collect();
        assert_eq!(order, ["jobs", "jobs-dlq", "audit", "loose"]);
        let jobs = &view.rows[0];
        assert_eq!(
            jobs.dead_letter,
            Some(DeadLetterRef {
                name: "jobs-dlq".into(),
                messages: Some(4)
            })
        );
        assert_eq!(jobs.verdict, QueueVerdict::FailingMessages);
        assert_eq!(view.rows[1].sources, ["jobs"]);
        assert_eq!(
            view.rows[3].dead_letter,
            Some(DeadLetterRef {
                name: "gone-dlq".into(),
                messages: None
            }),
            "a dead-letter queue this environment does not list is named, not counted"
        );
        assert_eq!(view.errors.len(), 1);
        let summary = QueueSummary::of(&details.queues);
        assert_eq!(
            (
                summary.queues,
                summary.waiting,
                summary.dead_letter_queues_holding,
                summary.dead_letters
            ),
            (4, 20, 1, 4)
        );

        let one = queue_view(&envs[0], "jobs-dlq").expect("the queue");
        assert_eq!(one.sources.len(), 1);
        assert!(one.dead_letter.is_none());
        assert!(queue_view(&envs[0], "nope").is_none());
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000, 0).unwrap()
    }

    fn queue_view(env: &EnvData<'_>, name: &str) -> Option<QueueView> {
        super::queue(env, name, at())
    }
}
