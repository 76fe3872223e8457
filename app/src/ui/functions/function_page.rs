//! One Lambda function: configuration, what feeds it, aliases with their routing, published
//! versions with their code hashes, charts of invocations, errors, throttles, duration and
//! concurrency, and the alarms that watch it.

use super::functions_page::{mapping_badge, mapping_source, reserved_words, FunctionReadProblem};
use crate::api::actions::{RollbackAlias, SetConcurrency, SetMapping, UpdateAlias};
use crate::api::functions::get_function;
use crate::domain::actions::ActionKind;
use crate::domain::format::{age_opt, utc_minute_opt};
use crate::domain::views::FunctionView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The function page's action forms, made once outside its `Transition`.
#[derive(Clone, Copy)]
struct FunctionForms {
    mapping: Submit<SetMapping>,
    alias: Submit<UpdateAlias>,
    rollback: Submit<RollbackAlias>,
    concurrency: Submit<SetConcurrency>,
}

#[component]
pub fn FunctionPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("env").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    };
    let query = use_query_map();
    let outcome = move || ReviewQuery::from_query(&query.read());
    let forms = FunctionForms {
        mapping: Submit::new(),
        alias: Submit::new(),
        rollback: Submit::new(),
        concurrency: Submit::new(),
    };
    let data = Resource::new(
        move || {
            (
                key(),
                outcome(),
                refresh_tick(),
                (
                    forms.mapping.action.version().get(),
                    forms.alias.action.version().get(),
                    forms.rollback.action.version().get(),
                    forms.concurrency.action.version().get(),
                ),
            )
        },
        |((env, name), outcome, _, _)| async move {
            get_function(env, name).await.map(|v| (v, outcome))
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, outcome)) => function_page(view, outcome, forms).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A code hash cut to its first characters (the whole one is in the title).
fn short_sha(sha: Option<&str>) -> AnyView {
    match sha {
        Some(s) => {
            let short: String = s.chars().take(12).collect();
            view! { <span class="font-mono text-xs" title=s.to_string()>{short}"…"</span> }
                .into_any()
        }
        None => view! { <span class=MUTED>"—"</span> }.into_any(),
    }
}

/// What the person may do to the function — stop or restart what feeds it, move its aliases,
/// set its reserved concurrency — and its recent actions.
fn actions_section(view: &FunctionView, forms: FunctionForms) -> Option<AnyView> {
    let panel = view.actions.clone()?;
    let env = view.card.descriptor.id.to_string();
    let f = &view.row.function;
    let mappings = view
        .row
        .sources
        .iter()
        .filter(|m| {
            panel.allows(if m.consuming {
                ActionKind::PauseMapping
            } else {
                ActionKind::ResumeMapping
            })
        })
        .map(|m| {
            let form = view! { <MappingForm action=forms.mapping env=env.clone() function=f.name.clone() mapping=m.clone() panel=panel.clone()/> };
            action_group(format!("Worker: the mapping from {}", m.source), form.into_any())
        })
        .collect_view();
    let aliases = f
        .aliases
        .iter()
        .map(|a| {
            let update = panel.allows(ActionKind::UpdateAlias).then(|| {
                view! { <AliasForm action=forms.alias env=env.clone() function=f.clone() alias=a.clone() panel=panel.clone()/> }
            });
            let rollback = panel.allows(ActionKind::RollbackAlias).then(|| {
                view! { <AliasRollbackForm action=forms.rollback env=env.clone() function=f.clone() alias=a.clone() panel=panel.clone()/> }
            });
            action_group(format!("Alias {}", a.name), view! { {update}{rollback} }.into_any())
        })
        .collect_view();
    let concurrency = panel.allows(ActionKind::SetConcurrency).then(|| {
        let form = view! { <ConcurrencyForm action=forms.concurrency env=env.clone() function=f.name.clone() reserved=f.reserved_concurrency panel=panel.clone()/> };
        action_group("Reserved concurrency".into(), form.into_any())
    });
    let forms = view! { {mappings}{aliases}{concurrency} }.into_any();
    Some(action_sections(&panel, forms, view.generated_at))
}

