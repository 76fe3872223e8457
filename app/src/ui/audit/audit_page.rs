//! The audit log: who did what, where, when, from where, and how it ended. Filters live in the
//! URL; the filtered set exports as CSV or JSON.

use crate::api::audit::query_audit;
use crate::domain::audit::OUTCOMES;
use crate::domain::format::{age, utc_minute};
use crate::domain::views::AuditPageView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("actor"),
            q.get("env"),
            q.get("kind"),
            q.get("outcome"),
            q.get("from"),
            q.get("to"),
            q.get("page"),
        )
    };
    let data = Resource::new(
        move || (args(), refresh_tick()),
        |((actor, env, kind, outcome, from, to, page), _)| {
            query_audit(actor, env, kind, outcome, from, to, page)
        },
    );
    view! {
        <Title text="Audit log"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => audit_page(view).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Audit log"/>
                        <ErrorPanel error=e/>
                        <a href="/audit" class=format!("mt-3 inline-block text-sm {LINK}")>"Clear the filters"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

fn audit_page(view: AuditPageView) -> impl IntoView {
    let now = view.generated_at;
    let f = view.filter.clone();
    let env_sel = f.env.as_ref().map(|e| e.to_string()).unwrap_or_default();
    let outcome_sel = f.outcome.clone().unwrap_or_default();
    let option = |value: String, label: String, selected: &str| {
        let is = value == selected;
        view! { <option value=value selected=is>{label}</option> }
    };
    let pages = ((view.total.max(1) - 1) / i64::from(view.page_size) + 1) as u32;
    let page = f.page;
    let link = |p: u32| {
        if view.query.is_empty() {
            format!("/audit?page={p}")
        } else {
            format!("/audit?{}&page={p}", view.query)
        }
    };
    let export = |ext: &str| {
        if view.query.is_empty() {
            format!("/audit/export.{ext}")
        } else {
            format!("/audit/export.{ext}?{}", view.query)
        }
    };
    let (csv_href, json_href) = (export("csv"), export("json"));
    let prev = (page > 1)
        .then(|| view! { <a class=LINK href=link(page - 1) rel="external">"← Newer"</a> });
    let next = (page < pages)
        .then(|| view! { <a class=LINK href=link(page + 1) rel="external">"Older →"</a> });
    view! {
        <PageHeader title="Audit log" crumbs=vec![("Overview".to_string(), "/".to_string())]>
            <a href=csv_href rel="external" download="" data-testid="export-csv" class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900">"Export CSV"</a>
            <a href=json_href rel="external" download="" data-testid="export-json" class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900">"Export JSON"</a>
        </PageHeader>
        <Form method="GET" action="/audit">
            <div class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3 p-3")>
                <label class="flex flex-col gap-1 text-xs font-medium">"Who"
                    <input name="actor" value=f.actor.clone().unwrap_or_default() placeholder="name" class=INPUT/>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Environment"
                    <select name="env" class=INPUT>
                        {option(String::new(), "All".into(), &env_sel)}
                        {view.envs.iter().map(|e| option(e.clone(), e.clone(), &env_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Kind"
                    <input name="kind" value=f.kind.clone().unwrap_or_default() placeholder="login, scale, snapshot…" class=INPUT/>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Outcome"
                    <select name="outcome" class=INPUT>
                        {option(String::new(), "Any".into(), &outcome_sel)}
                        {OUTCOMES.iter().map(|o| option(o.to_string(), o.to_string(), &outcome_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"From"
                    <input type="date" name="from" value=f.from.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default() class=INPUT/>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"To"
                    <input type="date" name="to" value=f.to.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default() class=INPUT/>
                </label>
                <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">"Apply"</button>
                <a href="/audit" class=format!("py-1.5 text-sm {LINK}")>"Clear"</a>
            </div>
        </Form>
        <Section title=format!("{} entries", view.total) note=format!("page {page} of {pages}")>
            {if view.rows.is_empty() {
                view! { <Empty text="No entries match."/> }.into_any()
            } else {
                view! {
                    <div class="overflow-x-auto"><table class=TABLE data-testid="audit-table">
                        <thead class=THEAD><tr>
                            <th class=TH>"When"</th><th class=TH>"Who"</th><th class=TH>"What"</th><th class=TH>"Where"</th>
                            <th class=TH>"Outcome"</th><th class=TH>"Detail"</th><th class=TH>"From"</th>
                        </tr></thead>
                        <tbody>
                            {view.rows.iter().map(|r| {
                                let tone = match r.outcome.as_str() {
                                    "succeeded" => Tone::Good,
                                    "failed" | "denied" => Tone::Bad,
                                    "refused" | "unknown" => Tone::Warn,
                                    "checking" => Tone::Info,
                                    _ => Tone::Neutral,
                                };
                                view! {
                                    <tr class=TR>
                                        <td class=format!("{TD} whitespace-nowrap")>{utc_minute(r.at)}<div class=format!("text-xs {MUTED}")>{age(now, r.at)}</div></td>
                                        <td class=TD>{r.actor.clone()}{r.via.clone().map(|v| view! { <div class=format!("text-xs {MUTED}") data-testid="audit-via">{v}</div> })}</td>
                                        <td class=TD>{r.kind.replace('_', " ")}</td>
                                        <td class=TD>
                                            {r.env.clone().unwrap_or_else(|| "—".into())}
                                            {r.target.clone().map(|t| view! { <div class=format!("text-xs {MUTED}")>{t}</div> })}
                                        </td>
                                        <td class=TD><Badge tone text=r.outcome.clone()/></td>
                                        <td class=format!("{TD} max-w-md text-xs")>{r.detail.clone().unwrap_or_default()}</td>
                                        <td class=format!("{TD} text-xs {MUTED}")>{r.ip.clone().unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            <div class="flex justify-between px-3 py-2 text-sm">{prev}<span></span>{next}</div>
        </Section>
    }
}
