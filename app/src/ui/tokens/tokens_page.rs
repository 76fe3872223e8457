//! API tokens for automation (admins): who they act for, where, with which role, until when,
//! when last used; create one (its secret is shown once) or revoke one.

use crate::api::tokens::{list_tokens, CreateToken, RevokeToken};
use crate::domain::format::{age_opt, utc_minute};
use crate::domain::tokens::ApiToken;
use crate::domain::views::TokensView;
use crate::ui::components::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
const BUTTON: &str = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60";
const BUTTON_DANGER: &str = "rounded-md border border-red-300 bg-white px-2.5 py-1 text-xs font-medium text-red-800 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:bg-slate-900 dark:text-red-300";

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = Submit::<CreateToken>::new();
    let revoke = Submit::<RevokeToken>::new();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                query.read().get("created"),
                create.action.version().get(),
                revoke.action.version().get(),
            )
        },
        |(created, _, _)| list_tokens(created),
    );
    view! {
        <Title text="API tokens"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => tokens_page(view, create, revoke).into_any(),
                    Err(e) => view! { <PageHeader title="API tokens"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn token_row(
    t: ApiToken,
    now: chrono::DateTime<chrono::Utc>,
    revoke: Submit<RevokeToken>,
) -> impl IntoView {
    let scope = t
        .envs
        .as_ref()
        .map(|l| {
            l.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "every environment".into());
    let state = match t.refusal(now) {
        None => view! { <Badge tone=Tone::Good text="active"/> }.into_any(),
        Some(_) if t.revoked_at.is_some() => {
            view! { <Badge tone=Tone::Neutral text="revoked"/> }.into_any()
        }
        Some(_) => view! { <Badge tone=Tone::Warn text="expired"/> }.into_any(),
    };
    let revocable = t.revoked_at.is_none();
    let id = t.id;
    view! {
        <tr class=TR>
            <td class=format!("{TD} font-medium")>{t.name.clone()}</td>
            <td class=TD>{t.owner.clone()}</td>
            <td class=TD>{scope}</td>
            <td class=TD>{t.role.to_string()}</td>
            <td class=TD>{state}</td>
            <td class=format!("{TD} whitespace-nowrap")>{utc_minute(t.expires_at)}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{if t.last_used_at.is_some() { age_opt(now, t.last_used_at) } else { "never".to_string() }}</td>
            <td class=format!("{TD} {MUTED}")>{format!("{} · {}", t.created_by, utc_minute(t.created_at))}</td>
            <td class=TD>{revocable.then(|| view! {
                <ActionForm action=revoke.action attr:data-testid="revoke-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class=BUTTON_DANGER>"Revoke"</button>
                </ActionForm>
            })}</td>
        </tr>
    }
}

fn tokens_page(
    view: TokensView,
    create: Submit<CreateToken>,
    revoke: Submit<RevokeToken>,
) -> impl IntoView {
    let now = view.generated_at;
    let scope_hint = if view.everywhere {
        "* or staging, prod".to_string()
    } else {
        format!(
            "some of: {}",
            view.envs
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let just_created = view.just_created.clone();
    let created = move || {
        create.value.get().or_else(|| just_created.clone().map(Ok)).map(|r| match r {
            Ok(done) => view! {
                <div role="status" data-testid="token-secret" class="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-100">
                    <p class="font-semibold">{format!("Token {} created. Copy its secret now: it is not shown again.", done.token.name)}</p>
                    <code class="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-slate-950" data-testid="token-secret-value">{done.secret.clone()}</code>
                    <p class=format!("mt-2 text-xs {MUTED}")>"Send it as: Authorization: Bearer <secret> to /api/v1 (see /api/v1/openapi.json)."</p>
                </div>
            }.into_any(),
            Err(e) => view! { <p role="alert" data-testid="action-error" class="mb-4 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }.into_any(),
        })
    };
    let revoke_error = move || {
        revoke.value.get().and_then(|r| r.err()).map(|e| view! { <p role="alert" class="mb-4 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> })
    };
    let count = view.tokens.len();
    let rows = view
        .tokens
        .into_iter()
        .map(|t| token_row(t, now, revoke))
        .collect_view();
    let table = if count == 0 {
        view! { <Empty text="No API tokens yet."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="tokens-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Name"</th><th class=TH>"Service account"</th><th class=TH>"Environments"</th><th class=TH>"Role"</th>
                    <th class=TH>"State"</th><th class=TH>"Expires"</th><th class=TH>"Last used"</th><th class=TH>"Acts for (created by)"</th><th class=TH></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }.into_any()
    };
    let pending = create.pending;
    view! {
        <PageHeader title="API tokens" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {created}
        {revoke_error}
        <Section title="Create a token" note="for CI pipelines: request releases, read inventory; a token acts for you, so you may not approve what it asks for, and tokens never approve">
            <ActionForm action=create.action attr:data-testid="create-token-form">
                <div class="flex flex-wrap items-end gap-3 p-3">
                    <label class="flex flex-col gap-1 text-xs font-medium">"Name"
                        <input name="name" required maxlength="64" placeholder="ci-prod-deploys" class=format!("{TEXT} w-48")/>
                    </label>
                    <label class="flex flex-col gap-1 text-xs font-medium">"Service account (a label; the token acts for you)"
                        <input name="owner" required maxlength="100" placeholder="e.g. ci-bot" class=format!("{TEXT} w-48")/>
                    </label>
                    <label class="flex flex-col gap-1 text-xs font-medium">"Environments"
                        <input name="envs" required placeholder=scope_hint class=format!("{TEXT} w-64")/>
                    </label>
                    <label class="flex flex-col gap-1 text-xs font-medium">"Role"
                        <select name="role" class=TEXT>
                            <option value="operator">"operator"</option>
                            <option value="viewer">"viewer"</option>
                        </select>
                    </label>
                    <label class="flex flex-col gap-1 text-xs font-medium">"Days"
                        <input name="days" type="number" min="1" max="366" value="90" required class=format!("{TEXT} w-24")/>
                    </label>
                    <button type="submit" class=BUTTON disabled=move || pending.get()>"Create token"</button>
                </div>
            </ActionForm>
        </Section>
        <Section title=format!("{count} tokens") note="newest first">{table}</Section>
    }
}
