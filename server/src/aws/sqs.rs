//! SQS reads, in the details cycle: ListQueues (paginated by 1,000), then one
//! GetQueueAttributes per queue (SQS has no batch read) and ListQueueTags only for a queue not
//! seen before or whose tags were read more than [`TAGS_EVERY`] ago. Calls go through the
//! environment's shared SQS limit. A queue whose attributes cannot be read keeps what the last
//! cycle read; when the list itself fails, the last queues are kept with the error.

use super::clients::EnvClients;
use super::convert::Context;
use app::domain::apps::app_from_tags;
use app::domain::queues::{
    parse_epoch_seconds, parse_redrive_policy, Encryption, MoveTask, MoveTasks, Queue, Queues,
};
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use futures::{stream, StreamExt};
use std::collections::{BTreeMap, HashMap};

/// ListQueues returns at most 1,000 URLs per page.
const PAGE_SIZE: i32 = 1000;
/// How long a queue's tags are trusted before they are read again.
const TAGS_EVERY: chrono::Duration = chrono::Duration::minutes(30);

impl EnvClients {
    /// Every queue of the environment with its depth, redrive policy and tags; `previous` is
    /// the last cycle's (its tags are reused while recent, its queues kept when a read fails).
    pub(crate) async fn queues(&self, previous: Option<&Queues>, now: DateTime<Utc>) -> Queues {
        let urls = match self.queue_urls().await {
            Ok(urls) => urls,
            Err(error) => {
                tracing::warn!(env = %self.env_id(), %error, "queues could not be listed");
                return Queues {
                    queues: previous.map(|p| p.queues.clone()).unwrap_or_default(),
                    error: Some(error),
                    move_tasks: previous.map(|p| p.move_tasks.clone()).unwrap_or_default(),
                };
            }
        };
        let before: HashMap<&str, &Queue> = previous
            .map(|p| p.queues.iter().map(|q| (q.url.as_str(), q)).collect())
            .unwrap_or_default();
        let read = stream::iter(urls)
            .map(|url| {
                let old = before.get(url.as_str()).copied();
                async move { (self.queue(&url, old, now).await, url) }
            })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut queues = Vec::new();
        let mut errors = Vec::new();
        for (result, url) in read {
            match result {
                Ok(queue) => queues.push(queue),
                Err(error) => {
                    if let Some(old) = before.get(url.as_str()) {
                        queues.push((*old).clone());
                    }
                    errors.push(error);
                }
            }
        }
        queues.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(first) = errors.first() {
            tracing::warn!(env = %self.env_id(), failed = errors.len(), error = %first, "some queues could not be read");
        }
        let move_tasks = self.running_move_tasks(previous, &queues, now).await;
        Queues {
            queues,
            error: errors.first().map(|first| match errors.len() {
                1 => first.clone(),
                n => format!("{n} queues could not be read, shown as last read: {first}"),
            }),
            move_tasks,
        }
    }

    /// The redrives known from the last cycle: those still running read again (one
    /// ListMessageMoveTasks each), the ended ones kept as they ended; queues gone are dropped.
    async fn running_move_tasks(
        &self,
        previous: Option<&Queues>,
        queues: &[Queue],
        now: DateTime<Utc>,
    ) -> BTreeMap<String, MoveTasks> {
        let Some(previous) = previous else {
            return BTreeMap::new();
        };
        let mut out = BTreeMap::new();
        for (name, known) in &previous.move_tasks {
            let Some(queue) = queues.iter().find(|q| &q.name == name) else {
                continue;
            };
            let tasks = if known.running().is_some() {
                self.move_tasks(&queue.arn, Some(known), now).await
            } else {
                known.clone()
            };
            out.insert(name.clone(), tasks);
        }
        out
    }

    /// A dead-letter queue's recent redrives (ListMessageMoveTasks, newest first); a failed read
    /// keeps `known`'s tasks with the error beside them.
    pub(crate) async fn move_tasks(
        &self,
        source_arn: &str,
        known: Option<&MoveTasks>,
        now: DateTime<Utc>,
    ) -> MoveTasks {
        let listed = self
            .sqs
            .list_message_move_tasks()
            .source_arn(source_arn)
            .max_results(10)
            .send()
            .await
            .op("SQS ListMessageMoveTasks");
        match listed {
            Ok(out) => MoveTasks {
                tasks: out.results().iter().map(map_move_task).collect(),
                error: None,
                read_at: Some(now),
            },
            Err(error) => MoveTasks {
                tasks: known.map(|k| k.tasks.clone()).unwrap_or_default(),
                error: Some(error),
                read_at: Some(now),
            },
        }
    }

