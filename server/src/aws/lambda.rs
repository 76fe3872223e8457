//! Lambda reads, in the details cycle: ListFunctions with every published version (paginated by
//! 50), ListEventSourceMappings (by 100), and per function ListAliases and
//! GetFunctionConcurrency only when its code changed or they were read more than
//! [`ALIASES_EVERY`] ago, and ListTags every [`TAGS_EVERY`]. Calls go through the environment's
//! shared Lambda limit. A function whose aliases cannot be read keeps what was read before; when
//! the lists fail, the last functions and mappings are kept with the error.

use super::clients::EnvClients;
use super::convert::{time, Context};
use app::domain::apps::app_from_tags;
use app::domain::functions::{
    parse_lambda_time, Alias, EventSourceMapping, Function, FunctionVersion, Functions,
};
use aws_sdk_lambda::types::{FunctionConfiguration, FunctionVersion as ListVersions};
use chrono::{DateTime, Utc};
use futures::{stream, StreamExt};
use std::collections::{BTreeMap, HashMap};

/// ListFunctions returns at most 50 per page, ListEventSourceMappings and ListAliases 100.
const FUNCTIONS_PAGE: i32 = 50;
const MAPPINGS_PAGE: i32 = 100;
/// How long aliases and reserved concurrency are trusted while the code is unchanged.
const ALIASES_EVERY: chrono::Duration = chrono::Duration::minutes(5);
/// How long a function's tags are trusted.
const TAGS_EVERY: chrono::Duration = chrono::Duration::minutes(30);

