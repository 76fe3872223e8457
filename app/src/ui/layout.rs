//! The chrome around every signed-in page: header, navigation, demo banner, and fresh data: a
//! hydrated page re-reads its data when the server announces a change on `/events` (incidents,
//! snapshots, release requests) and every [`REFRESH_EVERY`] in any case.

use crate::api::session::get_session;
use crate::domain::policy::Principal;
use crate::domain::views::SessionView;
use crate::ui::components::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use std::time::Duration;

/// How often a hydrated page reloads its data.
pub const REFRESH_EVERY: Duration = Duration::from_secs(20);

/// Increments every [`REFRESH_EVERY`] in the browser; pages key their resources on it.
#[derive(Clone, Copy)]
pub struct RefreshTick(pub ReadSignal<u64>);

/// The tick for resources; 0 on the server and until the first interval fires.
pub fn refresh_tick() -> u64 {
    use_context::<RefreshTick>().map(|t| t.0.get()).unwrap_or(0)
}

#[component]
pub fn Layout() -> impl IntoView {
    let (tick, set_tick) = signal(0_u64);
    // Re-read with the page's refresh and on every navigation, so the approvals badge follows
    // what the person just did.
    let location = leptos_router::hooks::use_location();
    let session = Resource::new(
        move || (tick.get(), location.pathname.get()),
        |_| get_session(),
    );
    provide_context(RefreshTick(tick));
    // Live updates: every announced change re-reads the page's data in place.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| listen(set_tick));
    Effect::new(move |_| {
        if let Ok(handle) =
            set_interval_with_handle(move || set_tick.update(|t| *t += 1), REFRESH_EVERY)
        {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Transition fallback=|| view! { <div class="h-12 bg-slate-900"></div> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(s) if s.environments.is_empty() => view! {
                        <Header session=s.clone()/>
                        <NoAccess session=s/>
                    }.into_any(),
                    Ok(s) => view! { <Header session=s/> }.into_any(),
                    Err(e) => view! {
                        <div class="h-12 bg-slate-900"></div>
                        <div class="mx-auto max-w-screen-2xl px-4 py-4"><ErrorPanel error=e/></div>
                    }.into_any(),
                }
            })}
        </Transition>
        <main class="mx-auto max-w-screen-2xl px-3 py-5 sm:px-6">
            <FlashBanners/>
            <Outlet/>
        </main>
    }
}

/// What the last form post without JavaScript did or why it was refused: the page address names
/// one-time messages kept in the session (`?problem=`, `?notice=`); their text comes from there,
/// never from the address.
#[component]
fn FlashBanners() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let ids = move || {
        let q = query.read();
        (q.get("problem"), q.get("notice"))
    };
    let flashes = Resource::new(ids, |(problem, notice)| async move {
        if problem.is_none() && notice.is_none() {
            return Ok(Default::default());
        }
        crate::api::session::take_flash(problem, notice).await
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let shown = flashes.await.unwrap_or_default();
                view! {
                    {shown.problem.map(|text| view! {
                        <div role="alert" data-testid="action-problem" class="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
                            <span class="font-semibold">"Not done: "</span>{text}
                        </div>
                    })}
                    {shown.notice.map(|text| view! {
                        <div role="status" data-testid="notice" class="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200">{text}</div>
                    })}
                }
            })}
        </Transition>
    }
}

/// Opens the event stream; each change event bumps the refresh tick. The browser reconnects by
/// itself after a network error. The stream lives as long as the page.
#[cfg(feature = "hydrate")]
fn listen(set_tick: WriteSignal<u64>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new("/events") else {
        return;
    };
    let bump = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
        set_tick.update(|t| *t += 1)
    });
    for kind in ["incident", "inventory", "release", "action", "resync"] {
        let _ = source.add_event_listener_with_callback(kind, bump.as_ref().unchecked_ref());
    }
    // Both live as long as the page: the layout is never unmounted.
    bump.forget();
    std::mem::forget(source);
}

fn role_label(user: &Principal) -> String {
    let per_env: Vec<String> = user
        .grants
        .per_env
        .iter()
        .filter(|(_, role)| user.grants.everywhere.is_none_or(|all| **role > all))
        .map(|(env, role)| format!("{role} in {env}"))
        .collect();
    match (user.grants.everywhere, per_env.is_empty()) {
        (Some(role), true) => role.to_string(),
        (Some(role), false) => format!("{role}; {}", per_env.join(", ")),
        (None, false) => per_env.join(", "),
        (None, true) => "no role".to_string(),
    }
}

