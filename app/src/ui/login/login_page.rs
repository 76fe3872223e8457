//! The sign-in page. In the demo's dev mode it asks for a name and a role; the form posts to
//! `/auth/dev-login` and works without JavaScript.

use crate::domain::policy::Role;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || query.read().get("error");
    view! {
        <Title text="Sign in"/>
        <div class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <div class="mb-5 flex items-center gap-2">
                    <img src="/favicon.svg" alt="" class="h-7 w-7"/>
                    <h1 class="text-lg font-semibold">"Sign in to Quarterdeck"</h1>
                </div>
                <p class="mb-4 rounded-md bg-amber-100 px-3 py-2 text-xs text-amber-900 dark:bg-amber-400/10 dark:text-amber-200">
                    "Demo mode: pick any name and a role. Real deployments sign in with company SSO."
                </p>
                {move || error().map(|e| view! {
                    <p role="alert" class="mb-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200">{e}</p>
                })}
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
            </div>
        </div>
    }
}
