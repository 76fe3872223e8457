//! One database: configuration, storage, backups, snapshots, events and charts.

use crate::api::actions::SnapshotDatabase;
use crate::api::databases::get_database;
use crate::domain::actions::ActionKind;
use crate::domain::format::{age_opt, bytes, utc_minute_opt};
use crate::domain::inventory::StorageMetric;
use crate::domain::views::DatabaseView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DatabasePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("env").unwrap_or_default(),
            p.get("id").unwrap_or_default(),
        )
    };
    let query = use_query_map();
    let outcome = move || ReviewQuery::from_query(&query.read());
    let snapshot = Submit::<SnapshotDatabase>::new();
    let data = Resource::new(
        move || {
            (
                key(),
                outcome(),
                refresh_tick(),
                snapshot.action.version().get(),
            )
        },
        |((env, id), outcome, _, _)| async move { get_database(env, id).await.map(|v| (v, outcome)) },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, outcome)) => database_page(view, outcome, snapshot).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn actions_section(view: &DatabaseView, snapshot: Submit<SnapshotDatabase>) -> Option<AnyView> {
    let panel = view.actions.clone()?;
    let env = view.card.descriptor.id.to_string();
    let id = view.row.database.id.clone();
    let form = panel
        .allows(ActionKind::Snapshot)
        .then(|| view! { <SnapshotForm action=snapshot env id panel=panel.clone()/> });
    Some(action_sections(&panel, form.into_any(), view.generated_at))
}

fn database_page(
    view: DatabaseView,
    outcome: ReviewQuery,
    snapshot: Submit<SnapshotDatabase>,
) -> impl IntoView {
    let actions = actions_section(&view, snapshot);
    let banner = panel_outcome(&outcome, view.actions.as_ref());
    let now = view.generated_at;
    let db = view.row.database.clone();
    let env = view.card.descriptor.id.clone();
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
        ("Databases".to_string(), format!("/databases?env={env}")),
    ];
    let metrics = view.metrics.clone().unwrap_or_default();
    let free = view
        .row
        .free_storage_bytes
        .map(bytes)
        .unwrap_or_else(|| "—".into());
    let family = db.family();
    let kind = family.label();
    // A cluster volume grows as needed: it has bytes used, not free space.
    let (storage_label, storage_chart, storage_series) = match family.storage_metric() {
        StorageMetric::Free(_) => (
            "Storage free",
            "Free storage",
            metrics.free_storage_bytes.clone(),
        ),
        StorageMetric::Used(_) => (
            "Volume used",
            "Volume used",
            metrics.volume_used_bytes.clone(),
        ),
    };
    let free = match family.storage_metric() {
        StorageMetric::Free(_) => free,
        StorageMetric::Used(_) => metrics
            .volume_used_bytes
            .latest()
            .map(bytes)
            .unwrap_or_else(|| "—".into()),
    };
    let connections_chart = family.connections_metric().map(|_| {
        view! { <LineChart title="Connections" series=Some(metrics.connections.clone()) unit=Unit::Count/> }
    });
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let available = db.available();
    let status = db.status.clone();
    let engine = format!("{} {}", db.engine, db.engine_version);
    let class = db.class.clone().unwrap_or_else(|| "—".into());
    let multi_az = if db.multi_az { "yes" } else { "no" };
    let app = app_link(db.app.clone());
    let allocated = db
        .allocated_storage_gb
        .map(|g| format!("{g} GiB"))
        .unwrap_or_else(|| "—".into());
    let encrypted = if db.storage_encrypted { "yes" } else { "no" };
    let retention = format!("{} days", db.backup_retention_days);
    let restorable = utc_minute_opt(db.latest_restorable_time);
    let endpoint = db.endpoint.clone().unwrap_or_else(|| "—".into());
    view! {
        <Title text=db.id.clone()/>
        <PageHeader title=db.id.clone() crumbs>{heading}</PageHeader>
        <EnvProblem card=view.card.clone() now/>
        {banner}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-4 lg:grid-cols-6")>
            <Stat label="Status"><Badge tone=if available { Tone::Good } else { Tone::Warn } text=status/></Stat>
            <Stat label="Kind">{kind}</Stat>
            <Stat label="Engine">{engine}</Stat>
            <Stat label="Class"><span class="font-mono text-xs">{class}</span></Stat>
            <Stat label="Multi-AZ">{multi_az}</Stat>
            <Stat label="App">{app}</Stat>
            <Stat label="Storage allocated">{allocated}</Stat>
            <Stat label=storage_label>{free}</Stat>
            <Stat label="Encrypted">{encrypted}</Stat>
            <Stat label="Backup retention">{retention}</Stat>
            <Stat label="Latest restorable">{restorable}</Stat>
            <Stat label="Endpoint"><span class="font-mono text-xs">{endpoint}</span></Stat>
        </dl>
        {actions}
        <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-3">
            <LineChart title="CPU utilisation" series=Some(metrics.cpu.clone()) unit=Unit::Percent/>
            {connections_chart}
            <LineChart title=storage_chart series=Some(storage_series) unit=Unit::Bytes/>
        </div>
        {watching_alarms(&env, &view.alarms, now, "database")}
        <Section title="Snapshots" note=format!("{} snapshots", view.snapshots.len())>
            {if view.snapshots.is_empty() {
                view! { <Empty text="No snapshots."/> }.into_any()
            } else {
                view! {
                    <div class="overflow-x-auto"><table class=TABLE data-testid="snapshots-table">
                        <thead class=THEAD><tr>
                            <th class=TH>"Snapshot"</th><th class=TH>"Type"</th><th class=TH>"Status"</th>
                            <th class=TH>"Created"</th><th class=TH>"Size"</th>
                        </tr></thead>
                        <tbody>
                            {view.snapshots.iter().map(|s| view! {
                                <tr class=TR>
                                    <td class=format!("{TD} font-mono text-xs")>{s.id.clone()}</td>
                                    <td class=TD>{s.snapshot_type.clone()}</td>
                                    <td class=TD>{s.status.clone()}</td>
                                    <td class=format!("{TD} whitespace-nowrap")>{utc_minute_opt(s.created_at)}
                                        <span class=format!("ml-1 text-xs {MUTED}")>{age_opt(now, s.created_at)}</span></td>
                                    <td class=TD>{s.allocated_storage_gb.map(|g| format!("{g} GiB")).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </Section>
        <Section title="Events" note="last 24 hours, newest first">
            {if view.events.is_empty() {
                view! { <Empty text="No events in the last 24 hours."/> }.into_any()
            } else {
                view! {
                    <ol class="divide-y divide-slate-100 text-sm dark:divide-slate-800">
                        {view.events.iter().map(|e| view! {
                            <li class="flex gap-3 px-3 py-1.5">
                                <span class=format!("w-20 shrink-0 text-xs {MUTED}")>{age_opt(now, e.at)}</span>
                                <span class="min-w-0 break-words">{e.message.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </Section>
    }
}