#[component]
fn Header(session: SessionView) -> impl IntoView {
    let nav = "rounded px-2 py-1.5 text-sm text-slate-300 hover:bg-slate-800 hover:text-white aria-[current=page]:bg-slate-800 aria-[current=page]:text-white";
    let role = role_label(&session.user);
    let is_admin = session.user.grants.everywhere == Some(crate::domain::policy::Role::Admin)
        || session
            .user
            .grants
            .per_env
            .values()
            .any(|r| *r == crate::domain::policy::Role::Admin);
    // Sessions open every environment and notices tell of all of them, so only admins of all
    // of them manage either.
    let admin_everywhere = crate::domain::sessions::may_end_sessions(
        &session.user,
        &session
            .environments
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>(),
    );
    let envs = session.environments.clone();
    view! {
        {session.demo_mode.then(|| view! {
            <div role="status" data-testid="demo-banner" class="bg-amber-400 px-4 py-1 text-center text-xs font-medium text-amber-950">
                "Demo mode: dev sign-in without SSO, served on loopback only. Do not use this configuration for real accounts."
            </div>
        })}
        <header class="bg-slate-900 text-slate-100 shadow">
            <div class="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-4 gap-y-2 px-3 py-2 sm:px-6">
                <a href="/" class="flex items-center gap-2 font-semibold tracking-tight text-white">
                    <img src="/favicon.svg" alt="" class="h-6 w-6"/>
                    "Quarterdeck"
                </a>
                <nav class="flex flex-wrap items-center gap-1" aria-label="Main">
                    <A href="/" exact=true attr:class=nav>"Overview"</A>
                    <A href="/incidents" attr:class=nav>
                        "Incidents"
                        {(session.unacknowledged_incidents > 0).then(|| view! {
                            <span class="ml-1.5 rounded-full bg-red-500 px-1.5 text-xs font-semibold text-white" data-testid="incidents-badge" title="open incidents nobody acknowledged">
                                {session.unacknowledged_incidents.to_string()}
                            </span>
                        })}
                    </A>
                    <A href="/apps" attr:class=nav>"Apps"</A>
                    <A href="/drift" attr:class=nav>"Drift"</A>
                    <A href="/databases" attr:class=nav>"Databases"</A>
                    <A href="/queues" attr:class=nav>"Queues"</A>
                    <A href="/functions" attr:class=nav>"Functions"</A>
                    <A href="/jobs" attr:class=nav>"Jobs"</A>
                    <A href="/asgs" attr:class=nav>"EC2"</A>
                    <A href="/alarms" attr:class=nav>"Alarms"</A>
                    <A href="/releases" attr:class=nav>
                        "Releases"
                        {(session.awaiting_approval > 0).then(|| view! {
                            <span class="ml-1.5 rounded-full bg-amber-400 px-1.5 text-xs font-semibold text-amber-950" data-testid="awaiting-badge" title="release requests awaiting your approval">
                                {session.awaiting_approval.to_string()}
                            </span>
                        })}
                    </A>
                    <A href="/audit" attr:class=nav>"Audit"</A>
                    {is_admin.then(|| view! { <A href="/tokens" attr:class=nav>"Tokens"</A> })}
                    {admin_everywhere.then(|| view! { <A href="/sessions" attr:class=nav>"Sessions"</A> })}
                    {admin_everywhere.then(|| view! { <A href="/webhooks" attr:class=nav>"Webhooks"</A> })}
                    <span class="mx-1 hidden h-5 w-px bg-slate-700 sm:inline-block"></span>
                    {envs.into_iter().map(|e| {
                        let href = format!("/envs/{}", e.id);
                        view! { <A href=href attr:class=nav>{e.name}</A> }
                    }).collect_view()}
                </nav>
                {oncall_line(&session)}
                <div class="ml-auto flex items-center gap-3 text-sm">
                    <span class="text-slate-300" data-testid="current-user">
                        <span class="font-medium text-white">{session.user.name.clone()}</span>
                        " · " {role}
                    </span>
                    <form method="post" action="/auth/logout">
                        <button type="submit" class="rounded border border-slate-600 px-2 py-1 text-xs text-slate-200 hover:bg-slate-800">
                            "Sign out"
                        </button>
                    </form>
                </div>
            </div>
        </header>
    }
}

/// Who is on call now in each rotation, and who is next (with the hand-off time on hover).
fn oncall_line(session: &SessionView) -> Option<AnyView> {
    if session.oncall.is_empty() {
        return None;
    }
    let items = session
        .oncall
        .iter()
        .map(|o| {
            let now = o
                .now
                .as_ref()
                .map(|s| s.who.clone())
                .unwrap_or_else(|| "nobody".into());
            let title = match (&o.now, &o.next) {
                (Some(current), Some(next)) => format!(
                    "{} until {}, then {}",
                    current.who,
                    crate::domain::format::utc_minute(current.until),
                    next.who
                ),
                _ => "the rotation has no shift now".to_string(),
            };
            let next = o
                .next
                .as_ref()
                .map(|s| format!(" → {}", s.who))
                .unwrap_or_default();
            view! {
                <span class="whitespace-nowrap" title=title>
                    <span class="text-slate-400">{format!("{}: ", o.rotation)}</span>
                    <span class="font-medium text-white">{now}</span>
                    <span class="text-slate-400">{next}</span>
                </span>
            }
        })
        .collect_view();
    Some(
        view! {
            <div class="flex flex-wrap items-center gap-x-3 text-xs text-slate-300" data-testid="oncall">
                <a href="/oncall" class="uppercase tracking-wide text-slate-500 hover:text-slate-300 hover:underline">"On call"</a>
                {items}
            </div>
        }
        .into_any(),
    )
}

/// Signed in, but no group grants a role anywhere: say so, why when the sign-in brought no
/// groups at all, and which groups would grant access.
#[component]
fn NoAccess(session: SessionView) -> impl IntoView {
    let notes = session
        .no_access_notes()
        .into_iter()
        .map(|note| view! { <p class="mt-1">{note}</p> })
        .collect_view();
    view! {
        <div class="mx-auto max-w-screen-2xl px-3 pt-5 sm:px-6">
            <div role="alert" data-testid="no-access" class="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700/60 dark:bg-amber-950/40 dark:text-amber-100">
                <p class="font-semibold">"No access yet"</p>
                {notes}
            </div>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <div class="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 text-center dark:border-slate-800 dark:bg-slate-900">
            <h1 class="text-lg font-semibold">"Page not found"</h1>
            <p class="mt-2 text-sm text-slate-500 dark:text-slate-400">"Nothing lives at this address."</p>
            <a href="/" class="mt-4 inline-block text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">"Back to the overview"</a>
        </div>
    }
}
