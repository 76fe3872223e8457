//! Every Lambda function across environments, optionally of one environment (`?env=`),
//! grouped by app, with what feeds each one.

use crate::api::functions::list_functions;
use crate::domain::format::number;
use crate::domain::views::{FunctionRow, FunctionsView, MappingRef};
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn FunctionsPage() -> impl IntoView {
    let query = use_query_map();
    let env = move || query.read().get("env").filter(|e| !e.is_empty());
    let data = Resource::new(
        move || (env(), refresh_tick()),
        |(env, _)| list_functions(env),
    );
    view! {
        <Title text="Functions"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => functions_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn functions_page(view: FunctionsView) -> impl IntoView {
    let now = view.generated_at;
    let filter = env_filter_chips("/functions", &view.envs, view.env_filter.as_ref(), now);
    let notes = detail_list_notes(
        "Lambda functions",
        "functions-failed",
        &view.errors,
        &view.unread,
    );
    let note = format!("{} functions", view.rows.len());
    view! {
        <PageHeader title="Functions" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {filter}
        {notes}
        <Section title="Functions: Lambda, with what feeds each one" note>
            {functions_table(view.rows, view.env_filter.is_none())}
        </Section>
    }
}

/// Why some of an environment's functions are shown as last read.
#[component]
pub fn FunctionReadProblem(env: String, error: String) -> impl IntoView {
    view! { <ReadProblem what="Lambda functions" env error testid="functions-failed"/> }
}

/// A mapping's state as a badge with its words: consuming or stopped.
pub fn mapping_badge(m: &MappingRef) -> impl IntoView {
    let tone = if m.consuming { Tone::Good } else { Tone::Warn };
    let text = if m.consuming {
        format!("{} · consuming", m.state)
    } else {
        format!("{} · not consuming", m.state)
    };
    view! { <Badge tone text/> }
}

/// Where a mapping reads from: a link to the queue's page when this environment lists it.
pub fn mapping_source(env: &str, m: &MappingRef) -> AnyView {
    if m.source_is_queue {
        view! { <a class=LINK href=format!("/envs/{env}/queues/{}", m.source)>{m.source.clone()}</a> }.into_any()
    } else {
        view! { <span class="break-all font-mono text-xs">{m.source.clone()}</span> }.into_any()
    }
}

/// The functions table of the functions page and the app page.
pub fn functions_table(rows: Vec<FunctionRow>, with_env: bool) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No functions."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="functions-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Function"</th>
                    {with_env.then(|| view! { <th class=TH>"Env"</th> })}
                    <th class=TH>"App"</th>
                    <th class=TH>"Runtime"</th>
                    <th class=format!("{TH} text-right")>"Memory"</th>
                    <th class=TH>"Aliases"</th>
                    <th class=TH>"Reserved"</th>
                    <th class=TH>"Fed by"</th>
                    <th class=format!("{TH} text-right")>"Errors · throttles"</th>
                    <th class=TH>"Alarms"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let f = r.function.clone();
                        let env = r.env.to_string();
                        let href = format!("/envs/{env}/functions/{}", f.name);
                        let runtime = format!(
                            "{} · {}",
                            f.runtime.clone().unwrap_or_else(|| "container image".into()),
                            f.architecture.clone().unwrap_or_else(|| "x86_64".into())
                        );
                        let aliases = if f.aliases.is_empty() {
                            view! { <span class=MUTED>"none"</span> }.into_any()
                        } else {
                            f.aliases.iter().map(|a| view! {
                                <div class="whitespace-nowrap text-xs"><span class="font-medium">{a.name.clone()}</span>" → "{a.routing()}</div>
                            }).collect_view().into_any()
                        };
                        let reserved = reserved_words(f.reserved_concurrency);
                        let fed = if r.sources.is_empty() {
                            view! { <span class=MUTED>"—"</span> }.into_any()
                        } else {
                            r.sources.iter().map(|m| view! {
                                <div class="flex flex-wrap items-center gap-1">{mapping_source(&env, m)}{mapping_badge(m)}</div>
                            }).collect_view().into_any()
                        };
                        let figure = |v: Option<f64>| v.map(number).unwrap_or_else(|| "—".into());
                        view! {
                            <tr class=TR>
                                <td class=format!("{TD} whitespace-nowrap")><a class=LINK href=href>{f.name.clone()}</a></td>
                                {with_env.then(|| view! { <td class=TD>{env.clone()}</td> })}
                                <td class=TD>{app_link(f.app.clone())}</td>
                                <td class=format!("{TD} whitespace-nowrap text-xs")>{runtime}</td>
                                <td class=format!("{TD} text-right tabular-nums whitespace-nowrap")>{f.memory_mb.map(|m| format!("{m} MB")).unwrap_or_else(|| "—".into())}</td>
                                <td class=TD>{aliases}</td>
                                <td class=format!("{TD} whitespace-nowrap")>{reserved}</td>
                                <td class=TD>{fed}</td>
                                <td class=format!("{TD} whitespace-nowrap text-right tabular-nums")>{format!("{} · {}", figure(r.errors), figure(r.throttles))}</td>
                                <td class=TD>{firing_cell(r.alarms_firing)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Reserved concurrency in words: unreserved, a number, or stopped at 0.
pub fn reserved_words(reserved: Option<i32>) -> AnyView {
    match reserved {
        None => view! { <span class=MUTED>"unreserved"</span> }.into_any(),
        Some(0) => {
            view! { <Badge tone=Tone::Bad text="0 · every invocation throttled"/> }.into_any()
        }
        Some(n) => view! { <span class="tabular-nums">{n.to_string()}</span> }.into_any(),
    }
}
