//! Who is signed in (admins of every environment): each person with sessions that have not
//! expired, when they last signed in and were last active, and a button that ends every session
//! of theirs — a stolen laptop, someone leaving — so their next request is signed out.

use crate::api::sessions::{list_sessions, EndSessions};
use crate::domain::format::{age, utc_minute};
use crate::domain::sessions::{SessionsView, SignedInPerson};
use crate::ui::components::*;
use leptos::prelude::*;
use leptos_meta::Title;

const BUTTON_DANGER: &str = "rounded-md border border-red-300 bg-white px-2.5 py-1 text-xs font-medium text-red-800 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:bg-slate-900 dark:text-red-300";

#[component]
pub fn SessionsPage() -> impl IntoView {
    let end = Submit::<EndSessions>::new();
    let data = Resource::new(move || end.action.version().get(), |_| list_sessions());
    view! {
        <Title text="Sessions"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => sessions_page(view, end).into_any(),
                    Err(e) => view! { <PageHeader title="Sessions"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn person_row(
    p: SignedInPerson,
    now: chrono::DateTime<chrono::Utc>,
    end: Submit<EndSessions>,
) -> impl IntoView {
    // Sessions are ended by the person's id: a namesake's stay.
    let person = p.person_id.to_string();
    view! {
        <tr class=TR data-testid="session-row">
            <td class=format!("{TD} font-medium")>
                {p.person.clone()}
                <span class=format!("block text-xs font-normal {MUTED}") data-testid="person-id">{p.person_id.to_string()}</span>
            </td>
            <td class=TD>{p.sessions.to_string()}</td>
            <td class=format!("{TD} whitespace-nowrap")>{utc_minute(p.last_sign_in)}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age(now, p.last_active)}</td>
            <td class=TD>
                <ActionForm action=end.action attr:data-testid="end-sessions-form">
                    <input type="hidden" name="person" value=person/>
                    <button type="submit" class=BUTTON_DANGER>"End sessions"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

fn sessions_page(view: SessionsView, end: Submit<EndSessions>) -> impl IntoView {
    let now = view.generated_at;
    let outcome = move || {
        end.value.get().map(|r| match r {
            Ok(ended) => view! {
                <p role="status" data-testid="sessions-ended" class="mb-4 text-sm text-emerald-800 dark:text-emerald-300">
                    {match ended {
                        1 => "1 session ended: its next request signs in again.".to_string(),
                        n => format!("{n} sessions ended: their next requests sign in again."),
                    }}
                </p>
            }.into_any(),
            Err(e) => view! { <p role="alert" data-testid="action-error" class="mb-4 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }.into_any(),
        })
    };
    let count = view.people.len();
    let rows = view
        .people
        .into_iter()
        .map(|p| person_row(p, now, end))
        .collect_view();
    let table = if count == 0 {
        view! { <Empty text="Nobody is signed in."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="sessions-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Person"</th><th class=TH>"Sessions"</th><th class=TH>"Last sign-in"</th>
                    <th class=TH>"Last active"</th><th class=TH></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }.into_any()
    };
    view! {
        <PageHeader title="Sessions" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {outcome}
        <Section title=format!("{count} people signed in") note="ending a person's sessions signs them out everywhere at their next request; audited">{table}</Section>
    }
}
