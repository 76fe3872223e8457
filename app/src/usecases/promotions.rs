//! Promotion: the source environment's exact image digests deployed into the next environment
//! through the normal action path — a direct deploy, or a release request where the target's
//! approval gate applies. A whole app is one action per service; in a gated environment those
//! requests share a group key, so reviewers can approve them together.

use super::access::{authorized_state, visible_states};
use super::actions::{needs_approval, new_request_key, run_prepared};
use super::prepare::Prepared;
use super::services::AppServices;
use crate::domain::actions::ActionKind;
use crate::domain::caller::Caller;
use crate::domain::drift::{
    drift_rows, plan_promotion, DriftQuery, DriftView, PlannedPromotion, PromotionItem,
    PromotionOutcome, PromotionReview, DRIFT_ROWS_PER_PAGE,
};
use crate::domain::ids::{parse_resource_name, EnvId};
use crate::domain::inventory::{Service, Task};
use crate::domain::policy::{authorize, Action, Principal};
use crate::domain::views::EnvData;
use crate::error::AppError;
use crate::ports::{ActionCommand, EnvState};

/// What a person asks to promote.
#[derive(Debug, Clone)]
pub struct PromotionAsk {
    pub from: EnvId,
    pub to: EnvId,
    pub app: Option<String>,
    /// `None`: every service of `app`.
    pub service: Option<String>,
}

impl PromotionAsk {
    /// Checks the names a form or an API call gave.
    pub fn parse(
        from: &str,
        to: &str,
        app: Option<&str>,
        service: Option<&str>,
    ) -> Result<Self, AppError> {
        let from = EnvId::parse(from)?;
        let to = EnvId::parse(to)?;
        let app = app
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| parse_resource_name("app name", a))
            .transpose()?;
        let service = service
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_resource_name("service name", s))
            .transpose()?;
        if app.is_none() && service.is_none() {
            return Err(AppError::Invalid(
                "name a service, or an app to promote all its services".into(),
            ));
        }
        Ok(Self {
            from,
            to,
            app,
            service,
        })
    }

    /// What the person types to confirm in a protected environment.
    pub fn confirm_name(&self) -> String {
        self.service
            .clone()
            .or_else(|| self.app.clone())
            .unwrap_or_default()
    }
}

/// The drift table for the environments the person may see, with what they may promote: page
/// `page` of [`DRIFT_ROWS_PER_PAGE`] rows, or every row with `None` (an app page).
pub fn drift_view(
    user: &Principal,
    services: &AppServices,
    query: DriftQuery,
    page: Option<usize>,
) -> DriftView {
    let states = visible_states(user, services);
    let data: Vec<EnvData<'_>> = states.iter().map(EnvState::data).collect();
    let (columns, mut rows) = drift_rows(&data, &services.promotion, &query);
    let aliases = crate::domain::drift::alias_drift(&data, &columns, &query);
    let total = rows.len();
    let page = match page {
        Some(page) => {
            let last = total.div_ceil(DRIFT_ROWS_PER_PAGE).max(1);
            let page = page.clamp(1, last);
            rows = rows
                .into_iter()
                .skip((page - 1) * DRIFT_ROWS_PER_PAGE)
                .take(DRIFT_ROWS_PER_PAGE)
                .collect();
            page
        }
        None => 1,
    };
    let apps = crate::domain::views::app_names(&data);
    let deploy_into = states
        .iter()
        .filter(|s| authorize(user, Action::Deploy, &s.descriptor.id).is_ok())
        .map(|s| {
            (
                s.descriptor.id.clone(),
                needs_approval(s, ActionKind::Deploy),
            )
        })
        .collect();
    DriftView {
        generated_at: chrono::Utc::now(),
        columns,
        rows,
        query,
        apps,
        paths: services.promotion.paths.clone(),
        deploy_into,
        page,
        total,
        aliases,
    }
}

/// A service of the target, with its source counterpart and the source's tasks of it (when the
/// source runs it).
type Pair<'a> = (&'a Service, Option<(&'a Service, &'a [Task])>);

