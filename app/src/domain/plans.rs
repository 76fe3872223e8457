//! What an action on a service would change, before it runs: pure functions that check a request
//! against the service as the inventory knows it and describe the change as before → after rows.
//! The review step on the service page shows them; the server function runs the same checks
//! before it records anything.

pub use super::change::Change;

use super::actions::{ActionKind, ActionResult, ActionStatus, DesiredCount, ImageRef, ScaleBounds};
use super::format::plural;
use super::inventory::{revision_label_from_arn, split_image, Service, TaskDefinition};
use super::views::summary::EnvData;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A checked action on a service, ready to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub kind: ActionKind,
    pub changes: Vec<Change>,
    /// What else the person should know before confirming.
    pub notes: Vec<String>,
    /// The change in one line, as the audit log and the recent actions show it.
    pub summary: String,
}

/// A change of a service's Application Auto Scaling range (RegisterScalableTarget), made in the
/// same action as the desired count so target tracking does not undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeChange {
    pub from: (i32, i32),
    pub to: (i32, i32),
}

/// A checked scale: the count, and the autoscaling range it moves with it, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleTarget {
    pub desired: DesiredCount,
    pub range: Option<RangeChange>,
}

/// Scaling to `desired`: checked against the bounds, and not the current count. A service that
/// Application Auto Scaling manages is kept inside its range by target tracking, so a count
/// outside that range would be undone: it is refused, unless `widen` asks to move the range to
/// take the count in the same action (then only `hard`, the configured or default bounds,
/// limits it). `bounds` are the bounds with the autoscaling range taken into account.
pub fn plan_scale(
    service: &Service,
    bounds: ScaleBounds,
    hard: ScaleBounds,
    desired: &str,
    widen: bool,
) -> Result<(Plan, ScaleTarget), String> {
    let autoscaling = service.autoscaling;
    if widen && autoscaling.is_none() {
        return Err(format!(
            "{} has no autoscaling range to change; scale it without changing the range",
            service.name
        ));
    }
    let (desired, range) = match autoscaling {
        Some((min, max)) if widen => {
            let desired = DesiredCount::parse(desired, hard)?;
            let to = desired.get();
            if (min..=max).contains(&to) {
                return Err(format!(
                    "{to} is inside the autoscaling range {min}–{max} already; scale without changing the range"
                ));
            }
            let range = RangeChange {
                from: (min, max),
                to: (min.min(to), max.max(to)),
            };
            (desired, Some(range))
        }
        Some((min, max)) => {
            let desired = DesiredCount::parse(desired, bounds).map_err(|e| {
                format!("{e}. Target tracking keeps this service within its autoscaling range {min}–{max}: to run another count, change the range in the same action")
            })?;
            let to = desired.get();
            if !(min..=max).contains(&to) {
                return Err(format!(
                    "{to} is outside the autoscaling range {min}–{max}: Application Auto Scaling's target tracking would move the count back. Change the range in the same action, or change the scaling policy"
                ));
            }
            (desired, None)
        }
        None => (DesiredCount::parse(desired, bounds)?, None),
    };
    let (from, to) = (service.desired, desired.get());
    if from == to && range.is_none() {
        return Err(format!(
            "{} already wants {to} tasks; nothing would change",
            service.name
        ));
    }
    let mut notes = vec![format!(
        "Running now: {} of {} desired{}.",
        service.running,
        service.desired,
        if service.pending > 0 {
            format!(", {} pending", service.pending)
        } else {
            String::new()
        }
    )];
    notes.push(if to > from {
        format!(
            "ECS starts {} more task{}.",
            to - from,
            plural(i64::from(to - from))
        )
    } else if to == from {
        "ECS keeps the tasks it runs.".to_string()
    } else if to == 0 {
        "ECS stops every task: the service serves nothing until it is scaled up again.".to_string()
    } else {
        format!(
            "ECS stops {} task{}.",
            from - to,
            plural(i64::from(from - to))
        )
    });
    let mut changes = Vec::new();
    match (range, autoscaling) {
        (Some(r), _) => {
            changes.push(Change::new(
                "Autoscaling range",
                format!("{}–{}", r.from.0, r.from.1),
                format!("{}–{}", r.to.0, r.to.1),
            ));
            notes.push(format!(
                "The autoscaling range is changed first (Application Auto Scaling RegisterScalableTarget), then the desired count; target tracking then keeps the service within {}–{}. If the count cannot be set, the range is put back.",
                r.to.0, r.to.1
            ));
            notes.push(format!(
                "Allowed: {} ({}).",
                hard.describe(),
                hard.source.describe()
            ));
        }
        (None, Some((min, max))) => {
            notes.push(format!(
                "Application Auto Scaling keeps this service within {min}–{max}: target tracking may move the count from {to} as load changes."
            ));
            notes.push(format!(
                "Allowed: {} ({}).",
                bounds.describe(),
                bounds.source.describe()
            ));
        }
        (None, None) => notes.push(format!(
            "Allowed: {} ({}).",
            bounds.describe(),
            bounds.source.describe()
        )),
    }
    changes.push(Change::new(
        "Desired tasks",
        from.to_string(),
        to.to_string(),
    ));
    let summary = match range {
        Some(r) => format!(
            "desired count {from} → {to}, autoscaling range {}–{} → {}–{}",
            r.from.0, r.from.1, r.to.0, r.to.1
        ),
        None => format!("desired count {from} → {to}"),
    };
    Ok((
        Plan {
            kind: ActionKind::Scale,
            changes,
            notes,
            summary,
        },
        ScaleTarget { desired, range },
    ))
}

