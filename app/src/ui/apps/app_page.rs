//! One app across every environment, side by side.

use crate::api::apps::get_app;
use crate::domain::views::{AlarmRow, AppView};
use crate::ui::components::*;
use crate::ui::environment::environment_page::{alarms_table, databases_table, services_table};
use crate::ui::functions::functions_page::functions_table;
use crate::ui::layout::refresh_tick;
use crate::ui::queues::queues_page::queues_table;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AppPage() -> impl IntoView {
    let params = use_params_map();
    let app = move || params.read().get("app").unwrap_or_default();
    let data = Resource::new(move || (app(), refresh_tick()), |(app, _)| get_app(app));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => app_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn app_page(view: AppView) -> impl IntoView {
    let now = view.generated_at;
    let drift = view.drift.as_ref().map(|d| {
        let order = d
            .columns
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(" → ");
        let offers = app_promotions(d, &view.name);
        let table = drift_table(d, false);
        view! {
            <section class=format!("{CARD} mb-5 overflow-hidden") data-testid="app-drift">
                <div class="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                    <h2 class="text-sm font-semibold">"What runs where"</h2>
                    <span class=format!("text-xs {MUTED}")>{order}", highlighted where an environment differs from the one before it"</span>
                </div>
                {offers}
                {table}
            </section>
        }
    });
    view! {
        <Title text=view.name.clone()/>
        <PageHeader title=view.name.clone() crumbs=vec![("Overview".to_string(), "/".to_string()), ("Apps".to_string(), "/apps".to_string())]/>
        {drift}
        {view.columns.into_iter().map(|col| {
            let env = col.card.descriptor.id.clone();
            let alarms: Vec<AlarmRow> = col.alarms.iter().map(|a| AlarmRow { env: env.clone(), alarm: a.clone() }).collect();
            view! {
                <section class=format!("{CARD} mb-5 overflow-hidden") data-testid=format!("app-env-{env}")>
                    <div class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                        <h2 class="text-sm font-semibold"><a class="hover:underline" href=format!("/envs/{env}")>{col.card.descriptor.name.clone()}</a></h2>
                        <EnvHeading card=col.card.clone() now/>
                    </div>
                    <div class="px-3 pt-2"><EnvProblem card=col.card.clone() now/></div>
                    {services_table(col.services, now, true)}
                    {(!col.databases.is_empty()).then(|| databases_table(col.databases, now, false))}
                    {chains_view(&env.to_string(), &col.chains)}
                    {(!col.queues.is_empty()).then(|| queues_table(col.queues, false))}
                    {(!col.functions.is_empty()).then(|| functions_table(col.functions, false))}
                    {(!col.jobs.is_empty()).then(|| crate::ui::jobs::jobs_page::jobs_table(col.jobs, false, now))}
                    {(!col.asgs.is_empty()).then(|| crate::ui::asgs::asgs_page::asgs_table(col.asgs, false))}
                    {(!alarms.is_empty()).then(|| alarms_table(alarms, now, false))}
                </section>
            }
        }).collect_view()}
    }
}

/// Each queue of the app in one environment as one line: the queue and what waits in it, the
/// functions that work it (consuming or not), and its dead-letter queue with what it holds.
fn chains_view(env: &str, chains: &[crate::domain::functions::Chain]) -> Option<AnyView> {
    if chains.is_empty() {
        return None;
    }
    Some(
        view! {
            <ul class="border-b border-slate-200 px-3 py-2 text-sm dark:border-slate-800" data-testid="app-chains" aria-label="Queues, their workers and dead-letter queues">
                {chains.iter().map(|c| {
                    let workers = if c.workers.is_empty() {
                        view! { <span class=MUTED>"no worker"</span> }.into_any()
                    } else {
                        c.workers.iter().map(|w| {
                            let (tone, state) = if w.consuming {
                                (Tone::Good, "consuming")
                            } else {
                                (Tone::Warn, "paused")
                            };
                            view! {
                                <span class="inline-flex items-center gap-1">
                                    <a class=LINK href=format!("/envs/{env}/functions/{}", w.function)>{w.function.clone()}</a>
                                    <Badge tone text=state.to_string()/>
                                </span>
                            }
                        }).collect_view().into_any()
                    };
                    let dlq = match (&c.dead_letter, c.dead_letters) {
                        (Some(d), Some(n)) if n > 0 => view! {
                            <a class=LINK href=format!("/envs/{env}/queues/{d}")>{d.clone()}</a>
                            <Badge tone=Tone::Bad text=format!("{n} dead letters")/>
                        }.into_any(),
                        (Some(d), _) => view! {
                            <a class=LINK href=format!("/envs/{env}/queues/{d}")>{d.clone()}</a>
                            <span class=MUTED>"empty"</span>
                        }.into_any(),
                        (None, _) => view! { <span class=MUTED>"no dead-letter queue"</span> }.into_any(),
                    };
                    view! {
                        <li class="flex flex-wrap items-center gap-2 py-1">
                            <a class=LINK href=format!("/envs/{env}/queues/{}", c.queue)>{c.queue.clone()}</a>
                            <span class=MUTED>{format!("{} waiting", c.waiting)}</span>
                            <span aria-hidden="true">"→"</span>{workers}
                            <span aria-hidden="true">"→"</span>{dlq}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    )
}