fn function_page(view: FunctionView, outcome: ReviewQuery, forms: FunctionForms) -> impl IntoView {
    let banner = panel_outcome(&outcome, view.actions.as_ref());
    let actions = actions_section(&view, forms);
    let now = view.generated_at;
    let env = view.card.descriptor.id.clone();
    let f = view.row.function.clone();
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
        ("Functions".to_string(), format!("/functions?env={env}")),
    ];
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let metrics = view.metrics.clone().unwrap_or_default();
    let problem = view
        .read_error
        .clone()
        .map(|error| view! { <FunctionReadProblem env=env.to_string() error/> });
    let env_text = env.to_string();
    let mappings = if view.row.sources.is_empty() {
        view! { <Empty text="No event source mapping invokes this function."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="mappings-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Source"</th><th class=TH>"Invokes"</th><th class=TH>"State"</th>
                    <th class=format!("{TH} text-right")>"Batch size"</th><th class=TH>"Why"</th>
                    <th class=TH>"Changed"</th><th class=TH>"Mapping"</th>
                </tr></thead>
                <tbody>
                    {view.row.sources.iter().map(|m| view! {
                        <tr class=TR>
                            <td class=TD>{mapping_source(&env_text, m)}</td>
                            <td class=TD>{m.qualifier.clone().unwrap_or_else(|| "$LATEST".into())}</td>
                            <td class=TD>{mapping_badge(m)}</td>
                            <td class=format!("{TD} text-right tabular-nums")>{m.batch_size.map(|b| b.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class=format!("{TD} text-xs")>{m.state_reason.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, m.last_modified)}</td>
                            <td class=format!("{TD} font-mono text-xs")>{m.uuid.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    let aliases = if f.aliases.is_empty() {
        view! { <Empty text="No aliases."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="aliases-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Alias"</th><th class=TH>"Routes to"</th><th class=TH>"Code"</th><th class=TH>"Description"</th>
                </tr></thead>
                <tbody>
                    {f.aliases.iter().map(|a| view! {
                        <tr class=TR>
                            <td class=format!("{TD} font-medium")>{a.name.clone()}</td>
                            <td class=TD>{a.routing()}</td>
                            <td class=TD>{short_sha(f.code_of(a))}</td>
                            <td class=format!("{TD} text-xs {MUTED}")>{a.description.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    let versions = if f.versions.is_empty() {
        view! { <Empty text="No published versions: only $LATEST."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="versions-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Version"</th><th class=TH>"Code"</th><th class=TH>"Published"</th><th class=TH>"Description"</th>
                </tr></thead>
                <tbody>
                    {f.versions.iter().rev().map(|v| view! {
                        <tr class=TR>
                            <td class=format!("{TD} font-medium tabular-nums")>{v.version.clone()}</td>
                            <td class=TD>{short_sha(v.code_sha256.as_deref())}</td>
                            <td class=format!("{TD} whitespace-nowrap")>{utc_minute_opt(v.last_modified)}</td>
                            <td class=format!("{TD} text-xs {MUTED}")>{v.description.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    let runtime = f
        .runtime
        .clone()
        .unwrap_or_else(|| "container image".into());
    view! {
        <Title text=f.name.clone()/>
        <PageHeader title=f.name.clone() crumbs>{heading}</PageHeader>
        <EnvProblem card=view.card.clone() now/>
        {banner}
        {problem}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-4 lg:grid-cols-6")>
            <Stat label="State">{f.state.clone().unwrap_or_else(|| "—".into())}</Stat>
            <Stat label="App">{app_link(f.app.clone())}</Stat>
            <Stat label="Runtime">{runtime}</Stat>
            <Stat label="Architecture">{f.architecture.clone().unwrap_or_else(|| "x86_64".into())}</Stat>
            <Stat label="Memory">{f.memory_mb.map(|m| format!("{m} MB")).unwrap_or_else(|| "—".into())}</Stat>
            <Stat label="Timeout">{f.timeout_secs.map(|t| format!("{t} s")).unwrap_or_else(|| "—".into())}</Stat>
            <Stat label="Reserved concurrency">{reserved_words(f.reserved_concurrency)}</Stat>
            <Stat label="Last modified">{utc_minute_opt(f.last_modified)}</Stat>
            <Stat label="Code SHA-256">{short_sha(f.code_sha256.as_deref())}</Stat>
        </dl>
        <Section title="Fed by" note="event source mappings">{mappings}</Section>
        <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
            <LineChart title="Invocations" series=Some(metrics.invocations.clone()) unit=Unit::Count/>
            <LineChart title="Errors" series=Some(metrics.errors.clone()) unit=Unit::Count/>
            <LineChart title="Throttles" series=Some(metrics.throttles.clone()) unit=Unit::Count/>
            <LineChart title="Duration p99 (ms)" series=Some(metrics.duration_p99.clone()) unit=Unit::Count/>
            <LineChart title="Concurrent executions" series=Some(metrics.concurrent.clone()) unit=Unit::Count/>
        </div>
        <Section title="Aliases" note="where each routes, and the code it runs">{aliases}</Section>
        <Section title="Published versions" note="newest first">{versions}</Section>
        {watching_alarms(&env, &view.alarms, now, "function")}
        {actions}
    }
}
