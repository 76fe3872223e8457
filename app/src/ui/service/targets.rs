//! The service page's load balancing: each target group the service is registered with, the
//! load balancers and listeners in front of it, every target's state and reason (with the task
//! behind it), and the group's load-balancer metrics.

use crate::domain::format::age_opt;
use crate::domain::load_balancing::{TargetState, TargetVerdict};
use crate::domain::views::service::{ServiceLoadBalancing, ServiceTargetGroup};
use crate::ui::components::*;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// The section, or `None` for a service without a load balancer.
pub fn load_balancing_section(lb: &ServiceLoadBalancing, now: DateTime<Utc>) -> Option<AnyView> {
    if lb.groups.is_empty() {
        return None;
    }
    let note = match (&lb.counts, lb.read_at) {
        (Some(counts), read_at) => format!(
            "{} · target health read {}",
            counts.describe(),
            age_opt(now, read_at)
        ),
        (None, None) => "target health not read yet".to_string(),
        (None, Some(read_at)) => format!("target health read {}", age_opt(now, Some(read_at))),
    };
    let error = lb.error.clone().map(|e| {
        view! {
            <p class="mx-3 mt-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100" data-testid="lb-error">
                {format!("Load balancing could not be read this cycle: {e}")}
            </p>
        }
    });
    let groups = lb
        .groups
        .iter()
        .map(|g| group_view(g, lb.read_at.is_some()))
        .collect_view();
    Some(
        view! {
            <Section title="Load balancer" note=note>
                {error}
                <div class="divide-y divide-slate-200 dark:divide-slate-800" data-testid="load-balancing">{groups}</div>
            </Section>
        }
        .into_any(),
    )
}