    /// One queue as it is now by name (GetQueueUrl, then its attributes and tags), for the
    /// refresh after an action on it; `None` when it is gone.
    pub(crate) async fn queue_now(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Queue>, String> {
        let url = match self.sqs.get_queue_url().queue_name(name).send().await {
            Ok(out) => out.queue_url().unwrap_or_default().to_string(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_queue_does_not_exist()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err::<(), _>(e).op("SQS GetQueueUrl").map(|()| None),
        };
        self.queue(&url, None, now).await.map(Some)
    }

    async fn queue_urls(&self) -> Result<Vec<String>, String> {
        let mut urls = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .sqs
                .list_queues()
                .max_results(PAGE_SIZE)
                .set_next_token(token.take())
                .send()
                .await
                .op("SQS ListQueues")?;
            urls.extend(page.queue_urls().iter().cloned());
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(urls),
            }
        }
    }

    /// One queue: its attributes now, and its tags when `old`'s are missing or stale.
    async fn queue(
        &self,
        url: &str,
        old: Option<&Queue>,
        now: DateTime<Utc>,
    ) -> Result<Queue, String> {
        let fresh_tags = old
            .and_then(|q| q.tags_read_at.map(|at| (at, &q.tags)))
            .filter(|(at, _)| now - *at < TAGS_EVERY);
        let attributes = async {
            self.sqs
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::All)
                .send()
                .await
                .op("SQS GetQueueAttributes")
        };
        let (attributes, tags) = match fresh_tags {
            Some((at, tags)) => (attributes.await?, (tags.clone(), at)),
            None => {
                let tags = async {
                    self.sqs
                        .list_queue_tags()
                        .queue_url(url)
                        .send()
                        .await
                        .op("SQS ListQueueTags")
                };
                let (attributes, tags) = tokio::join!(attributes, tags);
                let tags: BTreeMap<String, String> = tags?
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                (attributes?, (tags, now))
            }
        };
        let attrs: HashMap<String, String> = attributes
            .attributes()
            .map(|a| {
                a.iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(map_queue(url, &attrs, tags, &self.env.app_tag))
    }
}

/// A queue from its URL, its `All` attributes and its tags (with when they were read).
fn map_queue(
    url: &str,
    attrs: &HashMap<String, String>,
    (tags, tags_read_at): (BTreeMap<String, String>, DateTime<Utc>),
    app_tag: &str,
) -> Queue {
    let get = |k: &str| attrs.get(k).map(String::as_str);
    let number = |k: &str| get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let name = url.rsplit('/').next().unwrap_or(url).to_string();
    let redrive = get("RedrivePolicy")
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| match parse_redrive_policy(p) {
            Ok(r) => Some(r),
            Err(error) => {
                tracing::warn!(queue = %name, %error, "a redrive policy that does not read");
                None
            }
        });
    let app = app_from_tags(&tags, app_tag);
    Queue {
        fifo: get("FifoQueue").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || name.ends_with(".fifo"),
        arn: get("QueueArn").unwrap_or_default().to_string(),
        url: url.to_string(),
        encryption: Encryption::of(get("KmsMasterKeyId"), get("SqsManagedSseEnabled")),
        visible: number("ApproximateNumberOfMessages").unwrap_or(0),
        in_flight: number("ApproximateNumberOfMessagesNotVisible").unwrap_or(0),
        delayed: number("ApproximateNumberOfMessagesDelayed").unwrap_or(0),
        created_at: get("CreatedTimestamp").and_then(parse_epoch_seconds),
        visibility_timeout_secs: number("VisibilityTimeout"),
        retention_secs: number("MessageRetentionPeriod"),
        redrive,
        app,
        tags,
        tags_read_at: Some(tags_read_at),
        name,
    }
}

/// One entry of ListMessageMoveTasks (`StartedTimestamp` in epoch milliseconds).
pub(crate) fn map_move_task(t: &aws_sdk_sqs::types::ListMessageMoveTasksResultEntry) -> MoveTask {
    MoveTask {
        handle: t.task_handle().map(str::to_string),
        status: t.status().unwrap_or("UNKNOWN").to_string(),
        destination_arn: t.destination_arn().map(str::to_string),
        moved: t.approximate_number_of_messages_moved(),
        to_move: t.approximate_number_of_messages_to_move(),
        failure: t
            .failure_reason()
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        started_at: DateTime::from_timestamp_millis(t.started_timestamp()),
    }
}