/// The services a promotion covers in the target, each with its source counterpart (if the
/// source runs it): one named service, or every service of the app, by name.
fn pairs<'a>(
    ask: &PromotionAsk,
    source: &'a EnvState,
    target: &'a EnvState,
) -> Result<Vec<Pair<'a>>, AppError> {
    let in_scope = |s: &&Service| {
        ask.app.as_ref().is_none_or(|a| s.app.as_ref() == Some(a))
            && ask.service.as_ref().is_none_or(|n| s.name == *n)
    };
    let targets: Vec<&Service> = target
        .inventory
        .as_deref()
        .map(|inv| inv.services.iter().filter(in_scope).collect())
        .unwrap_or_default();
    if targets.is_empty() {
        return Err(AppError::NotFound(match (&ask.service, &ask.app) {
            (Some(s), _) => format!("{} runs no service {s} to promote into", ask.to),
            (None, Some(a)) => format!("{} runs no service of app {a}", ask.to),
            (None, None) => format!("{} runs nothing to promote into", ask.to),
        }));
    }
    let sources: Vec<&Service> = source
        .inventory
        .as_deref()
        .map(|inv| inv.services.iter().filter(in_scope).collect())
        .unwrap_or_default();
    let mut out: Vec<_> = targets
        .into_iter()
        .map(|t| {
            let s = sources
                .iter()
                .find(|s| s.name == t.name && s.app == t.app)
                .map(|s| {
                    let tasks = source
                        .details
                        .as_deref()
                        .and_then(|d| d.tasks.get(&format!("{}/{}", s.cluster, s.name)))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    (*s, tasks)
                });
            (t, s)
        })
        .collect();
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.cluster.cmp(&b.0.cluster)));
    Ok(out)
}

/// Each covered service's checked promotion (or why not), with its prepared action.
fn plan_all(
    services: &AppServices,
    ask: &PromotionAsk,
    source: &EnvState,
    target: &EnvState,
) -> Result<Vec<(PromotionItem, Option<Prepared>)>, AppError> {
    let pairs = pairs(ask, source, target)?;
    Ok(pairs
        .into_iter()
        .map(|(t, s)| {
            let planned = match s {
                None => Err(format!("{} does not run {}", ask.from, t.name)),
                Some((s, tasks)) => plan_promotion(
                    &services.promotion,
                    &ask.from,
                    s,
                    tasks,
                    &ask.to,
                    t,
                    target.descriptor.account_id.as_deref(),
                ),
            };
            let (plan, prepared) = match planned {
                Err(why) => (Err(why), None),
                Ok((plan, promotion, diff)) => {
                    let prepared = Prepared {
                        target: format!("{}/{}", t.cluster, t.name),
                        params: serde_json::json!({
                            "promote_from": ask.from.as_str(),
                            "from": promotion.from,
                            "images": promotion.images,
                        }),
                        summary: plan.summary.clone(),
                        command: ActionCommand::DeployImages {
                            cluster: t.cluster.clone(),
                            service: t.name.clone(),
                            from: promotion.from.clone(),
                            images: promotion.images.clone(),
                        },
                        confirm_name: ask.confirm_name(),
                        reason: None,
                        changes: plan.changes.clone(),
                        ticket_url: None,
                        diff: diff.clone(),
                        group: None,
                    };
                    (
                        Ok(PlannedPromotion {
                            changes: plan.changes,
                            notes: plan.notes,
                            warnings: promotion.warnings,
                            diff,
                            summary: plan.summary,
                        }),
                        Some(prepared),
                    )
                }
            };
            (
                PromotionItem {
                    service: t.name.clone(),
                    cluster: t.cluster.clone(),
                    plan,
                },
                prepared,
            )
        })
        .collect())
}

/// A promotion's request key: a valid key short enough to name each service's action after it
/// (`<key>-s<index>`). `hint` ends the refusal (what the person can do about it).
fn check_key(key: &str, hint: &str) -> Result<(), AppError> {
    crate::domain::actions::IdempotencyKey::parse(key).map_err(AppError::Invalid)?;
    if key.len() > 56 {
        return Err(AppError::Invalid(format!(
            "the request key of a promotion is at most 56 characters{hint}"
        )));
    }
    Ok(())
}

/// The source and target, after the checks every promotion passes first: the person sees the
/// source and may deploy into the target, and the configured order allows the path.
async fn checked_states(
    caller: &Caller,
    services: &AppServices,
    ask: &PromotionAsk,
) -> Result<(EnvState, EnvState), AppError> {
    let source = authorized_state(caller, services, ask.from.as_str(), Action::View).await?;
    let target = authorized_state(caller, services, ask.to.as_str(), Action::Deploy).await?;
    services
        .promotion
        .check(&ask.from, &ask.to)
        .map_err(AppError::Invalid)?;
    Ok((source, target))
}

