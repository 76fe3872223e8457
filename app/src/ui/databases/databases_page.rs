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

fn databases_page(view: DatabasesView) -> impl IntoView {
    let now = view.generated_at;
    let filter = env_filter_chips("/databases", &view.envs, view.env_filter.as_ref(), now);
    view! {
        <PageHeader title="Databases" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {filter}
        <Section title="Databases: RDS instances and DB clusters" note=format!("{} databases", view.rows.len())>
            {databases_table(view.rows, now, true)}
        </Section>
    }
}