fn group_view(g: &ServiceTargetGroup, read: bool) -> AnyView {
    let a = &g.attachment;
    let container = match (&a.container_name, a.container_port) {
        (Some(name), Some(port)) => format!("container {name}:{port}"),
        (Some(name), None) => format!("container {name}"),
        _ => String::new(),
    };
    let Some(group) = g.group.clone() else {
        let text = if let Some(classic) = &a.load_balancer_name {
            format!("Classic Load Balancer {classic} ({container}): its instances' health is not read by the console.")
        } else if read {
            format!(
                "Target group {} ({container}) was not found: it may have been deleted.",
                crate::domain::load_balancing::target_group_name(&a.target_group_arn)
            )
        } else {
            format!(
                "Target group {} ({container}): its targets are read with the details, shortly.",
                crate::domain::load_balancing::target_group_name(&a.target_group_arn)
            )
        };
        return view! { <p class=format!("p-3 text-sm {MUTED}") data-testid="target-group-missing">{text}</p> }
            .into_any();
    };
    let protocol = match (&group.protocol, group.port) {
        (Some(p), Some(port)) => format!("{p}:{port}"),
        (Some(p), None) => p.clone(),
        _ => "—".to_string(),
    };
    let facts = [
        Some(protocol),
        group
            .target_type
            .clone()
            .map(|t| format!("target type {t}")),
        group
            .health_check_path
            .clone()
            .map(|p| format!("health check {p}")),
        (!container.is_empty()).then_some(container),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let balancers = g
        .load_balancers
        .iter()
        .map(|lb| {
            let listeners = lb
                .listeners
                .iter()
                .map(|l| {
                    format!(
                        "{}:{}",
                        l.protocol.clone().unwrap_or_else(|| "?".into()),
                        l.port.map(|p| p.to_string()).unwrap_or_else(|| "?".into())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let kind = [lb.kind.clone(), lb.scheme.clone(), lb.state.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <li class="min-w-0">
                    <span class="font-medium">{lb.name.clone()}</span>
                    <span class=MUTED>{format!(" ({kind})")}</span>
                    {(!listeners.is_empty()).then(|| view! { <span>{format!(" · listeners {listeners}")}</span> })}
                    {lb.dns_name.clone().map(|d| view! { <div class=format!("break-all font-mono text-xs {MUTED}")>{d}</div> })}
                </li>
            }
        })
        .collect_view();
    let tone = match g.counts.verdict() {
        TargetVerdict::Healthy => Tone::Good,
        TargetVerdict::Starting => Tone::Info,
        TargetVerdict::Degraded => Tone::Warn,
        TargetVerdict::Down => Tone::Bad,
        TargetVerdict::NoTargets => Tone::Neutral,
    };
    let summary = g.counts.describe();
    let targets = targets_table(g, &group);
    let charts = g.metrics.clone().map(|m| {
        view! {
            <div class="grid grid-cols-1 gap-3 px-3 pb-3 md:grid-cols-2 xl:grid-cols-4" data-testid="target-group-charts">
                <LineChart title="Target 5xx responses (per 5 min)" series=Some(m.target_5xx) unit=Unit::Count/>
                <LineChart title="Target response time" series=Some(m.response_time) unit=Unit::Seconds/>
                <LineChart title="Healthy hosts" series=Some(m.healthy_hosts) unit=Unit::Count/>
                <LineChart title="Unhealthy hosts" series=Some(m.unhealthy_hosts) unit=Unit::Count/>
            </div>
        }
    });
    view! {
        <div data-testid="target-group" data-name=group.name.clone()>
            <div class="flex flex-wrap items-center gap-2 px-3 pt-3">
                <h3 class="font-semibold">{format!("Target group {}", group.name)}</h3>
                <Badge tone text=summary/>
            </div>
            <p class=format!("px-3 text-xs {MUTED}")>{facts}</p>
            {group.error.clone().map(|e| view! {
                <p class="px-3 pt-1 text-sm text-amber-800 dark:text-amber-300">{format!("Its targets' health could not be read: {e}")}</p>
            })}
            <ul class="space-y-1 px-3 pt-2 text-sm">{balancers}</ul>
            {targets}
            {charts}
        </div>
    }
    .into_any()
}

fn state_tone(state: &TargetState) -> Tone {
    match state {
        TargetState::Healthy => Tone::Good,
        TargetState::Initial => Tone::Info,
        TargetState::Unhealthy | TargetState::UnhealthyDraining => Tone::Bad,
        TargetState::Draining | TargetState::Unused => Tone::Warn,
        TargetState::Unavailable | TargetState::Other(_) => Tone::Neutral,
    }
}

fn targets_table(
    g: &ServiceTargetGroup,
    group: &crate::domain::load_balancing::TargetGroup,
) -> AnyView {
    if group.targets.is_empty() {
        return view! { <Empty text="No targets are registered."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid="targets-table">
            <thead class=THEAD><tr>
                <th class=TH>"Target"</th><th class=TH>"Task"</th><th class=TH>"Zone"</th>
                <th class=TH>"State"</th><th class=TH>"Reason"</th>
            </tr></thead>
            <tbody>
                {group.targets.iter().map(|t| {
                    let id = match t.port {
                        Some(port) => format!("{}:{port}", t.id),
                        None => t.id.clone(),
                    };
                    let task = g.tasks.get(&t.id).cloned().unwrap_or_else(|| "—".into());
                    let reason = match (&t.reason, &t.description) {
                        (Some(r), Some(d)) => format!("{r}: {d}"),
                        (Some(r), None) => r.clone(),
                        (None, Some(d)) => d.clone(),
                        (None, None) => "—".to_string(),
                    };
                    view! {
                        <tr class=TR data-state=t.state.as_str().to_string()>
                            <td class=format!("{TD} font-mono text-xs")>{id}</td>
                            <td class=format!("{TD} font-mono text-xs")>{task}</td>
                            <td class=TD>{t.availability_zone.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class=TD><Badge tone=state_tone(&t.state) text=t.state.as_str().to_string()/></td>
                            <td class=format!("{TD} break-words text-xs")>{reason}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}