/// The review step: each covered service's plan, or why it is left out. Anyone who sees both
/// environments gets it — "what would change" is a question for viewers too; why the person may
/// not promote (no deploy role in the target, or a path the order does not allow) is said on the
/// page rather than failing it, and is not audited: nothing was attempted.
pub async fn review(
    user: &Principal,
    services: &AppServices,
    ask: &PromotionAsk,
) -> Result<PromotionReview, AppError> {
    let mut review = PromotionReview {
        generated_at: chrono::Utc::now(),
        from: ask.from.clone(),
        to: ask.to.clone(),
        app: ask.app.clone(),
        service: ask.service.clone(),
        protected: false,
        asks_approval: false,
        approval: None,
        confirm_name: ask.confirm_name(),
        items: Vec::new(),
        request_key: new_request_key(),
        refused: None,
    };
    let visible = |env: &EnvId| {
        authorize(user, Action::View, env)
            .ok()
            .and_then(|()| services.inventory.state(env))
    };
    let (Some(source), Some(target)) = (visible(&ask.from), visible(&ask.to)) else {
        review.refused = Some(format!(
            "you may not see both {} and {}, or one of them is not configured",
            ask.from, ask.to
        ));
        return Ok(review);
    };
    review.refused = authorize(user, Action::Deploy, &ask.to)
        .map_err(|e| e.to_string())
        .and_then(|()| services.promotion.check(&ask.from, &ask.to))
        .err();
    review.protected = target.descriptor.protected;
    review.asks_approval = needs_approval(&target, ActionKind::Deploy);
    if review.asks_approval {
        let policy = &target.descriptor.approval;
        review.approval = Some((policy.required, policy.approver_role.to_string()));
    }
    review.items = plan_all(services, ask, &source, &target)?
        .into_iter()
        .map(|(item, _)| item)
        .collect();
    Ok(review)
}