impl EnvClients {
    /// Every function with its versions, aliases, concurrency and tags, and every event source
    /// mapping; `previous` is the last cycle's.
    pub(crate) async fn functions(
        &self,
        previous: Option<&Functions>,
        now: DateTime<Utc>,
    ) -> Functions {
        let listed = tokio::join!(self.function_configurations(), self.event_source_mappings());
        let (configurations, mappings) = match listed {
            (Ok(c), Ok(m)) => (c, m),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(env = %self.env_id(), %error, "functions could not be listed");
                return Functions {
                    error: Some(error),
                    ..previous.cloned().unwrap_or_default()
                };
            }
        };
        let before: HashMap<&str, &Function> = previous
            .map(|p| p.functions.iter().map(|f| (f.name.as_str(), f)).collect())
            .unwrap_or_default();
        let latest = assemble(&configurations);
        let read = stream::iter(latest)
            .map(|f| {
                let old = before.get(f.name.as_str()).copied();
                async move { self.function_extras(f, old, now).await }
            })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut functions = Vec::new();
        let mut errors = Vec::new();
        for (function, error) in read {
            functions.push(function);
            errors.extend(error);
        }
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(first) = errors.first() {
            tracing::warn!(env = %self.env_id(), failed = errors.len(), error = %first, "some functions could not be read whole");
        }
        Functions {
            functions,
            mappings,
            error: errors.first().map(|first| match errors.len() {
                1 => first.clone(),
                n => format!("{n} functions could not be read whole, shown as last read: {first}"),
            }),
        }
    }

    async fn function_configurations(&self) -> Result<Vec<FunctionConfiguration>, String> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .lambda
                .list_functions()
                .function_version(ListVersions::All)
                .max_items(FUNCTIONS_PAGE)
                .set_marker(marker.take())
                .send()
                .await
                .op("Lambda ListFunctions")?;
            out.extend(page.functions().iter().cloned());
            match page.next_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// One function as it is now, for the refresh after an action on it: its versions
    /// (ListVersionsByFunction), aliases, concurrency and tags, and the mappings that feed it
    /// (ListEventSourceMappings);
    /// `None` when it is gone.
    pub(crate) async fn function_now(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<Function>, Vec<EventSourceMapping>), String> {
        let mut configurations = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .lambda
                .list_versions_by_function()
                .function_name(name)
                .max_items(FUNCTIONS_PAGE)
                .set_marker(marker.take())
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_not_found_exception()) =>
                {
                    return Ok((None, Vec::new()));
                }
                Err(e) => {
                    return Err::<(), _>(e)
                        .op("Lambda ListVersionsByFunction")
                        .map(|()| (None, Vec::new()))
                }
            };
            configurations.extend(page.versions().iter().cloned());
            match page.next_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => break,
            }
        }
        let Some(function) = assemble(&configurations).into_iter().next() else {
            return Ok((None, Vec::new()));
        };
        let (function, error) = self.function_extras(function, None, now).await;
        if let Some(error) = error {
            return Err(error);
        }
        // Every mapping, kept when it invokes the function or any version or alias of it: a
        // FunctionName filter matches one qualifier only.
        let mappings = self
            .event_source_mappings()
            .await?
            .into_iter()
            .filter(|m| m.function_name() == Some(name))
            .collect();
        Ok((Some(function), mappings))
    }

    async fn event_source_mappings(&self) -> Result<Vec<EventSourceMapping>, String> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .lambda
                .list_event_source_mappings()
                .max_items(MAPPINGS_PAGE)
                .set_marker(marker.take())
                .send()
                .await
                .op("Lambda ListEventSourceMappings")?;
            out.extend(page.event_source_mappings().iter().map(map_mapping));
            match page.next_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => {
                    out.sort_by(|a, b| (&a.source_arn, &a.uuid).cmp(&(&b.source_arn, &b.uuid)));
                    return Ok(out);
                }
            }
        }
    }

    /// A function's aliases, concurrency and tags: read now when `old`'s are stale or its code
    /// changed, else carried over. A read that fails keeps `old`'s and is answered beside it.
    async fn function_extras(
        &self,
        mut f: Function,
        old: Option<&Function>,
        now: DateTime<Utc>,
    ) -> (Function, Option<String>) {
        let same_code = old.is_some_and(|o| {
            o.code_sha256 == f.code_sha256 && o.versions.len() == f.versions.len()
        });
        let fresh = |at: Option<DateTime<Utc>>, every| at.is_some_and(|at| now - at < every);
        let mut error = None;
        match old.filter(|o| same_code && fresh(o.aliases_read_at, ALIASES_EVERY)) {
            Some(o) => carry_aliases(&mut f, o),
            None => match tokio::join!(self.aliases(&f.name), self.concurrency_of(&f.name)) {
                (Ok(aliases), Ok(reserved)) => {
                    f.aliases = aliases;
                    f.reserved_concurrency = reserved;
                    f.aliases_read_at = Some(now);
                }
                (Err(e), _) | (_, Err(e)) => {
                    if let Some(o) = old {
                        carry_aliases(&mut f, o);
                    }
                    error = Some(e);
                }
            },
        }
        match old.filter(|o| fresh(o.tags_read_at, TAGS_EVERY)) {
            Some(o) => carry_tags(&mut f, o),
            None => match self.function_tags(&f.arn).await {
                Ok(tags) => {
                    f.tags = tags;
                    f.tags_read_at = Some(now);
                }
                Err(e) => {
                    if let Some(o) = old {
                        carry_tags(&mut f, o);
                    }
                    error = error.or(Some(e));
                }
            },
        }
        f.app = app_from_tags(&f.tags, &self.env.app_tag);
        (f, error)
    }

    async fn aliases(&self, function: &str) -> Result<Vec<Alias>, String> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .lambda
                .list_aliases()
                .function_name(function)
                .max_items(MAPPINGS_PAGE)
                .set_marker(marker.take())
                .send()
                .await
                .op("Lambda ListAliases")?;
            out.extend(page.aliases().iter().map(|a| {
                let mut weights: Vec<(String, f64)> = a
                    .routing_config()
                    .and_then(|r| r.additional_version_weights())
                    .map(|w| w.iter().map(|(v, w)| (v.clone(), *w)).collect())
                    .unwrap_or_default();
                weights.sort_by(|x, y| x.0.cmp(&y.0));
                Alias {
                    name: a.name().unwrap_or_default().to_string(),
                    version: a.function_version().unwrap_or_default().to_string(),
                    weights,
                    description: a
                        .description()
                        .filter(|d| !d.is_empty())
                        .map(str::to_string),
                }
            }));
            match page.next_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => {
                    out.sort_by(|a, b| a.name.cmp(&b.name));
                    return Ok(out);
                }
            }
        }
    }

    async fn concurrency_of(&self, function: &str) -> Result<Option<i32>, String> {
        Ok(self
            .lambda
            .get_function_concurrency()
            .function_name(function)
            .send()
            .await
            .op("Lambda GetFunctionConcurrency")?
            .reserved_concurrent_executions())
    }

    async fn function_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, String> {
        Ok(self
            .lambda
            .list_tags()
            .resource(arn)
            .send()
            .await
            .op("Lambda ListTags")?
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }
}

