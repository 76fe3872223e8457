//! The drift table (what each service runs in each environment, the cells that differ from
//! their source highlighted, with the promote links the person may follow) and the table of
//! before → after rows that reviews, release requests and revision diffs share.

use super::badges::{Badge, Tone};
use super::panels::{Empty, LINK, MUTED, TABLE, TD, TH, THEAD, TR};
use crate::domain::drift::{DriftCell, DriftRow, DriftView, Lag, RunningVersion};
use crate::domain::format::{age, utc_minute};
use crate::domain::inventory::short_digest;
use crate::domain::plans::Change;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Rows of `what`, `before`, `after`, under the given column names.
pub fn change_table(rows: &[Change], testid: &'static str, before: &str, after: &str) -> AnyView {
    let body = rows
        .iter()
        .map(|c| {
            view! {
                <tr class=TR>
                    <td class=format!("{TD} font-medium")>{c.what.clone()}</td>
                    <td class=format!("{TD} break-all font-mono text-xs text-red-800 dark:text-red-300")>{c.before.clone()}</td>
                    <td class=format!("{TD} break-all font-mono text-xs text-emerald-800 dark:text-emerald-300")>{c.after.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid=testid>
            <thead class=THEAD><tr><th class=TH>"What"</th><th class=TH>{before.to_string()}</th><th class=TH>{after.to_string()}</th></tr></thead>
            <tbody>{body}</tbody>
        </table></div>
    }
    .into_any()
}

/// The link to review a promotion of one service (or, with `service` `None`, a whole app).
pub fn promote_href(from: &str, to: &str, app: Option<&str>, service: Option<&str>) -> String {
    let mut href = format!("/promote?from={from}&to={to}");
    if let Some(app) = app {
        href.push_str(&format!("&app={app}"));
    }
    if let Some(service) = service {
        href.push_str(&format!("&service={service}"));
    }
    href
}

fn lag_badge(cell: &DriftCell, now: DateTime<Utc>) -> Option<AnyView> {
    let (source, lag) = cell.source.as_ref()?;
    let tone = match lag {
        Lag::InSync => return None,
        Lag::Behind { .. } => Tone::Warn,
        Lag::Ahead => Tone::Info,
        Lag::Differs => Tone::Neutral,
    };
    let text = lag.describe(source, now);
    Some(view! { <div class="mt-1" data-testid="drift-lag"><Badge tone text/></div> }.into_any())
}

fn version_lines(v: &RunningVersion, now: DateTime<Utc>) -> AnyView {
    let images = v
        .images
        .iter()
        .map(|i| {
            let digest = match &i.digest {
                Some(d) => view! { <span class="font-mono" title=d.clone()>{short_digest(d).to_string()}</span> }.into_any(),
                None => view! { <span class="italic" title="ECS has not reported the digest this tag resolved to">"digest unknown"</span> }.into_any(),
            };
            let name = (v.images.len() > 1).then(|| format!("{} ", i.container));
            view! {
                <div class="font-medium" title=i.image.clone()>{name}{i.label()}</div>
                <div class=format!("text-xs {MUTED}")>{digest}</div>
            }
        })
        .collect_view();
    let since = v.since.map(|t| {
        view! { <span title=utc_minute(t)>{format!(" · deployed {}", age(now, t))}</span> }
    });
    view! {
        {images}
        <div class=format!("text-xs {MUTED}")>{v.revision.clone()}{since}
            {v.deploying.then(|| view! { <span class="font-medium text-sky-700 dark:text-sky-400">" · rolling out"</span> })}
        </div>
    }
    .into_any()
}

fn cell_view(view_data: &DriftView, row: &DriftRow, cell: &DriftCell) -> AnyView {
    let now = view_data.generated_at;
    let highlight = cell.differs();
    let class = if highlight {
        format!("{TD} min-w-44 border-l-4 border-amber-400 bg-amber-50/70 dark:border-amber-500 dark:bg-amber-950/30")
    } else {
        format!("{TD} min-w-44 border-l-4 border-transparent")
    };
    let Some(version) = &cell.version else {
        return view! { <td class=class data-env=cell.env.to_string()><span class=MUTED>"—"</span></td> }.into_any();
    };
    // Differing from its source: promote (when the person may), or see what would change.
    let promote = cell
        .source
        .as_ref()
        .filter(|_| cell.differs())
        .map(|(from, _)| {
            let href = promote_href(
                from.as_str(),
                cell.env.as_str(),
                row.app.as_deref(),
                Some(&row.service),
            );
            let class = format!("mt-1 inline-block text-xs {LINK}");
            match view_data
                .may_deploy_into(&cell.env)
                .filter(|_| cell.promotable)
            {
                Some(asks) => {
                    let label = if asks {
                        format!("Promote {from} → {} (approval)", cell.env)
                    } else {
                        format!("Promote {from} → {}", cell.env)
                    };
                    view! { <a class=class href=href data-testid="promote-link">{label}</a> }
                        .into_any()
                }
                None => view! { <a class=class href=href data-testid="compare-link">{format!("What {from} would change")}</a> }
                    .into_any(),
            }
        });
    view! {
        <td class=class data-env=cell.env.to_string() data-differs=highlight.to_string()>
            {version_lines(version, now)}
            {lag_badge(cell, now)}
            {promote}
        </td>
    }
    .into_any()
}

/// One header per environment column.
fn env_headers(view_data: &DriftView) -> AnyView {
    view_data
        .columns
        .iter()
        .map(|env| view! { <th class=TH>{env.to_string()}</th> })
        .collect_view()
        .into_any()
}

/// The drift table of `view`; `show_app` adds the app column (the fleet page).
pub fn drift_table(view_data: &DriftView, show_app: bool) -> AnyView {
    if view_data.rows.is_empty() {
        let text = if view_data.query.only_drifted {
            "Every environment runs the same images: nothing differs."
        } else {
            "No services to compare."
        };
        return view! { <Empty text=text/> }.into_any();
    }
    let headers = env_headers(view_data);
    let rows = view_data
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .map(|cell| cell_view(view_data, row, cell))
                .collect_view();
            let app = show_app.then(|| {
                let cell = match &row.app {
                    Some(app) => view! { <a class=LINK href=format!("/apps/{app}")>{app.clone()}</a> }.into_any(),
                    None => view! { <span class=MUTED>"—"</span> }.into_any(),
                };
                view! { <td class=TD>{cell}</td> }
            });
            let state = if row.drifted {
                view! { <Badge tone=Tone::Warn text="differs"/> }.into_any()
            } else {
                view! { <Badge tone=Tone::Good text="same everywhere"/> }.into_any()
            };
            view! {
                <tr class=TR data-testid="drift-row" data-service=row.service.clone()>
                    <td class=TD><div class="font-medium">{row.service.clone()}</div><div class="mt-1">{state}</div></td>
                    {app}
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid="drift-table">
            <thead class=THEAD><tr>
                <th class=TH>"Service"</th>
                {show_app.then(|| view! { <th class=TH>"App"</th> })}
                {headers}
            </tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}

/// Which version and code each environment's function aliases run; `None` when there are none
/// to show.
pub fn alias_drift_table(view_data: &DriftView) -> Option<AnyView> {
    if view_data.aliases.is_empty() {
        return None;
    }
    let headers = env_headers(view_data);
    let rows = view_data
        .aliases
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .map(|cell| match cell {
                    None => view! { <td class=format!("{TD} {MUTED}")>"—"</td> }.into_any(),
                    Some(c) => {
                        let class = if c.differs {
                            format!("{TD} bg-amber-50 dark:bg-amber-950/40")
                        } else {
                            TD.to_string()
                        };
                        view! {
                            <td class=class>
                                <a class=LINK href=format!("/envs/{}/functions/{}", c.env, row.function)>{c.routing.clone()}</a>
                                <div class=format!("font-mono text-xs {MUTED}")>{c.code.clone().map(|h| format!("{h}…")).unwrap_or_else(|| "—".into())}</div>
                            </td>
                        }
                        .into_any()
                    }
                })
                .collect_view();
            view! {
                <tr class=TR data-testid="alias-drift-row">
                    <td class=TD><span class="font-medium">{format!("{}:{}", row.function, row.alias)}</span>
                        <div class=format!("text-xs {MUTED}")>{row.app.clone().unwrap_or_default()}</div></td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="alias-drift-table">
                <thead class=THEAD><tr><th class=TH>"Function alias"</th>{headers}</tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any(),
    )
}

/// The whole-app promotions `view` offers, as buttons (links to their review).
pub fn app_promotions(view_data: &DriftView, app: &str) -> AnyView {
    let offers = view_data.app_offers();
    if offers.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="flex flex-wrap gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800" data-testid="app-promotions">
            {offers.into_iter().map(|(from, to, n)| {
                let asks = view_data.may_deploy_into(&to).unwrap_or(false);
                let label = format!(
                    "Promote {app} {from} → {to} ({n} service{}{})",
                    if n == 1 { "" } else { "s" },
                    if asks { ", needs approval" } else { "" }
                );
                view! {
                    <a href=promote_href(from.as_str(), to.as_str(), Some(app), None)
                        class="rounded-md border border-sky-300 bg-sky-50 px-3 py-1.5 text-sm font-medium text-sky-800 hover:bg-sky-100 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-200"
                        data-testid="promote-app-link">{label}</a>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}