/// Runs a promotion: each covered service that would change goes through the one action path
/// (`run_action`) in the target environment under a key derived from `key`, so a retried
/// request acts once per service. In a gated target every service becomes a release request,
/// grouped under `key` when the promotion covers a whole app.
pub async fn promote(
    caller: &Caller,
    services: &AppServices,
    ask: &PromotionAsk,
    key: &str,
    reason: Option<String>,
    ticket_url: Option<String>,
    confirm: Option<&str>,
) -> Result<PromotionOutcome, AppError> {
    check_key(key, "; reload the page")?;
    let (source, target) = checked_states(caller, services, ask).await?;
    if needs_approval(&target, ActionKind::Deploy)
        && reason
            .as_deref()
            .is_none_or(|r| r.trim().chars().count() < 3)
    {
        return Err(AppError::Invalid(format!(
            "deploys in {} need approval: give a reason (at least 3 characters) for the people who will review the promotion",
            ask.to
        )));
    }
    let group = ask.service.is_none().then(|| key.to_string());
    let gated = needs_approval(&target, ActionKind::Deploy);
    if let Some(group) = group.as_deref().filter(|_| gated) {
        super::releases::check_group_free(caller, services, ask.to.as_str(), group).await?;
    }
    let planned = plan_all(services, ask, &source, &target)?;
    let single = planned.len() == 1;
    let mut results = Vec::new();
    for (index, (item, prepared)) in planned.into_iter().enumerate() {
        let service_key = format!("{key}-s{index}");
        let outcome = run_prepared(
            caller,
            services,
            ask.to.as_str(),
            ActionKind::Deploy,
            &service_key,
            confirm,
            None,
            |_| match (prepared, &item.plan) {
                (Some(mut prepared), _) => {
                    prepared.reason = reason.clone();
                    prepared.ticket_url = ticket_url.clone();
                    prepared.group = group.clone();
                    Ok(prepared)
                }
                (None, Err(why)) => Err(AppError::Invalid(why.clone())),
                (None, Ok(_)) => Err(AppError::internal(
                    "preparing a promotion",
                    &"a plan without its action",
                )),
            },
        )
        .await;
        match outcome {
            Ok(result) => results.push((item.service, Ok(result))),
            // A single service's refusal is the answer; in a whole app it is one line of it.
            Err(e) if single => return Err(e),
            Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Upstream { .. })) => {
                results.push((item.service, Err(e.to_string())))
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(group) = group.as_deref().filter(|_| gated) {
        super::releases::close_group(services, group).await?;
    }
    let outcome = PromotionOutcome {
        from: ask.from.clone(),
        to: ask.to.clone(),
        group: group.clone(),
        results,
    };
    if !outcome.results.iter().any(|(_, r)| r.is_ok()) {
        return Err(AppError::Invalid(outcome.describe()));
    }
    Ok(outcome)
}

/// What the automation API's promotion recorded: the group key (a whole app), each service's
/// release request or why it was left out, and whether any request was created by this call
/// (`false`: the same key had recorded them all already).
pub struct RequestedPromotion {
    pub group: Option<String>,
    pub requests: Vec<(String, Result<i64, String>)>,
    pub created: bool,
    /// `(service, warning)`: what the review warns of for the services requested (a pull from
    /// another account's registry).
    pub warnings: Vec<(String, String)>,
}

/// A promotion asked for through the automation API: only into an environment whose approval
/// gate applies to deploys (the API requests changes, it never makes them), as one release
/// request per service that would change, made through a token (`via_token`), grouped under
/// `key` for a whole app. The checks are the pages': the person sees the source, may deploy in
/// the target, and the configured order allows the path.
pub async fn request_promotion(
    caller: &Caller,
    services: &AppServices,
    ask: &PromotionAsk,
    key: &str,
    reason: String,
    ticket_url: Option<String>,
) -> Result<RequestedPromotion, AppError> {
    use crate::domain::actions::{ActionStatus, IdempotencyKey};
    check_key(key, "")?;
    let (source, target) = checked_states(caller, services, ask).await?;
    if !needs_approval(&target, ActionKind::Deploy) {
        return Err(AppError::Invalid(format!(
            "deploys in {} need no approval, so there is nothing to request; the API only asks for gated changes",
            ask.to
        )));
    }
    let group = ask.service.is_none().then(|| key.to_string());
    if let Some(group) = &group {
        super::releases::check_group_free(caller, services, ask.to.as_str(), group).await?;
    }
    let mut out = RequestedPromotion {
        group: group.clone(),
        requests: Vec::new(),
        created: false,
        warnings: Vec::new(),
    };
    for (index, (item, prepared)) in plan_all(services, ask, &source, &target)?
        .into_iter()
        .enumerate()
    {
        let Some(mut prepared) = prepared else {
            let why = item.plan.err().unwrap_or_default();
            out.requests.push((item.service, Err(why)));
            continue;
        };
        prepared.reason = Some(reason.clone());
        prepared.ticket_url = ticket_url.clone();
        prepared.group = group.clone();
        let service_key = IdempotencyKey::parse(&format!("{key}-s{index}"))
            .map_err(|e| AppError::internal("a promotion's request key", &e))?;
        let requested = super::releases::request_release(
            caller,
            services,
            &target,
            ActionKind::Deploy,
            &service_key,
            prepared,
        )
        .await;
        let (result, created) = match requested {
            Ok(requested) => requested,
            // A group closed by an earlier call with this key takes no new service.
            Err(AppError::Conflict(why)) => {
                out.requests.push((item.service, Err(why)));
                continue;
            }
            Err(e) => return Err(e),
        };
        out.created |= created;
        match result.status {
            ActionStatus::AwaitingApproval { release } => {
                let warnings = item.plan.map(|p| p.warnings).unwrap_or_default();
                out.warnings
                    .extend(warnings.into_iter().map(|w| (item.service.clone(), w)));
                out.requests.push((item.service, Ok(release)))
            }
            _ => {
                return Err(AppError::internal(
                    "requesting a promotion",
                    &"a gated deploy did not become a release request",
                ))
            }
        }
    }
    if let Some(group) = &group {
        super::releases::close_group(services, group).await?;
    }
    if !out.requests.iter().any(|(_, r)| r.is_ok()) {
        let why: Vec<String> = out
            .requests
            .iter()
            .map(|(service, r)| {
                format!(
                    "{service}: {}",
                    r.as_ref().err().cloned().unwrap_or_default()
                )
            })
            .collect();
        return Err(AppError::Invalid(format!(
            "nothing to promote from {} to {}: {}",
            ask.from,
            ask.to,
            why.join("; ")
        )));
    }
    Ok(out)
}
