//! The sign-in page: a button to the company's SSO, or in the demo's dev mode a form asking for a
//! name and a role (it posts to `/auth/dev-login`). Both work without JavaScript.

use crate::api::session::get_sign_in_options;
use crate::domain::alarm_filter::encode;
use crate::domain::flash::LoginError;
use crate::domain::policy::Role;
use crate::ui::components::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // A fixed code, never text from the address.
    let error = move || {
        query
            .read()
            .get("error")
            .and_then(|code| LoginError::parse(&code))
            .map(LoginError::text)
    };
    let options = Resource::new(|| (), |_| get_sign_in_options());
    view! {
        <Title text="Sign in"/>
        <div class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <div class="mb-5 flex items-center gap-2">
                    <img src="/favicon.svg" alt="" class="h-7 w-7"/>
                    <h1 class="text-lg font-semibold">"Sign in to Quarterdeck"</h1>
                </div>
                {move || error().map(|e| view! {
                    <p role="alert" data-testid="login-error" class="mb-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200">{e}</p>
                })}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match options.await {
                            Ok(o) if o.sso => sso_button(next()).into_any(),
                            Ok(_) => dev_form(next()).into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}

fn sso_button(next: String) -> impl IntoView {
    let href = if next.is_empty() {
        "/auth/login".to_string()
    } else {
        format!("/auth/login?next={}", encode(&next))
    };
    view! {
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">
            "Quarterdeck uses your company account. Your groups decide what you may see and do in each environment."
        </p>
        <a href=href rel="external" data-testid="sso-sign-in"
            class="block rounded-md bg-sky-700 px-3 py-2 text-center text-sm font-medium text-white hover:bg-sky-800">
            "Sign in with SSO"
        </a>
    }
}

fn dev_form(next: String) -> impl IntoView {
    view! {
        <p class="mb-4 rounded-md bg-amber-100 px-3 py-2 text-xs text-amber-900 dark:bg-amber-400/10 dark:text-amber-200">
            "Demo mode: pick any name and a role. Real deployments sign in with company SSO."
        </p>
        <form method="post" action="/auth/dev-login" class="flex flex-col gap-3">
            <input type="hidden" name="next" value=next/>
            <label class="flex flex-col gap-1 text-sm font-medium">"Name"
                <input name="user" required maxlength="64" autocomplete="username" placeholder="ana"
                    class="rounded-md border border-slate-300 bg-white px-2 py-1.5 font-normal dark:border-slate-700 dark:bg-slate-950"/>
            </label>
            <label class="flex flex-col gap-1 text-sm font-medium">"Role in every environment"
                <select name="role" class="rounded-md border border-slate-300 bg-white px-2 py-1.5 font-normal dark:border-slate-700 dark:bg-slate-950">
                    {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == Role::Viewer>{r.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="mt-1 rounded-md bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800">"Sign in"</button>
        </form>
    }
}
