//! The automation API's request and response types (the OpenAPI document's schemas) and how
//! domain values map onto them.

use app::domain::approvals::Release;
use app::domain::audit::AuditRow;
use app::domain::incidents::{Incident, TimelineEntry};
use app::domain::inventory::{Alarm, Database, DbKind, Service};
use app::domain::rollout_outcome::RolloutOutcome;
use app::ports::EnvState;
use app::usecases::services::AppServices;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An environment as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct EnvironmentOut {
    pub id: String,
    pub name: String,
    pub region: String,
    pub account_id: Option<String>,
    pub protected: bool,
    /// `loading`, `fresh`, `stale` or `failing`.
    pub freshness: String,
    /// RFC 3339 time of the last good inventory.
    pub last_success: Option<String>,
    pub error: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    pub cluster: String,
    pub name: String,
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    /// `family:revision`.
    pub task_definition: String,
    /// `container=image` of the running revision.
    pub images: Vec<String>,
    pub app: Option<String>,
    pub deploying: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DatabaseOut {
    pub id: String,
    /// `instance` or `aurora_cluster`.
    pub kind: String,
    pub status: String,
    pub engine: String,
    pub engine_version: String,
    pub class: Option<String>,
    pub multi_az: bool,
    pub app: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AlarmOut {
    pub name: String,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
    pub reason: String,
    pub updated_at: Option<String>,
    pub actions_enabled: bool,
    pub app: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeOut {
    pub what: String,
    pub before: String,
    pub after: String,
}

#[derive(Serialize, ToSchema)]
pub struct VoteOut {
    /// The voter's name, for showing.
    pub by: String,
    /// Who voted (`oidc:<issuer>#<sub>`): one vote per person.
    pub by_id: String,
    pub approve: bool,
    pub comment: Option<String>,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseOut {
    pub id: i64,
    pub env: String,
    /// `deploy`, `rollback`, `scale`, …
    pub kind: String,
    pub target: String,
    pub summary: String,
    pub changes: Vec<ChangeOut>,
    pub reason: String,
    pub ticket_url: Option<String>,
    /// The requester's name, for showing.
    pub requester: String,
    /// Who asked (`oidc:<issuer>#<sub>`; a token's request is its creator's): never an approver.
    pub requester_id: String,
    pub via_token: Option<String>,
    /// `requested`, `approved`, `executing`, `succeeded`, `failed`, `rejected`, `cancelled`,
    /// `expired`.
    pub state: String,
    pub approvals: usize,
    pub required: u32,
    pub votes: Vec<VoteOut>,
    pub created_at: String,
    pub expires_at: String,
    pub result: Option<String>,
    /// Once it ran: how the rollout of its change went. `succeeded` means AWS made the change;
    /// ECS may still fail the deployment and roll it back, so follow this until its `state` is
    /// not `following`.
    pub rollout: Option<RolloutOut>,
    /// The promotion this request is one service of (see `POST /api/v1/promotions`).
    pub group: Option<String>,
    /// The request's page in the console.
    pub url: String,
}

/// How the rollout of an executed change went, followed by the console until ECS ends it.
#[derive(Serialize, ToSchema)]
pub struct RolloutOut {
    /// `following`, `completed`, `rolled_back`, `failed`, `replaced` or `stuck`.
    pub state: String,
    /// In words: `rolled back by ECS: <ECS's reason>`.
    pub summary: String,
    /// ECS's reason, for `rolled_back` and `failed`.
    pub reason: Option<String>,
}

impl From<&RolloutOutcome> for RolloutOut {
    fn from(outcome: &RolloutOutcome) -> Self {
        RolloutOut {
            state: outcome.as_str().to_string(),
            summary: outcome.label(),
            reason: match outcome {
                RolloutOutcome::RolledBack { reason, .. } | RolloutOutcome::Failed { reason } => {
                    Some(reason.clone())
                }
                _ => None,
            },
        }
    }
}

pub fn release_out(r: Release, services: &AppServices) -> ReleaseOut {
    ReleaseOut {
        url: format!("{}/releases/{}", services.public_url, r.id),
        approvals: r.approvals(),
        id: r.id,
        env: r.env,
        kind: r.kind.as_str().to_string(),
        target: r.target,
        summary: r.summary,
        changes: r
            .changes
            .into_iter()
            .map(|c| ChangeOut {
                what: c.what,
                before: c.before,
                after: c.after,
            })
            .collect(),
        reason: r.reason,
        ticket_url: r.ticket_url,
        requester: r.requester,
        requester_id: r.requester_id.to_string(),
        via_token: r.via_token,
        state: r.state.as_str().to_string(),
        required: r.required,
        votes: r
            .votes
            .into_iter()
            .map(|v| VoteOut {
                by: v.by,
                by_id: v.by_id.to_string(),
                approve: v.approve,
                comment: v.comment,
                at: v.at.to_rfc3339(),
            })
            .collect(),
        created_at: r.created_at.to_rfc3339(),
        expires_at: r.expires_at.to_rfc3339(),
        result: r.result,
        rollout: r.rollout.as_ref().map(RolloutOut::from),
        group: r.group,
    }
}

/// What to change: one gated action on one service, to be approved before it runs.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRelease {
    pub env: String,
    /// `deploy`, `rollback` or `scale`.
    pub action: String,
    pub cluster: String,
    pub service: String,
    /// deploy: the container whose image changes.
    pub container: Option<String>,
    /// deploy: the new image, `repo:tag` or `repo@sha256:…`.
    pub image: Option<String>,
    /// rollback: `family:revision` or the task definition ARN.
    pub revision: Option<String>,
    /// scale: the new desired count.
    pub desired: Option<i64>,
    /// scale: move the service's Application Auto Scaling range to take the new count, in the
    /// same release (without it, a count outside the range is refused: target tracking would
    /// undo it).
    pub widen_autoscaling: Option<bool>,
    /// Why, for the reviewers.
    pub reason: String,
    pub ticket_url: Option<String>,
    /// 8–64 letters, digits, `-`, `_`: retrying with the same key finds the same request.
    pub request_key: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRelease {
    pub comment: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReleaseFilter {
    /// Only this environment.
    pub env: Option<String>,
    /// Only this state.
    pub state: Option<String>,
    /// Only the requests of this promotion (its `group`), oldest first.
    pub group: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePromotion {
    /// The environment whose images are promoted.
    pub from: String,
    /// The environment they go to: its approval gate must apply to deploys.
    pub to: String,
    /// Every service of this app, unless `service` names one.
    pub app: Option<String>,
    pub service: Option<String>,
    /// Why, for the reviewers.
    pub reason: String,
    pub ticket_url: Option<String>,
    /// 8–56 letters, digits, `-`, `_`: retrying with the same key finds the same requests; for
    /// a whole app it is also the group.
    pub request_key: String,
}

/// A service a promotion left out, and why.
#[derive(Serialize, ToSchema)]
pub struct LeftOutOut {
    pub service: String,
    pub reason: String,
}

/// What the review of a requested service warns of.
#[derive(Serialize, ToSchema)]
pub struct PromotionWarningOut {
    pub service: String,
    /// E.g. that the target would pull an image from another AWS account's ECR registry, and
    /// how `[promotion] registries` maps it to the target's own.
    pub warning: String,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionOut {
    /// Shared by a whole app's requests: `GET /api/v1/releases?group=…` follows them.
    pub group: Option<String>,
    /// One release request per service that would change, each pinned to the source's digests
    /// (in the target's registry where `[promotion] registries` maps the source's).
    pub requests: Vec<ReleaseOut>,
    pub left_out: Vec<LeftOutOut>,
    pub warnings: Vec<PromotionWarningOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// Only this environment.
    pub env: Option<String>,
    /// `open` (the default) or `resolved`.
    pub state: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentAlarmOut {
    pub name: String,
    /// `ALARM`, `OK` or `INSUFFICIENT_DATA`.
    pub state: String,
    pub since: String,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineOut {
    pub at: String,
    /// `alarm`, `deployment`, `console action`, `RDS event`, `note`, `incident`.
    pub kind: String,
    pub summary: String,
    pub actor: Option<String>,
    /// A change in the window before the incident opened.
    pub suspect: bool,
    /// For a deploy ECS rolled back, or ECS's move back: `rolled back by ECS: <reason>`.
    pub rolled_back: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: i64,
    pub env: String,
    pub app: Option<String>,
    pub title: String,
    /// `critical`, `high` or `low`.
    pub severity: String,
    /// `open` or `resolved`.
    pub state: String,
    pub opened_at: String,
    pub resolved_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub assignee: Option<String>,
    pub alarms: Vec<IncidentAlarmOut>,
    /// Oldest first; only when reading one incident.
    pub timeline: Option<Vec<TimelineOut>>,
    /// The incident's page in the console.
    pub url: String,
}

pub fn incident_out(
    i: Incident,
    timeline: Option<Vec<TimelineEntry>>,
    services: &AppServices,
) -> IncidentOut {
    IncidentOut {
        url: format!("{}/incidents/{}", services.public_url, i.id),
        id: i.id,
        env: i.env,
        app: i.app,
        title: i.title,
        severity: i.severity.as_str().to_string(),
        state: i.state.as_str().to_string(),
        opened_at: i.opened_at.to_rfc3339(),
        resolved_at: i.resolved_at.map(|t| t.to_rfc3339()),
        acknowledged_by: i.acknowledged_by,
        assignee: i.assignee,
        alarms: i
            .alarms
            .into_iter()
            .map(|a| IncidentAlarmOut {
                name: a.name,
                state: a.state.as_str().to_string(),
                since: a.since.to_rfc3339(),
            })
            .collect(),
        timeline: timeline.map(|entries| {
            entries
                .into_iter()
                .map(|e| TimelineOut {
                    at: e.at.to_rfc3339(),
                    kind: e.kind.label().to_string(),
                    summary: e.summary,
                    actor: e.actor,
                    suspect: e.suspect,
                    rolled_back: e.rolled_back,
                })
                .collect()
        }),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub env: Option<String>,
    pub kind: Option<String>,
    pub outcome: Option<String>,
    /// `2026-11-22` or an RFC 3339 time.
    pub from: Option<String>,
    pub to: Option<String>,
    /// 1-based page of 50.
    pub page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: i64,
    pub at: String,
    /// The actor's name, for showing.
    pub actor: String,
    /// Who acted (`oidc:<issuer>#<sub>`, `system:quarterdeck`; `legacy:<name>` before ids).
    pub actor_id: String,
    pub kind: String,
    pub env: Option<String>,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub rows: Vec<AuditOut>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl EnvironmentOut {
    pub fn of(s: &EnvState, now: chrono::DateTime<chrono::Utc>) -> Self {
        let freshness =
            app::domain::inventory::freshness(&s.status, s.descriptor.refresh_interval_secs, now);
        EnvironmentOut {
            id: s.descriptor.id.to_string(),
            name: s.descriptor.name.clone(),
            region: s.descriptor.region.clone(),
            account_id: s.descriptor.account_id.clone(),
            protected: s.descriptor.protected,
            freshness: format!("{freshness:?}").to_lowercase(),
            last_success: s.status.last_success.map(|t| t.to_rfc3339()),
            error: s.status.error.as_ref().map(|e| e.message.clone()),
        }
    }
}

impl From<&Service> for ServiceOut {
    fn from(s: &Service) -> Self {
        ServiceOut {
            cluster: s.cluster.clone(),
            name: s.name.clone(),
            status: s.status.clone(),
            desired: s.desired,
            running: s.running,
            pending: s.pending,
            task_definition: s.revision_label(),
            images: s
                .task_definition
                .as_ref()
                .map(|td| {
                    td.containers
                        .iter()
                        .map(|c| format!("{}={}", c.name, c.image))
                        .collect()
                })
                .unwrap_or_default(),
            app: s.app.clone(),
            deploying: s.deploying(),
        }
    }
}

impl From<&Database> for DatabaseOut {
    fn from(d: &Database) -> Self {
        DatabaseOut {
            id: d.id.clone(),
            kind: match d.kind {
                DbKind::Instance => "instance".into(),
                DbKind::AuroraCluster => "aurora_cluster".into(),
            },
            status: d.status.clone(),
            engine: d.engine.clone(),
            engine_version: d.engine_version.clone(),
            class: d.class.clone(),
            multi_az: d.multi_az,
            app: d.app.clone(),
        }
    }
}

impl From<&Alarm> for AlarmOut {
    fn from(a: &Alarm) -> Self {
        AlarmOut {
            name: a.name.clone(),
            state: a.state.as_str().to_string(),
            reason: a.reason.clone(),
            updated_at: a.updated_at.map(|t| t.to_rfc3339()),
            actions_enabled: a.actions_enabled,
            app: a.app.clone(),
        }
    }
}

impl From<AuditRow> for AuditOut {
    fn from(r: AuditRow) -> Self {
        AuditOut {
            id: r.id,
            at: r.at.to_rfc3339(),
            actor: r.actor,
            actor_id: r.actor_id,
            kind: r.kind,
            env: r.env,
            target: r.target,
            outcome: r.outcome,
            detail: r.detail,
        }
    }
}
