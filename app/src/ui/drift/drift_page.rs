//! Every service whose environments run different images, filterable by app and environment;
//! the address carries the filters, so it works the same without JavaScript.

use crate::api::drift::get_drift;
use crate::domain::drift::DriftView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

#[component]
pub fn DriftPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (q.get("app"), q.get("env"), q.get("all"), q.get("page"))
    };
    let data = Resource::new(
        move || (args(), refresh_tick()),
        |((app, env, all, page), _)| get_drift(app, env, all, page),
    );
    view! {
        <Title text="Version drift"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => drift_page(view).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Version drift"/>
                        <ErrorPanel error=e/>
                        <a href="/drift" class=format!("mt-3 inline-block text-sm {LINK}")>"Clear the filters"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn drift_page(view: DriftView) -> impl IntoView {
    let app_sel = view.query.app.clone().unwrap_or_default();
    let env_sel = view
        .query
        .env
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let option = |value: String, label: String, selected: &str| {
        let is = value == selected;
        view! { <option value=value selected=is>{label}</option> }
    };
    let order = if view.paths.is_empty() {
        "no promotions configured".to_string()
    } else {
        view.paths
            .iter()
            .map(|(f, t)| format!("{f} → {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let shown = view.total;
    let title = if view.query.only_drifted {
        format!(
            "{shown} service{} that differ",
            if shown == 1 { "" } else { "s" }
        )
    } else {
        format!("{shown} service{}", if shown == 1 { "" } else { "s" })
    };
    let table = drift_table(&view, true);
    let aliases = alias_drift_table(&view);
    let pages = drift_pager(&view);
    view! {
        <PageHeader title="Version drift" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        <p class=format!("mb-3 text-sm {MUTED}")>
            "What each service runs in each environment. A highlighted cell differs from the environment before it in the promotion order ("
            {order}")."
        </p>
        <Form method="GET" action="/drift">
            <div class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3 p-3")>
                <label class="flex flex-col gap-1 text-xs font-medium">"App"
                    <select name="app" class=INPUT>
                        {option(String::new(), "All".into(), &app_sel)}
                        {view.apps.iter().map(|a| option(a.clone(), a.clone(), &app_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Environment"
                    <select name="env" class=INPUT>
                        {option(String::new(), "All".into(), &env_sel)}
                        {view.columns.iter().map(|e| option(e.to_string(), e.to_string(), &env_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex items-center gap-2 pb-2 text-sm"><input type="checkbox" name="all" value="1" checked=!view.query.only_drifted/>"Also services that are the same everywhere"</label>
                <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">"Apply"</button>
                <a href="/drift" class=format!("py-1.5 text-sm {LINK}")>"Clear"</a>
            </div>
        </Form>
        <Section title=title note="tag, digest, revision and since when, per environment">{table}{pages}</Section>
        {aliases.map(|t| view! {
            <Section title="Lambda aliases" note="the version each alias routes to and its code hash; a highlighted cell runs other code than the environment before it">{t}</Section>
        })}
    }
}

/// Previous / next links when the rows fill more than one page.
fn drift_pager(view: &DriftView) -> Option<AnyView> {
    use crate::domain::drift::DRIFT_ROWS_PER_PAGE;
    let first = (view.page.max(1) - 1) * DRIFT_ROWS_PER_PAGE + 1;
    let last = first + view.rows.len().saturating_sub(1);
    pager(
        "Drift pages",
        "drift-pager",
        (view.page, view.pages()),
        (first, last, view.total),
        |target| view.query.href(target),
    )
}
