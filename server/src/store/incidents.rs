//! Incidents, their alarms and timelines, the poller's memory (alarm states, deployments seen)
//! and on-call overrides. Every change to an incident is a conditional update in one write
//! transaction with its timeline entry and audit row; timeline entries with a dedupe key are
//! recorded once (`INSERT`), so a poll repeated after a crash or by a second process
//! adds nothing twice.

use super::audit::insert_entry;
use super::error::{person_id, StoreContext, StoreError};
use super::sql::begin_write;
use super::sql::Pool;
use app::domain::audit::{AuditKind, AuditOutcome};
use app::domain::incidents::{
    EntryKind, Incident, IncidentAlarm, IncidentState, Response, Severity, TimelineEntry,
    Transition,
};
use app::domain::inventory::AlarmState;
use app::domain::oncall::Override;
use app::domain::person::PersonId;
use app::domain::policy::Principal;
use app::ports::{
    AuditEntry, IncidentStore, KnownAlarm, NewEntry, NewIncident, PortError, StoredEntry,
};
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::{BTreeMap, HashMap};

pub struct SqlIncidents {
    pool: Pool,
}

/// The most incidents one list answers, newest first.
const LIST_LIMIT: i64 = 500;

impl SqlIncidents {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

/// Times are stored as RFC 3339 UTC with milliseconds, so text order is time order.
fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt("incidents store time", text, e))
}

fn opt_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(time).transpose()
}

fn alarm_state(text: &str) -> Result<AlarmState, StoreError> {
    AlarmState::parse(text)
        .ok_or_else(|| StoreError::corrupt("alarm state", text, "not a known alarm state"))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    env: String,
    group_key: String,
    app: Option<String>,
    title: String,
    severity: String,
    state: String,
    opened_at: String,
    last_fired_at: String,
    resolved_at: Option<String>,
    resolved_by: Option<String>,
    acknowledged_by: Option<String>,
    acknowledged_by_id: Option<String>,
    acknowledged_at: Option<String>,
    assignee: Option<String>,
    assignee_id: Option<String>,
    escalated_at: Option<String>,
    reopened: i64,
}

const COLUMNS: &str = "id, env, group_key, app, title, severity, state, opened_at, last_fired_at, resolved_at, resolved_by, acknowledged_by, acknowledged_by_id, acknowledged_at, assignee, assignee_id, escalated_at, reopened";

/// A stored person id that may be absent.
fn opt_person(what: &'static str, text: Option<String>) -> Result<Option<PersonId>, StoreError> {
    text.as_deref().map(|t| person_id(what, t)).transpose()
}