/// Keeps `old`'s aliases and reserved concurrency, as read when `old` was.
fn carry_aliases(f: &mut Function, old: &Function) {
    f.aliases = old.aliases.clone();
    f.reserved_concurrency = old.reserved_concurrency;
    f.aliases_read_at = old.aliases_read_at;
}

/// Keeps `old`'s tags, as read when `old` was.
fn carry_tags(f: &mut Function, old: &Function) {
    f.tags = old.tags.clone();
    f.tags_read_at = old.tags_read_at;
}

/// Functions from configurations as ListFunctions (with every version) or
/// ListVersionsByFunction give them: each `$LATEST` with its published versions, oldest first.
fn assemble(configurations: &[FunctionConfiguration]) -> Vec<Function> {
    let mut latest: Vec<Function> = Vec::new();
    let mut versions: HashMap<String, Vec<FunctionVersion>> = HashMap::new();
    for c in configurations {
        let name = c.function_name().unwrap_or_default().to_string();
        match c.version() {
            Some(v) if v != "$LATEST" => versions.entry(name).or_default().push(FunctionVersion {
                version: v.to_string(),
                code_sha256: c.code_sha256().map(str::to_string),
                description: c
                    .description()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string),
                last_modified: c.last_modified().and_then(parse_lambda_time),
            }),
            _ => latest.push(map_function(c)),
        }
    }
    for f in &mut latest {
        let mut mine = versions.remove(&f.name).unwrap_or_default();
        mine.sort_by_key(|v| v.version.parse::<u64>().unwrap_or(u64::MAX));
        f.versions = mine;
    }
    latest
}

fn map_mapping(m: &aws_sdk_lambda::types::EventSourceMappingConfiguration) -> EventSourceMapping {
    EventSourceMapping {
        uuid: m.uuid().unwrap_or_default().to_string(),
        function_arn: m.function_arn().unwrap_or_default().to_string(),
        source_arn: m.event_source_arn().unwrap_or_default().to_string(),
        state: m.state().unwrap_or("unknown").to_string(),
        batch_size: m.batch_size(),
        last_modified: time(m.last_modified()),
        state_reason: m
            .state_transition_reason()
            .filter(|r| !r.is_empty())
            .map(str::to_string),
    }
}

/// A function's `$LATEST` configuration, without what is read per function.
fn map_function(c: &FunctionConfiguration) -> Function {
    Function {
        name: c.function_name().unwrap_or_default().to_string(),
        arn: c.function_arn().unwrap_or_default().to_string(),
        runtime: c.runtime().map(|r| r.as_str().to_string()),
        architecture: c.architectures().first().map(|a| a.as_str().to_string()),
        memory_mb: c.memory_size(),
        timeout_secs: c.timeout(),
        last_modified: c.last_modified().and_then(parse_lambda_time),
        code_sha256: c.code_sha256().map(str::to_string),
        state: c.state().map(|s| s.as_str().to_string()),
        versions: Vec::new(),
        aliases: Vec::new(),
        reserved_concurrency: None,
        tags: BTreeMap::new(),
        app: None,
        aliases_read_at: None,
        tags_read_at: None,
        log_group: c
            .logging_config()
            .and_then(|l| l.log_group())
            .map(str::to_string),
    }
}