/// A checked deploy: which revision it copies, which container, the old and the new image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployTarget {
    pub from: String,
    pub container: String,
    pub image: ImageRef,
}

/// Deploying `image` to `container`: the container must exist in the running revision, and the
/// image must be a valid reference that differs from the current one.
pub fn plan_deploy(
    service: &Service,
    container: &str,
    image: &str,
) -> Result<(Plan, DeployTarget), String> {
    let image = ImageRef::parse(image)?;
    let td = service.task_definition.as_ref().ok_or_else(|| {
        format!(
            "the task definition of {} has not been read yet; try again in a moment",
            service.name
        )
    })?;
    let old = td
        .containers
        .iter()
        .find(|c| c.name == container)
        .map(|c| c.image.clone())
        .ok_or_else(|| {
            let names: Vec<_> = td.containers.iter().map(|c| c.name.as_str()).collect();
            format!(
                "{}:{} has no container {container:?}; its containers are {}",
                td.family,
                td.revision,
                names.join(", ")
            )
        })?;
    if old == image.as_str() {
        return Err(format!("container {container} already runs {old}"));
    }
    let label = format!("{}:{}", td.family, td.revision);
    let changes = vec![
        Change::new(format!("Image of {container}"), old.clone(), image.as_str()),
        Change::new(
            "Task definition",
            label.clone(),
            format!("{} (new revision)", td.family),
        ),
    ];
    let mut notes = vec![format!(
        "A new revision of {} is registered as a copy of {label} with only this image changed; the service then moves to it and ECS replaces its {} task{}.",
        td.family,
        service.desired,
        plural(i64::from(service.desired))
    )];
    let (old_repo, _) = split_image(&old);
    let (new_repo, _) = split_image(image.as_str());
    if old_repo != new_repo {
        notes.push(format!(
            "The repository changes too: {old_repo} → {new_repo}."
        ));
    }
    Ok((
        Plan {
            kind: ActionKind::Deploy,
            changes,
            notes,
            summary: format!("{container}: {old} → {}", image.as_str()),
        },
        DeployTarget {
            from: td.arn.clone(),
            container: container.to_string(),
            image,
        },
    ))
}

