//! Who is on call: per rotation, who covers now and next and the coming turns (overrides
//! applied, times in the rotation's zone and UTC), the overrides, and for admins the form to set
//! or remove one.

use crate::api::oncall::{get_oncall, AddOverride, RemoveOverride};
use crate::domain::format::utc_minute;
use crate::domain::oncall::{Rotation, Shift};
use crate::domain::views::OnCallView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;

const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";

#[component]
pub fn OnCallPage() -> impl IntoView {
    let add = Submit::<AddOverride>::new();
    let remove = Submit::<RemoveOverride>::new();
    let data = Resource::new(
        move || {
            (
                refresh_tick(),
                add.action.version().get(),
                remove.action.version().get(),
            )
        },
        |_| get_oncall(),
    );
    view! {
        <Title text="On call"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => oncall_page(view, add, remove).into_any(),
                    Err(e) => view! { <PageHeader title="On call"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A time in the rotation's zone, with UTC after it.
fn local(r: &Rotation, at: chrono::DateTime<chrono::Utc>) -> String {
    match r.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => format!(
            "{} ({})",
            at.with_timezone(&tz).format("%a %d %b %H:%M %Z"),
            at.format("%H:%M UTC")
        ),
        Err(_) => utc_minute(at),
    }
}

fn shift_line(r: &Rotation, s: &Shift) -> impl IntoView {
    view! {
        <li class="flex flex-wrap gap-x-3 px-3 py-1.5 text-sm">
            <span class="w-28 shrink-0 font-medium">{s.who.clone()}</span>
            <span class=MUTED>{format!("{} → {}", local(r, s.from), local(r, s.until))}</span>
        </li>
    }
}

fn oncall_page(
    view: OnCallView,
    add: Submit<AddOverride>,
    remove: Submit<RemoveOverride>,
) -> impl IntoView {
    let manageable = view.manageable.clone();
    let names: Vec<String> = view
        .rotations
        .iter()
        .map(|(r, _, _)| r.name.clone())
        .filter(|name| manageable.contains(name))
        .collect();
    let all_rotations = view.rotations.len();
    // Two or more rotations side by side on wide screens; one takes the width.
    let grid = if names.len() > 1 {
        "grid gap-x-5 lg:grid-cols-2"
    } else {
        "grid"
    };
    let rotations = if view.rotations.is_empty() {
        view! { <Section title="Rotations"><Empty text="No rotations are configured ([[oncall.rotations]] in the config file)."/></Section> }.into_any()
    } else {
        view.rotations
            .iter()
            .map(|(r, now, turns)| {
                let current = now.now.as_ref().map(|s| s.who.clone()).unwrap_or_else(|| "nobody".into());
                let next = now.next.as_ref().map(|s| format!("{} from {}", s.who, local(r, s.from))).unwrap_or_else(|| "—".into());
                let note = format!(
                    "{} members, {}-day turns, hand-off {} {}",
                    r.members.len(),
                    r.length_days,
                    r.handoff_time.format("%H:%M"),
                    r.timezone
                );
                let turns = turns.iter().map(|s| shift_line(r, s)).collect_view();
                view! {
                    <Section title=format!("Rotation {}", r.name) note>
                        <div class="grid gap-4 p-3 sm:grid-cols-2" data-testid="rotation-now">
                            <div><div class=format!("text-xs uppercase tracking-wide {MUTED}")>"On call now"</div><div class="text-lg font-semibold">{current}</div></div>
                            <div><div class=format!("text-xs uppercase tracking-wide {MUTED}")>"Next"</div><div class="text-sm font-medium">{next}</div></div>
                        </div>
                        <h3 class=format!("border-t border-slate-200 px-3 pt-2 text-xs font-semibold uppercase tracking-wide dark:border-slate-800 {MUTED}")>"Coming turns"</h3>
                        <ol class="divide-y divide-slate-100 pb-1 dark:divide-slate-800">{turns}</ol>
                    </Section>
                }
            })
            .collect_view()
            .into_any()
    };
    let overrides = if view.overrides.is_empty() {
        view! { <Empty text="No overrides now or ahead."/> }.into_any()
    } else {
        let rows = view
            .overrides
            .iter()
            .map(|o| {
                let id = o.id.to_string();
                let pending = remove.pending;
                view! {
                    <tr class=TR data-testid="override-row">
                        <td class=TD>{o.rotation.clone()}</td>
                        <td class=format!("{TD} font-medium")>{o.who.clone()}</td>
                        <td class=format!("{TD} whitespace-nowrap")>{utc_minute(o.from)}</td>
                        <td class=format!("{TD} whitespace-nowrap")>{utc_minute(o.until)}</td>
                        <td class=TD>{o.reason.clone().unwrap_or_default()}</td>
                        <td class=format!("{TD} {MUTED}")>{o.created_by.clone()}</td>
                        <td class=TD>{manageable.contains(&o.rotation).then(|| view! {
                            <ActionForm action=remove.action>
                                <input type="hidden" name="id" value=id.clone()/>
                                <button type="submit" class="text-sm font-medium text-red-700 hover:underline disabled:opacity-60 dark:text-red-400" disabled=move || pending.get()>"Remove"</button>
                            </ActionForm>
                        })}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="overrides-table">
                <thead class=THEAD><tr><th class=TH>"Rotation"</th><th class=TH>"Who covers"</th><th class=TH>"From"</th><th class=TH>"Until"</th><th class=TH>"Why"</th><th class=TH>"Set by"</th><th class=TH></th></tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    let limited = (!names.is_empty() && names.len() < all_rotations).then(|| {
        view! { <p class=format!("px-3 pt-3 text-xs {MUTED}")>"Rotations that answer an environment you are not admin of are not listed."</p> }
    });
    let form = (!names.is_empty()).then(|| {
        let pending = add.pending;
        let error = move || {
            add.value.get().and_then(|r| r.err()).map(|e| {
                view! { <p role="alert" data-testid="action-error" class="px-3 pb-3 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }
            })
        };
        view! {
            <Section title="Set an override" note="times are local to the rotation's time zone">
                {limited}
                <ActionForm action=add.action attr:data-testid="override-form">
                    <div class="flex flex-wrap items-end gap-3 p-3">
                        <label class="flex flex-col gap-1 text-xs font-medium">"Rotation"
                            <select name="rotation" class=TEXT>{names.iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}</select>
                        </label>
                        <label class="flex flex-col gap-1 text-xs font-medium">"Who covers"
                            <input name="who" required maxlength="100" class=format!("{TEXT} w-40")/>
                        </label>
                        <label class="flex flex-col gap-1 text-xs font-medium">"From"
                            <input type="datetime-local" name="from" required class=TEXT/>
                        </label>
                        <label class="flex flex-col gap-1 text-xs font-medium">"Until"
                            <input type="datetime-local" name="until" required class=TEXT/>
                        </label>
                        <label class="flex flex-col gap-1 text-xs font-medium">"Why"
                            <input name="reason" maxlength="500" placeholder="optional" class=format!("{TEXT} w-48")/>
                        </label>
                        <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60" disabled=move || pending.get()>"Set override"</button>
                    </div>
                </ActionForm>
                {error}
            </Section>
        }
    });
    view! {
        <PageHeader title="On call" crumbs=vec![("Incidents".to_string(), "/incidents".to_string())]/>
        <div class=grid>{rotations}</div>
        {form}
        <Section title="Overrides" note="now and ahead">{overrides}</Section>
    }
}
