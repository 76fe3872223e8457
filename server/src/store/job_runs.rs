//! The runs the console has seen of each scheduled job, kept across restarts (`job_runs`, one
//! row of JSON per job, and `job_watch`, since when an environment's jobs are watched and when
//! they were last read). The process that reads AWS writes after each details cycle, only the
//! jobs whose runs changed; on its first cycle after a start it folds back what was kept
//! (`ScheduledJobs::resume`).

use super::error::StoreError;
use super::sql::{begin_write, numbered, read_time, stored_time, Pool};
use crate::inventory::RunHistory;
use app::domain::ids::EnvId;
use app::domain::scheduled_jobs::{JobRun, KeptRuns, ScheduledJobs};
use chrono::{DateTime, Utc};

pub struct SqlJobRuns {
    pool: Pool,
}

impl SqlJobRuns {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// What was kept of `env`'s job runs.
    pub async fn kept(&self, env: &str) -> Result<KeptRuns, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(&numbered(
            "SELECT job_key, runs FROM job_runs WHERE env = ?",
        ))
        .bind(env)
        .fetch_all(&self.pool)
        .await?;
        let mut kept = KeptRuns::default();
        for (key, runs) in rows {
            let runs: Vec<JobRun> = serde_json::from_str(&runs)?;
            kept.runs.insert(key, runs);
        }
        let watch: Option<(String, String)> = sqlx::query_as(&numbered(
            "SELECT watched_since, read_at FROM job_watch WHERE env = ?",
        ))
        .bind(env)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((since, read_at)) = watch {
            kept.watched_since = Some(read_time("job watch start", &since)?);
            kept.read_at = Some(read_time("job watch read", &read_at)?);
        }
        Ok(kept)
    }

    /// Writes down `jobs`' runs that differ from `before`'s, forgets the jobs gone since, and
    /// notes the read at `now`, in one transaction.
    pub async fn record(
        &self,
        env: &str,
        jobs: &ScheduledJobs,
        before: Option<&ScheduledJobs>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        for (key, runs) in jobs.changed_runs(before) {
            sqlx::query(&numbered(
                "INSERT INTO job_runs (env, job_key, runs, updated_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (env, job_key) DO UPDATE SET runs = excluded.runs,
                     updated_at = excluded.updated_at",
            ))
            .bind(env)
            .bind(key)
            .bind(serde_json::to_string(runs)?)
            .bind(stored_time(now))
            .execute(&mut *tx)
            .await?;
        }
        for key in before.map(|b| jobs.removed_since(b)).unwrap_or_default() {
            sqlx::query(&numbered(
                "DELETE FROM job_runs WHERE env = ? AND job_key = ?",
            ))
            .bind(env)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        let since = jobs.watched_since.unwrap_or(now);
        sqlx::query(&numbered(
            "INSERT INTO job_watch (env, watched_since, read_at) VALUES (?, ?, ?)
             ON CONFLICT (env) DO UPDATE SET watched_since = excluded.watched_since,
                 read_at = excluded.read_at",
        ))
        .bind(env)
        .bind(stored_time(since))
        .bind(stored_time(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl RunHistory for SqlJobRuns {
    async fn kept(&self, env: &EnvId) -> Result<KeptRuns, String> {
        SqlJobRuns::kept(self, env.as_str())
            .await
            .map_err(|e| app::error::error_chain(&e))
    }

    async fn record(
        &self,
        env: &EnvId,
        jobs: &ScheduledJobs,
        before: Option<&ScheduledJobs>,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        SqlJobRuns::record(self, env.as_str(), jobs, before, now)
            .await
            .map_err(|e| app::error::error_chain(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::scheduled_jobs::RunOutcome;

    fn run(id: &str, started: &str) -> JobRun {
        JobRun {
            started_at: started.parse().unwrap(),
            stopped_at: None,
            outcome: RunOutcome::Succeeded,
            task_arn: Some(format!("arn:aws:ecs:eu-west-1:1:task/jobs/{id}")),
            manual: false,
            start_estimated: false,
        }
    }

    #[tokio::test]
    async fn runs_written_after_a_cycle_are_read_back_and_a_deleted_job_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/r.db", dir.path().display());
        let pool = crate::store::connect(&url).await.unwrap();
        crate::store::migrate(&pool).await.unwrap();
        let store = SqlJobRuns::new(pool);
        let job = |name: &str| app::domain::scheduled_jobs::ScheduledJob {
            source: app::domain::scheduled_jobs::JobSource::Rule,
            name: name.into(),
            arn: format!("arn:aws:events:eu-west-1:1:rule/{name}"),
            expression: "cron(15 3 * * ? *)".into(),
            timezone: "UTC".into(),
            enabled: true,
            description: None,
            start: None,
            end: None,
            target: None,
            targets: 0,
            app: None,
        };
        let since: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let now: DateTime<Utc> = "2026-12-07T09:00:00Z".parse().unwrap();
        let first = ScheduledJobs {
            jobs: vec![job("a"), job("b")],
            runs: [
                ("rule/a".to_string(), vec![run("1", "2026-12-07T03:15:00Z")]),
                ("rule/b".to_string(), vec![run("2", "2026-12-07T04:00:00Z")]),
            ]
            .into(),
            watched_since: Some(since),
            error: None,
        };
        store.record("prod", &first, None, now).await.unwrap();
        let second = ScheduledJobs {
            jobs: vec![job("a")],
            runs: [(
                "rule/a".to_string(),
                vec![
                    run("3", "2026-12-07T08:00:00Z"),
                    run("1", "2026-12-07T03:15:00Z"),
                ],
            )]
            .into(),
            ..first.clone()
        };
        store
            .record("prod", &second, Some(&first), now)
            .await
            .unwrap();
        let kept = store.kept("prod").await.unwrap();
        assert_eq!(kept.runs.len(), 1, "b was deleted: {kept:?}");
        assert_eq!(kept.runs["rule/a"], second.runs["rule/a"]);
        assert_eq!(kept.watched_since, Some(since));
        assert_eq!(kept.read_at, Some(now));
        assert_eq!(store.kept("dev").await.unwrap(), KeptRuns::default());
    }
}
