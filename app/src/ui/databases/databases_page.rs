//! Every database across environments, optionally of one environment (`?env=`).

use crate::api::databases::list_databases;
use crate::domain::views::DatabasesView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::databases_table;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DatabasesPage() -> impl IntoView {
    let query = use_query_map();
    let env = move || query.read().get("env").filter(|e| !e.is_empty());
    let data = Resource::new(
        move || (env(), refresh_tick()),
        |(env, _)| list_databases(env),
    );
    view! {
        <Title text="Databases"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => databases_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

const CHIP: &str = "rounded-full border px-3 py-1 text-xs font-medium";
const CHIP_ON: &str = "border-sky-600 bg-sky-600 text-white";
const CHIP_OFF: &str = "border-slate-300 bg-white hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

fn databases_page(view: DatabasesView) -> impl IntoView {
    let now = view.generated_at;
    let selected = view.env_filter.clone();
    let chips = std::iter::once((None, "All environments".to_string()))
        .chain(
            view.envs
                .iter()
                .map(|c| (Some(c.descriptor.id.clone()), c.descriptor.name.clone())),
        )
        .map(|(id, label)| {
            let on = id == selected;
            let href = match &id {
                Some(id) => format!("/databases?env={id}"),
                None => "/databases".to_string(),
            };
            view! {
                <a href=href class=format!("{CHIP} {}", if on { CHIP_ON } else { CHIP_OFF })
                   aria-current=on.then_some("page")>{label}</a>
            }
        })
        .collect_view();
    let problems = view
        .envs
        .iter()
        .filter(|c| selected.as_ref().is_none_or(|s| *s == c.descriptor.id))
        .map(|c| view! { <EnvProblem card=c.clone() now/> })
        .collect_view();
    view! {
        <PageHeader title="Databases" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        <nav class="mb-3 flex flex-wrap gap-2" aria-label="Environment filter">{chips}</nav>
        {problems}
        <Section title="Databases: RDS instances and DB clusters" note=format!("{} databases", view.rows.len())>
            {databases_table(view.rows, now, true)}
        </Section>
    }
}