/// Rolling back (or forward) to `revision` (`family:N` or its ARN), one of `revisions`.
pub fn plan_rollback(
    service: &Service,
    revisions: &[TaskDefinition],
    revision: &str,
    last_deployed: &BTreeMap<String, DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(Plan, TaskDefinition), String> {
    let current = service.revision_label();
    let target = revisions
        .iter()
        .find(|td| td.arn == revision || format!("{}:{}", td.family, td.revision) == revision)
        .cloned()
        .ok_or_else(|| {
            if revision == current || service.task_definition_arn == revision {
                format!("{} already runs {current}", service.name)
            } else {
                format!(
                    "{revision:?} is not a known revision of {}'s family; pick one from the list",
                    service.name
                )
            }
        })?;
    let label = format!("{}:{}", target.family, target.revision);
    let mut changes = vec![Change::new(
        "Task definition",
        current.clone(),
        label.clone(),
    )];
    let before: Vec<(String, String)> = service
        .task_definition
        .as_ref()
        .map(|td| {
            td.containers
                .iter()
                .map(|c| (c.name.clone(), c.image.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut images = Vec::new();
    for c in &target.containers {
        let old = before
            .iter()
            .find(|(name, _)| *name == c.name)
            .map(|(_, image)| image.clone());
        if old.as_deref() != Some(c.image.as_str()) {
            changes.push(Change::new(
                format!("Image of {}", c.name),
                old.clone().unwrap_or_else(|| "—".into()),
                c.image.clone(),
            ));
        }
        images.push(format!(
            "{}: {} → {}",
            c.name,
            old.as_deref().map(|o| split_image(o).1).unwrap_or("—"),
            split_image(&c.image).1
        ));
    }
    for (name, image) in &before {
        if !target.containers.iter().any(|c| c.name == *name) {
            changes.push(Change::new(
                format!("Image of {name}"),
                image.clone(),
                "— (no such container)",
            ));
        }
    }
    // The rest of the revision diff: configuration that changes with the revision.
    let config_rows = service
        .task_definition
        .as_ref()
        .map(|td| {
            super::revision_diff::diff_revisions(td, &target)
                .into_iter()
                .filter(|c| !c.what.ends_with(": image") && !c.what.starts_with("Container "))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let images_only = changes.len() == 1;
    changes.extend(config_rows);
    let mut notes = Vec::new();
    if let Some(at) = target.registered_at {
        notes.push(format!(
            "{label} was registered {}.",
            super::format::age(now, at)
        ));
    }
    match last_deployed.get(&target.arn) {
        Some(at) => notes.push(format!(
            "It last ran here from {} ({}).",
            super::format::utc_minute(*at),
            super::format::age(now, *at)
        )),
        None => notes.push(format!(
            "The console has not seen {label} deployed to this service."
        )),
    }
    if images_only {
        notes.push("Its images are the same as now: only the revision changes.".to_string());
    }
    Ok((
        Plan {
            kind: ActionKind::Rollback,
            changes,
            notes,
            summary: format!("{current} → {label} ({})", images.join(", ")),
        },
        target,
    ))
}

/// What a rollback of a service is checked against, read from one environment's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackContext<'a> {
    /// The service as the inventory knows it.
    pub service: &'a Service,
    /// Revisions of the service's family it could be rolled back (or forward) to: every one the
    /// console knows but the one it runs.
    pub revisions: Vec<TaskDefinition>,
    /// When each revision (by ARN) last started running on the service, from its deployments
    /// ([`last_deployed`] without the console's own actions).
    pub last_deployed: BTreeMap<String, DateTime<Utc>>,
}

/// What [`plan_rollback`] needs for `cluster/service` in `env`, or `None` when the environment
/// has no such service (or no inventory yet). The service page shows the same revisions.
pub fn rollback_context<'a>(
    env: &EnvData<'a>,
    cluster: &str,
    service: &str,
) -> Option<RollbackContext<'a>> {
    let service = env.inventory?.service(cluster, service)?;
    let family = service
        .task_definition
        .as_ref()
        .map(|td| td.family.clone())
        .unwrap_or_else(|| {
            let label = revision_label_from_arn(&service.task_definition_arn);
            label.split(':').next().unwrap_or_default().to_string()
        });
    let revisions = env
        .details
        .and_then(|d| d.revisions.get(&family))
        .map(|r| {
            r.iter()
                .filter(|td| td.arn != service.task_definition_arn)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Some(RollbackContext {
        service,
        revisions,
        last_deployed: last_deployed(service, &[]),
    })
}

/// Forcing a new deployment: same revision, fresh tasks.
pub fn plan_redeploy(service: &Service) -> Plan {
    Plan {
        kind: ActionKind::Redeploy,
        changes: vec![Change::new(
            "Tasks",
            format!("{} running", service.running),
            format!("{} fresh on {}", service.desired, service.revision_label()),
        )],
        notes: vec![
            "ECS starts new tasks on the same revision and stops the old ones as the new ones pass their health checks.".to_string(),
        ],
        summary: format!("force new deployment of {}", service.revision_label()),
    }
}

/// When each revision last started running on the service, as far as the console knows: from
/// ECS's current deployments and the console's own successful deploys and rollbacks.
pub fn last_deployed(
    service: &Service,
    recent: &[ActionResult],
) -> BTreeMap<String, DateTime<Utc>> {
    let mut seen: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    let mut note = |arn: &str, at: DateTime<Utc>| {
        let entry = seen.entry(arn.to_string()).or_insert(at);
        if at > *entry {
            *entry = at;
        }
    };
    for d in &service.deployments {
        if let Some(at) = d.created_at {
            note(&d.task_definition_arn, at);
        }
    }
    for r in recent {
        if matches!(r.kind, ActionKind::Deploy | ActionKind::Rollback)
            && r.status == ActionStatus::Succeeded
        {
            if let Some(arn) = &r.revision {
                note(arn, r.at);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actions::ScaleBounds;
    use crate::domain::inventory::{ContainerDefinition, Deployment};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
    }

    fn td(revision: i32, images: &[(&str, &str)]) -> TaskDefinition {
        TaskDefinition {
            arn: format!("arn:aws:ecs:eu-west-1:1:task-definition/web:{revision}"),
            family: "web".into(),
            revision,
            cpu: None,
            memory: None,
            containers: images
                .iter()
                .map(|(name, image)| ContainerDefinition {
                    name: name.to_string(),
                    image: image.to_string(),
                    essential: true,
                    ports: vec![],
                    ..Default::default()
                })
                .collect(),
            registered_at: Some(now() - chrono::Duration::days(revision.into())),
        }
    }

    fn service() -> Service {
        let current = td(
            7,
            &[("web", "reg.example/web:1.7"), ("proxy", "envoy:1.30")],
        );
        Service {
            cluster: "main".into(),
            name: "web".into(),
            arn: "arn".into(),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            pending: 0,
            launch_type: None,
            task_definition_arn: current.arn.clone(),
            task_definition: Some(current),
            deployments: vec![Deployment {
                id: "d1".into(),
                status: "PRIMARY".into(),
                task_definition_arn: "arn:aws:ecs:eu-west-1:1:task-definition/web:7".into(),
                desired: 2,
                running: 2,
                pending: 0,
                failed_tasks: 0,
                rollout_state: Some("COMPLETED".into()),
                rollout_reason: None,
                created_at: Some(now() - chrono::Duration::hours(3)),
                updated_at: None,
            }],
            events: vec![],
            tasks: vec![],
            tags: Default::default(),
            app: None,
            created_at: None,
            autoscaling: Some((1, 4)),
            scaling_policies: vec![],
            circuit_breaker: None,
            load_balancers: vec![],
        }
    }

    #[test]
    fn scaling_plans_say_what_changes_and_refuse_no_ops() {
        let s = service();
        let bounds = ScaleBounds::resolve(None, s.autoscaling, false);
        let hard = ScaleBounds::resolve(None, None, false);
        let wide = ScaleBounds::resolve(Some((1, 8)), None, false);
        // (input, widen, bounds) → a note of the plan, or the refusal
        let cases: &[(&str, bool, ScaleBounds, Result<&str, &str>)] = &[
            ("4", false, bounds, Ok("ECS starts 2 more tasks.")),
            ("1", false, bounds, Ok("ECS stops 1 task.")),
            ("2", false, bounds, Err("already wants 2 tasks")),
            (
                "5",
                false,
                bounds,
                Err("outside the allowed range 1–4 (the service's autoscaling range). Target tracking keeps this service within its autoscaling range 1–4"),
            ),
            // Configured bounds wider than the autoscaling range: still refused, it would fight.
            ("6", false, wide, Err("6 is outside the autoscaling range 1–4: Application Auto Scaling's target tracking would move the count back")),
            ("0", false, bounds, Err("may not be scaled to zero")),
            ("x", false, bounds, Err("not a whole number")),
            ("3", false, bounds, Ok("Application Auto Scaling keeps this service within 1–4: target tracking may move the count from 3 as load changes.")),
            // Widening the range in the same action.
            ("6", true, bounds, Ok("The autoscaling range is changed first (Application Auto Scaling RegisterScalableTarget), then the desired count; target tracking then keeps the service within 1–6. If the count cannot be set, the range is put back.")),
            ("3", true, bounds, Err("3 is inside the autoscaling range 1–4 already")),
            ("60", true, bounds, Err("outside the allowed range 1–50 (the console's default)")),
        ];
        for (input, widen, bounds, expected) in cases {
            match (plan_scale(&s, *bounds, hard, input, *widen), expected) {
                (Ok((plan, t)), Ok(note)) => {
                    assert!(
                        plan.summary
                            .starts_with(&format!("desired count 2 → {}", t.desired.get())),
                        "{}",
                        plan.summary
                    );
                    assert!(
                        plan.notes.iter().any(|n| n == note),
                        "{input}: {:?}",
                        plan.notes
                    );
                    assert!(plan.notes.iter().any(|n| n.contains("Auto Scaling")));
                    assert_eq!(t.range.is_some(), *widen);
                }
                (Err(e), Err(needle)) => assert!(e.contains(needle), "{input}: {e}"),
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
        let (plan, target) = plan_scale(&s, bounds, hard, "6", true).unwrap();
        assert_eq!(
            target.range,
            Some(RangeChange {
                from: (1, 4),
                to: (1, 6)
            })
        );
        assert_eq!(plan.changes[0].before, "1–4");
        assert_eq!(plan.changes[0].after, "1–6");
        assert_eq!(
            plan.summary,
            "desired count 2 → 6, autoscaling range 1–4 → 1–6"
        );
        let mut plain = s.clone();
        plain.autoscaling = None;
        assert!(plan_scale(&plain, hard, hard, "6", true)
            .unwrap_err()
            .contains("has no autoscaling range"));
    }

    #[test]
    fn deploy_plans_show_the_image_diff_and_check_the_container() {
        let s = service();
        let (plan, target) = plan_deploy(&s, "web", "reg.example/web:1.8").unwrap();
        assert_eq!(plan.changes[0].before, "reg.example/web:1.7");
        assert_eq!(plan.changes[0].after, "reg.example/web:1.8");
        assert_eq!(
            plan.summary,
            "web: reg.example/web:1.7 → reg.example/web:1.8"
        );
        assert_eq!(target.from, s.task_definition_arn);
        let cases = [
            ("web", "reg.example/web:1.7", "already runs"),
            (
                "db",
                "reg.example/web:1.8",
                "has no container \"db\"; its containers are web, proxy",
            ),
            ("web", "Reg/Web", "not valid"),
        ];
        for (container, image, needle) in cases {
            let err = plan_deploy(&s, container, image).unwrap_err();
            assert!(err.contains(needle), "{container} {image}: {err}");
        }
        let (moved, _) = plan_deploy(&s, "proxy", "other.example/envoy:1.31").unwrap();
        assert!(moved.notes.iter().any(|n| n.contains("repository changes")));
        let mut unread = s.clone();
        unread.task_definition = None;
        assert!(plan_deploy(&unread, "web", "a:1")
            .unwrap_err()
            .contains("not been read"));
    }

    #[test]
    fn rollback_plans_list_image_changes_and_when_the_revision_last_ran() {
        let s = service();
        let revisions = vec![
            td(
                6,
                &[("web", "reg.example/web:1.6"), ("proxy", "envoy:1.30")],
            ),
            td(5, &[("web", "reg.example/web:1.5")]),
        ];
        let ran: BTreeMap<String, DateTime<Utc>> =
            [(revisions[0].arn.clone(), now() - chrono::Duration::days(2))].into();
        let (plan, target) = plan_rollback(&s, &revisions, "web:6", &ran, now()).unwrap();
        assert_eq!(target.revision, 6);
        assert_eq!(
            plan.changes,
            vec![
                Change::new("Task definition", "web:7", "web:6"),
                Change::new("Image of web", "reg.example/web:1.7", "reg.example/web:1.6"),
            ]
        );
        assert_eq!(
            plan.summary,
            "web:7 → web:6 (web: 1.7 → 1.6, proxy: 1.30 → 1.30)"
        );
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("last ran here from 2026-11-22")),
            "{:?}",
            plan.notes
        );
        let (older, _) = plan_rollback(&s, &revisions, &revisions[1].arn, &ran, now()).unwrap();
        assert!(older
            .changes
            .iter()
            .any(|c| c.what == "Image of proxy" && c.after.contains("no such container")));
        assert!(older.notes.iter().any(|n| n.contains("has not seen web:5")));
        assert!(plan_rollback(&s, &revisions, "web:7", &ran, now())
            .unwrap_err()
            .contains("already runs web:7"));
        assert!(plan_rollback(&s, &revisions, "web:2", &ran, now())
            .unwrap_err()
            .contains("not a known revision"));
    }

    #[test]
    fn rollback_plans_show_the_configuration_the_revision_brings_back() {
        let mut s = service();
        if let Some(current) = s.task_definition.as_mut() {
            current.containers[0].environment = vec![
                ("LOG_LEVEL".into(), "info".into()),
                ("API_TOKEN".into(), "t-new".into()),
            ];
        }
        let mut old = td(
            6,
            &[("web", "reg.example/web:1.7"), ("proxy", "envoy:1.30")],
        );
        old.cpu = Some("512".into());
        old.containers[0].environment = vec![
            ("LOG_LEVEL".into(), "debug".into()),
            ("API_TOKEN".into(), "t-old".into()),
        ];
        let (plan, _) = plan_rollback(&s, &[old], "web:6", &BTreeMap::new(), now()).unwrap();
        let rows: Vec<(&str, &str, &str)> = plan
            .changes
            .iter()
            .map(|c| (c.what.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Task definition", "web:7", "web:6"),
                ("Task CPU", "—", "512"),
                (
                    "web: env API_TOKEN",
                    "•••••• (masked)",
                    "•••••• (masked), changed"
                ),
                ("web: env LOG_LEVEL", "info", "debug"),
            ]
        );
        assert!(
            plan.notes.iter().any(|n| n.contains("images are the same")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn revisions_last_deployed_come_from_deployments_and_the_consoles_own_actions() {
        let s = service();
        let result = |kind, revision: Option<&str>, status, hours| ActionResult {
            kind,
            env: "dev".into(),
            target: "main/web".into(),
            status,
            summary: String::new(),
            at: now() - chrono::Duration::hours(hours),
            actor: "ana".into(),
            key: "k".into(),
            reason: None,
            revision: revision.map(str::to_string),
            rollout: None,
        };
        let six = "arn:aws:ecs:eu-west-1:1:task-definition/web:6";
        let failed = ActionStatus::Failed {
            code: "X".into(),
            message: "y".into(),
        };
        let recent = vec![
            result(ActionKind::Rollback, Some(six), ActionStatus::Succeeded, 30),
            result(ActionKind::Rollback, Some(six), ActionStatus::Succeeded, 50),
            result(
                ActionKind::Deploy,
                Some("arn:aws:ecs:eu-west-1:1:task-definition/web:5"),
                failed,
                10,
            ),
            result(ActionKind::Scale, None, ActionStatus::Succeeded, 1),
        ];
        let seen = last_deployed(&s, &recent);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[six], now() - chrono::Duration::hours(30));
        assert_eq!(
            seen[&s.task_definition_arn],
            now() - chrono::Duration::hours(3)
        );
    }

    #[test]
    fn redeploy_plans_keep_the_revision() {
        let plan = plan_redeploy(&service());
        assert_eq!(plan.summary, "force new deployment of web:7");
        assert_eq!(plan.changes[0].after, "2 fresh on web:7");
    }

    #[test]
    fn rollback_context_offers_the_other_revisions_of_the_family() {
        use crate::domain::ids::EnvId;
        use crate::domain::inventory::{EnvDescriptor, EnvDetails, EnvInventory, RefreshStatus};

        let descriptor = EnvDescriptor {
            id: EnvId::parse("prod").unwrap(),
            name: "prod".into(),
            region: "eu-west-1".into(),
            account_id: None,
            protected: false,
            refresh_interval_secs: 30,
            scaling: Default::default(),
            approval: Default::default(),
            logs: Default::default(),
        };
        let status = RefreshStatus::default();
        let inventory = EnvInventory {
            services: vec![service()],
            ..Default::default()
        };
        let mut details = EnvDetails::default();
        details
            .revisions
            .insert("web".into(), vec![td(7, &[]), td(6, &[]), td(5, &[])]);
        let env = |details| EnvData {
            descriptor: &descriptor,
            status: &status,
            inventory: Some(&inventory),
            details,
            summary: None,
        };

        let context = rollback_context(&env(Some(&details)), "main", "web").unwrap();
        assert_eq!(context.service, &service());
        let revisions: Vec<i32> = context.revisions.iter().map(|td| td.revision).collect();
        assert_eq!(
            revisions,
            [6, 5],
            "every known revision but the running one"
        );
        assert_eq!(context.last_deployed, last_deployed(&service(), &[]));

        let unread = rollback_context(&env(None), "main", "web").unwrap();
        assert!(unread.revisions.is_empty(), "no revisions read yet");
        assert!(rollback_context(&env(Some(&details)), "main", "api").is_none());
        assert!(rollback_context(&env(Some(&details)), "other", "web").is_none());
    }
}