async fn insert_timeline(conn: &mut sqlx::AnyConnection, e: &NewEntry) -> Result<bool, StoreError> {
    let data = serde_json::to_string(&e.kind).context("recording a timeline entry")?;
    let done = sqlx::query(
        &super::sql::numbered("INSERT INTO timeline_entries (env, at, app, subject, kind, data, summary, actor, incident_id, dedupe) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
    )
    .bind(&e.env)
    .bind(ts(e.at))
    .bind(&e.app)
    .bind(&e.subject)
    .bind(e.kind.label())
    .bind(data)
    .bind(&e.summary)
    .bind(&e.actor)
    .bind(e.incident)
    .bind(&e.dedupe)
    .execute(&mut *conn)
    .await
    .context("recording a timeline entry")?;
    Ok(done.rows_affected() == 1)
}

fn lifecycle(
    incident: &Incident,
    what: &str,
    actor: &str,
    at: DateTime<Utc>,
    summary: String,
) -> NewEntry {
    NewEntry {
        env: incident.env.clone(),
        at,
        app: incident.app.clone(),
        subject: format!("incident #{}", incident.id),
        kind: EntryKind::Lifecycle { what: what.into() },
        summary,
        actor: Some(actor.to_string()),
        incident: Some(incident.id),
        dedupe: None,
    }
}

impl SqlIncidents {
    async fn complete(&self, rows: Vec<Row>) -> Result<Vec<Incident>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; rows.len()].join(", ");
        let sql = format!(
            "SELECT incident_id, alarm, state, since FROM incident_alarms WHERE incident_id IN ({marks}) ORDER BY since, alarm"
        );
        let sql = super::sql::numbered(&sql);
        let mut q = sqlx::query_as::<_, (i64, String, String, String)>(&sql);
        for r in &rows {
            q = q.bind(r.id);
        }
        let mut alarms: HashMap<i64, Vec<IncidentAlarm>> = HashMap::new();
        for (id, name, state, since) in q
            .fetch_all(&self.pool)
            .await
            .context("reading incident alarms")?
        {
            alarms.entry(id).or_default().push(IncidentAlarm {
                name,
                state: alarm_state(&state).context("reading incident alarms")?,
                since: time(&since).context("reading incident alarms")?,
            });
        }
        rows.into_iter()
            .map(|r| -> Result<Incident, StoreError> {
                Ok(Incident {
                    alarms: alarms.remove(&r.id).unwrap_or_default(),
                    id: r.id,
                    env: r.env,
                    group_key: r.group_key,
                    app: r.app,
                    title: r.title,
                    severity: Severity::parse(&r.severity)
                        .map_err(|e| StoreError::corrupt("incident severity", &r.severity, e))?,
                    state: IncidentState::parse(&r.state)
                        .map_err(|e| StoreError::corrupt("incident state", &r.state, e))?,
                    opened_at: time(&r.opened_at)?,
                    last_fired_at: time(&r.last_fired_at)?,
                    resolved_at: opt_time(r.resolved_at)?,
                    resolved_by: r.resolved_by,
                    acknowledged_by: r.acknowledged_by,
                    acknowledged_by_id: opt_person(
                        "incident acknowledger id",
                        r.acknowledged_by_id,
                    )?,
                    acknowledged_at: opt_time(r.acknowledged_at)?,
                    assignee: r.assignee,
                    assignee_id: opt_person("incident assignee id", r.assignee_id)?,
                    escalated_at: opt_time(r.escalated_at)?,
                    reopened: r.reopened,
                })
            })
            .collect::<Result<_, _>>()
            .context("reading incidents")
    }

    async fn get_in(
        conn: &mut sqlx::AnyConnection,
        id: i64,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        sqlx::query_as::<_, (String, Option<String>)>(&super::sql::numbered(
            "SELECT env, app FROM incidents WHERE id = ?",
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading an incident")
    }
}

#[async_trait::async_trait]
impl IncidentStore for SqlIncidents {
    async fn alarm_states(&self, env: &str) -> Result<BTreeMap<String, KnownAlarm>, PortError> {
        let rows = sqlx::query_as::<_, (String, String, String)>(&super::sql::numbered(
            "SELECT alarm, state, since FROM alarm_states WHERE env = ?",
        ))
        .bind(env)
        .fetch_all(&self.pool)
        .await
        .context("reading alarm states")?;
        Ok(rows
            .into_iter()
            .map(|(alarm, state, since)| -> Result<_, StoreError> {
                Ok((
                    alarm,
                    KnownAlarm {
                        state: alarm_state(&state)?,
                        since: time(&since)?,
                    },
                ))
            })
            .collect::<Result<_, _>>()
            .context("reading alarm states")?)
    }

    async fn record_transitions(
        &self,
        env: &str,
        transitions: &[(Transition, NewEntry)],
    ) -> Result<Vec<usize>, PortError> {
        if transitions.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = begin_write(&self.pool)
            .await
            .context("recording transitions")?;
        let mut fresh = Vec::new();
        for (i, (t, entry)) in transitions.iter().enumerate() {
            if insert_timeline(&mut tx, entry).await? {
                fresh.push(i);
            }
            sqlx::query(
                &super::sql::numbered("INSERT INTO alarm_states (env, alarm, state, since) VALUES (?, ?, ?, ?)
                 ON CONFLICT (env, alarm) DO UPDATE SET state = excluded.state, since = excluded.since
                 WHERE excluded.since >= alarm_states.since"),
            )
            .bind(env)
            .bind(&t.alarm)
            .bind(t.to.as_str())
            .bind(ts(t.at))
            .execute(&mut *tx)
            .await
            .context("recording an alarm state")?;
        }
        tx.commit().await.context("recording transitions")?;
        Ok(fresh)
    }

    async fn record_entries(&self, entries: &[NewEntry]) -> Result<usize, PortError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut tx = begin_write(&self.pool).await.context("recording entries")?;
        let mut fresh = 0;
        for e in entries {
            if insert_timeline(&mut tx, e).await? {
                fresh += 1;
            }
        }
        tx.commit().await.context("recording entries")?;
        Ok(fresh)
    }

    async fn last_deployments(&self, env: &str) -> Result<HashMap<String, String>, PortError> {
        let rows = sqlx::query_as::<_, (String, String)>(&super::sql::numbered(
            "SELECT service, marker FROM observed_deployments WHERE env = ?",
        ))
        .bind(env)
        .fetch_all(&self.pool)
        .await
        .context("reading observed deployments")?;
        Ok(rows.into_iter().collect())
    }

    async fn set_last_deployments(
        &self,
        env: &str,
        markers: &[(String, String)],
    ) -> Result<(), PortError> {
        if markers.is_empty() {
            return Ok(());
        }
        let sql = super::sql::numbered(
            "INSERT INTO observed_deployments (env, service, marker, seen_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (env, service) DO UPDATE SET marker = excluded.marker, seen_at = excluded.seen_at",
        );
        let seen_at = ts(Utc::now());
        let mut tx = begin_write(&self.pool)
            .await
            .context("remembering deployments")?;
        for (service, marker) in markers {
            sqlx::query(&sql)
                .bind(env)
                .bind(service)
                .bind(marker)
                .bind(&seen_at)
                .execute(&mut *tx)
                .await
                .context("remembering a deployment")?;
        }
        tx.commit().await.context("remembering deployments")?;
        Ok(())
    }

    async fn candidates(
        &self,
        env: &str,
        group_key: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Incident>, PortError> {
        let rows = sqlx::query_as::<_, Row>(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE env = ? AND group_key = ? AND (state = 'open' OR resolved_at >= ?) ORDER BY id DESC LIMIT 20"
        )))
        .bind(env)
        .bind(group_key)
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await
        .context("reading incidents")?;
        Ok(self.complete(rows).await?)
    }

    async fn open(&self, new: &NewIncident, audit: AuditEntry) -> Result<i64, PortError> {
        let mut tx = begin_write(&self.pool)
            .await
            .context("opening an incident")?;
        let at = new.alarm.since;
        let id: i64 = sqlx::query_scalar(
            &super::sql::numbered("INSERT INTO incidents (env, group_key, app, title, severity, state, opened_at, last_fired_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id"),
        )
        .bind(&new.env)
        .bind(&new.group_key)
        .bind(&new.app)
        .bind(&new.title)
        .bind(new.severity.as_str())
        .bind(ts(at))
        .bind(ts(at))
        .bind(ts(Utc::now()))
        .fetch_one(&mut *tx)
        .await
        .context("opening an incident")?;
        sqlx::query(&super::sql::numbered(
            "INSERT INTO incident_alarms (incident_id, alarm, state, since) VALUES (?, ?, ?, ?)",
        ))
        .bind(id)
        .bind(&new.alarm.name)
        .bind(new.alarm.state.as_str())
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .context("adding an incident's alarm")?;
        let entry = NewEntry {
            env: new.env.clone(),
            at,
            app: new.app.clone(),
            subject: format!("incident #{id}"),
            kind: EntryKind::Lifecycle {
                what: "opened".into(),
            },
            summary: format!(
                "Incident opened ({}) by {}",
                new.severity.as_str(),
                new.alarm.name
            ),
            actor: None,
            incident: Some(id),
            dedupe: None,
        };
        insert_timeline(&mut tx, &entry).await?;
        let audit = AuditEntry {
            target: Some(format!("incident #{id}")),
            ..audit
        };
        insert_entry(&mut tx, &audit)
            .await
            .context("auditing an incident")?;
        tx.commit().await.context("opening an incident")?;
        Ok(id)
    }

    async fn fire(
        &self,
        id: i64,
        alarm: &IncidentAlarm,
        audit: Option<AuditEntry>,
    ) -> Result<bool, PortError> {
        let mut tx = begin_write(&self.pool)
            .await
            .context("updating an incident")?;
        let Some((env, app)) = Self::get_in(&mut tx, id).await? else {
            return Err(StoreError::Missing {
                what: "incident",
                id,
            }
            .context("updating an incident")
            .into());
        };
        sqlx::query(
            &super::sql::numbered("INSERT INTO incident_alarms (incident_id, alarm, state, since) VALUES (?, ?, ?, ?)
             ON CONFLICT (incident_id, alarm) DO UPDATE SET state = excluded.state, since = excluded.since"),
        )
        .bind(id)
        .bind(&alarm.name)
        .bind(alarm.state.as_str())
        .bind(ts(alarm.since))
        .execute(&mut *tx)
        .await
        .context("adding an incident's alarm")?;
        sqlx::query(&super::sql::numbered("UPDATE incidents SET last_fired_at = CASE WHEN last_fired_at > $1 THEN last_fired_at ELSE $1 END, updated_at = $2 WHERE id = $3"))
            .bind(ts(alarm.since))
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("updating an incident")?;
        let mut reopened = false;
        if let Some(audit) = audit {
            reopened = sqlx::query(&super::sql::numbered(
                "UPDATE incidents SET state = 'open', resolved_at = NULL, resolved_by = NULL,
                 acknowledged_by = NULL, acknowledged_by_id = NULL, acknowledged_at = NULL, escalated_at = NULL,
                 reopened = reopened + 1 WHERE id = ? AND state = 'resolved'",
            ))
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("reopening an incident")?
            .rows_affected()
                == 1;
            if reopened {
                let entry = NewEntry {
                    env,
                    at: alarm.since,
                    app,
                    subject: format!("incident #{id}"),
                    kind: EntryKind::Lifecycle {
                        what: "reopened".into(),
                    },
                    summary: format!("Reopened: {} fired again", alarm.name),
                    actor: None,
                    incident: Some(id),
                    dedupe: None,
                };
                insert_timeline(&mut tx, &entry).await?;
                insert_entry(&mut tx, &audit)
                    .await
                    .context("auditing an incident")?;
            }
        }
        tx.commit().await.context("updating an incident")?;
        Ok(reopened)
    }

    async fn alarm_changed(&self, env: &str, alarm: &IncidentAlarm) -> Result<Vec<i64>, PortError> {
        let mut tx = begin_write(&self.pool)
            .await
            .context("updating incident alarms")?;
        let ids: Vec<i64> = sqlx::query_scalar(&super::sql::numbered(
            "SELECT a.incident_id FROM incident_alarms a JOIN incidents i ON i.id = a.incident_id
             WHERE i.env = ? AND i.state = 'open' AND a.alarm = ?",
        ))
        .bind(env)
        .bind(&alarm.name)
        .fetch_all(&mut *tx)
        .await
        .context("reading incident alarms")?;
        for id in &ids {
            sqlx::query(
                &super::sql::numbered("UPDATE incident_alarms SET state = ?, since = ? WHERE incident_id = ? AND alarm = ? AND since <= ?"),
            )
            .bind(alarm.state.as_str())
            .bind(ts(alarm.since))
            .bind(id)
            .bind(&alarm.name)
            .bind(ts(alarm.since))
            .execute(&mut *tx)
            .await
            .context("updating an incident's alarm")?;
            sqlx::query(&super::sql::numbered(
                "UPDATE incidents SET updated_at = ? WHERE id = ?",
            ))
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("updating an incident")?;
        }
        tx.commit().await.context("updating incident alarms")?;
        Ok(ids)
    }

    async fn list(&self, envs: &[&str], state: IncidentState) -> Result<Vec<Incident>, PortError> {
        if envs.is_empty() {
            return Ok(Vec::new());
        }
        // The environments are filtered before the limit, so rows of environments the caller
        // may not see never take the places of those they may.
        let marks = vec!["?"; envs.len()].join(", ");
        let sql = super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE state = ? AND env IN ({marks}) ORDER BY id DESC LIMIT ?"
        ));
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(state.as_str());
        for env in envs {
            query = query.bind(*env);
        }
        let rows = query
            .bind(LIST_LIMIT)
            .fetch_all(&self.pool)
            .await
            .context("reading incidents")?;
        Ok(self.complete(rows).await?)
    }

    async fn get(&self, id: i64) -> Result<Option<Incident>, PortError> {
        let rows = sqlx::query_as::<_, Row>(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE id = ?"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("reading an incident")?;
        Ok(self.complete(rows).await?.into_iter().next())
    }

    async fn respond(
        &self,
        id: i64,
        actor: &Principal,
        response: &Response,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool, PortError> {
        let Some(incident) = self.get(id).await? else {
            return Ok(false);
        };
        let actor_id = actor.id.as_str();
        let actor = actor.name.as_str();
        let mut tx = begin_write(&self.pool)
            .await
            .context("updating an incident")?;
        let now = ts(at);
        // The change feed follows `updated_at`: always the time of writing.
        let written = ts(Utc::now());
        let (changed, entry) = match response {
            Response::Acknowledge => (
                sqlx::query(
                    "UPDATE incidents SET acknowledged_by = $1, acknowledged_by_id = $2, acknowledged_at = $3, updated_at = $4
                     WHERE id = $5 AND state = 'open' AND acknowledged_at IS NULL",
                )
                .bind(actor)
                .bind(actor_id)
                .bind(&now)
                .bind(&written)
                .bind(id),
                lifecycle(&incident, "acknowledged", actor, at, format!("Acknowledged by {actor}")),
            ),
            Response::Assign { name: to, id: to_id } => (
                sqlx::query(
                    "UPDATE incidents SET assignee = $1, assignee_id = $2, updated_at = $3 WHERE id = $4 AND state = 'open'",
                )
                .bind(to)
                .bind(to_id.as_ref().map(|i| i.as_str().to_string()))
                .bind(&written)
                .bind(id),
                lifecycle(&incident, "assigned", actor, at, format!("{actor} assigned it to {to}")),
            ),
            Response::Note(text) => (
                sqlx::query(
                    "UPDATE incidents SET updated_at = $1 WHERE id = $2",
                )
                    .bind(&written)
                    .bind(id),
                NewEntry {
                    kind: EntryKind::Note,
                    ..lifecycle(&incident, "note", actor, at, text.clone())
                },
            ),
            Response::Resolve(note) => (
                sqlx::query(
                    "UPDATE incidents SET state = 'resolved', resolved_at = $1, resolved_by = $2, updated_at = $3
                     WHERE id = $4 AND state = 'open'",
                )
                .bind(&now)
                .bind(actor)
                .bind(&written)
                .bind(id),
                lifecycle(&incident, "resolved", actor, at, format!("Resolved by {actor}: {note}")),
            ),
        };
        let moved = changed
            .execute(&mut *tx)
            .await
            .context("updating an incident")?
            .rows_affected()
            == 1;
        if !moved {
            return Ok(false);
        }
        insert_timeline(&mut tx, &entry).await?;
        insert_entry(&mut tx, &audit)
            .await
            .context("auditing an incident")?;
        tx.commit().await.context("updating an incident")?;
        Ok(true)
    }

    async fn mark_escalated(&self, id: i64, at: DateTime<Utc>) -> Result<bool, PortError> {
        let Some(incident) = self.get(id).await? else {
            return Ok(false);
        };
        let mut tx = begin_write(&self.pool)
            .await
            .context("escalating an incident")?;
        let moved = sqlx::query(&super::sql::numbered(
            "UPDATE incidents SET escalated_at = ?, updated_at = ?
             WHERE id = ? AND state = 'open' AND acknowledged_at IS NULL AND escalated_at IS NULL",
        ))
        .bind(ts(at))
        .bind(ts(Utc::now()))
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("escalating an incident")?
        .rows_affected()
            == 1;
        if moved {
            let entry = lifecycle(
                &incident,
                "escalated",
                app::domain::caller::SYSTEM_ACTOR,
                at,
                "Escalated: nobody acknowledged it in time".into(),
            );
            insert_timeline(&mut tx, &entry).await?;
            insert_entry(
                &mut tx,
                &AuditEntry {
                    actor: app::domain::caller::SYSTEM_ACTOR.into(),
                    actor_id: PersonId::system(app::domain::caller::SYSTEM_ACTOR),
                    kind: AuditKind::IncidentEscalate,
                    env: Some(incident.env.clone()),
                    target: Some(format!("incident #{id}")),
                    outcome: AuditOutcome::Succeeded,
                    detail: None,
                    ip: None,
                    user_agent: None,
                    token_id: None,
                    via: None,
                },
            )
            .await
            .context("auditing an incident")?;
        }
        tx.commit().await.context("escalating an incident")?;
        Ok(moved)
    }

    async fn entries(
        &self,
        env: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        id: i64,
    ) -> Result<Vec<StoredEntry>, PortError> {
        type EntryRow = (
            String,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
        );
        let rows = sqlx::query_as::<_, EntryRow>(&super::sql::numbered(
            "SELECT at, app, subject, data, summary, actor, incident_id FROM timeline_entries
             WHERE (env = ? AND at >= ? AND at <= ?) OR incident_id = ? ORDER BY at, id LIMIT 2000",
        ))
        .bind(env)
        .bind(ts(from))
        .bind(ts(to))
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("reading the timeline")?;
        Ok(rows
            .into_iter()
            .map(
                |(at, app, subject, data, summary, actor, incident)| -> Result<_, StoreError> {
                    let kind: EntryKind = serde_json::from_str(&data)
                        .map_err(|e| StoreError::corrupt("timeline entry data", &data, e))?;
                    Ok(StoredEntry {
                        subject,
                        app,
                        incident,
                        entry: TimelineEntry {
                            at: time(&at)?,
                            kind,
                            summary,
                            actor,
                            suspect: false,
                            rollback: None,
                            rolled_back: None,
                        },
                    })
                },
            )
            .collect::<Result<_, _>>()
            .context("reading the timeline")?)
    }

    async fn overrides(&self) -> Result<Vec<Override>, PortError> {
        type OverrideRow = (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
        );
        let rows = sqlx::query_as::<_, OverrideRow>(&super::sql::numbered(
            "SELECT id, rotation, who, starts_at, ends_at, created_by, created_by_id, reason FROM oncall_overrides
             WHERE removed_at IS NULL ORDER BY starts_at, id",
        ))
        .fetch_all(&self.pool)
        .await
        .context("reading on-call overrides")?;
        Ok(rows
            .into_iter()
            .map(
                |(id, rotation, who, from, until, created_by, created_by_id, reason)| -> Result<_, StoreError> {
                    Ok(Override {
                        id,
                        rotation,
                        who,
                        from: time(&from)?,
                        until: time(&until)?,
                        created_by,
                        created_by_id: person_id("override creator id", &created_by_id)?,
                        reason,
                    })
                },
            )
            .collect::<Result<_, _>>()
            .context("reading on-call overrides")?)
    }

    async fn add_override(&self, o: &Override, audit: AuditEntry) -> Result<i64, PortError> {
        let mut tx = begin_write(&self.pool)
            .await
            .context("adding an override")?;
        let id: i64 = sqlx::query_scalar(
            &super::sql::numbered("INSERT INTO oncall_overrides (rotation, who, starts_at, ends_at, created_by, created_by_id, reason, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(&o.rotation)
        .bind(&o.who)
        .bind(ts(o.from))
        .bind(ts(o.until))
        .bind(&o.created_by)
        .bind(o.created_by_id.as_str())
        .bind(&o.reason)
        .bind(ts(Utc::now()))
        .fetch_one(&mut *tx)
        .await
        .context("adding an override")?;
        let audit = AuditEntry {
            target: Some(format!("override #{id} of {}", o.rotation)),
            ..audit
        };
        insert_entry(&mut tx, &audit)
            .await
            .context("auditing an override")?;
        tx.commit().await.context("adding an override")?;
        Ok(id)
    }

    async fn remove_override(&self, id: i64, audit: AuditEntry) -> Result<bool, PortError> {
        let mut tx = begin_write(&self.pool)
            .await
            .context("removing an override")?;
        let moved = sqlx::query(&super::sql::numbered(
            "UPDATE oncall_overrides SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
        ))
        .bind(ts(Utc::now()))
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("removing an override")?
        .rows_affected()
            == 1;
        if moved {
            insert_entry(&mut tx, &audit)
                .await
                .context("auditing an override")?;
        }
        tx.commit().await.context("removing an override")?;
        Ok(moved)
    }
}
