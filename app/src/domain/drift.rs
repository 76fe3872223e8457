//! Version drift and promotion across environments, as pure rules: what version each service
//! runs in each environment (images with their digests when known, revision, since when), how
//! far an environment is behind the one before it in the promotion order, the drift table, and
//! the checked promotion of the source environment's exact image digests into the next one.

use super::change::Change;
use super::ids::EnvId;
use super::inventory::{image_parts, short_digest, Service, Task, TaskDefinition};
use super::plans::Plan;
use super::registries::{place_image, Placement, RegistryHost, RegistryMapping, TargetAccount};
use super::revision_diff::diff_revisions;
use super::views::summary::EnvData;
use crate::domain::actions::ActionKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The order versions travel in, which environments may promote into which, and where a
/// target finds a source's images (`[promotion]`); by default dev → staging → prod, each into
/// the next, every image promoted as the source names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionPolicy {
    pub order: Vec<EnvId>,
    /// Allowed `(from, to)` promotions.
    pub paths: Vec<(EnvId, EnvId)>,
    /// `[[promotion.registries]]`: a source registry host → the target's, per promotion.
    #[serde(default)]
    pub registries: Vec<RegistryMapping>,
}

impl Default for PromotionPolicy {
    fn default() -> Self {
        let order: Vec<EnvId> = ["dev", "staging", "prod"]
            .iter()
            .filter_map(|e| EnvId::parse(e).ok())
            .collect();
        Self::new(order, None)
    }
}

impl PromotionPolicy {
    /// `paths` left out means each environment of `order` promotes into the next.
    pub fn new(order: Vec<EnvId>, paths: Option<Vec<(EnvId, EnvId)>>) -> Self {
        let paths = paths.unwrap_or_else(|| {
            order
                .windows(2)
                .map(|w| (w[0].clone(), w[1].clone()))
                .collect()
        });
        Self {
            order,
            paths,
            registries: Vec::new(),
        }
    }

    /// The same policy, promoted images rewritten to the target's registry by `registries`.
    pub fn with_registries(mut self, registries: Vec<RegistryMapping>) -> Self {
        self.registries = registries;
        self
    }

    /// Where `env` stands in the order, if it is in it.
    pub fn position(&self, env: &EnvId) -> Option<usize> {
        self.order.iter().position(|e| e == env)
    }

    /// The environment before `env` in the order: where its versions come from.
    pub fn previous(&self, env: &EnvId) -> Option<&EnvId> {
        self.position(env)
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.order.get(i))
    }

    /// Whether `from` may promote into `to`; the refusal names the allowed promotions.
    pub fn check(&self, from: &EnvId, to: &EnvId) -> Result<(), String> {
        if from == to {
            return Err(format!("{from} cannot promote into itself"));
        }
        if self.paths.iter().any(|(f, t)| f == from && t == to) {
            return Ok(());
        }
        let allowed: Vec<String> = self
            .paths
            .iter()
            .map(|(f, t)| format!("{f} → {t}"))
            .collect();
        Err(format!(
            "promotion from {from} into {to} is not allowed: the configured promotions are {}",
            if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            }
        ))
    }

    /// Environments in promotion order first, the others after them as given.
    pub fn sorted<'a>(&self, envs: impl IntoIterator<Item = &'a EnvId>) -> Vec<EnvId> {
        let mut out: Vec<EnvId> = envs.into_iter().cloned().collect();
        out.sort_by_key(|e| self.position(e).unwrap_or(usize::MAX));
        out
    }
}

/// One container's image as it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageVersion {
    pub container: String,
    pub image: String,
    /// `sha256:…`: from the reference itself, or as every running task of the revision reports it.
    pub digest: Option<String>,
    /// The tag another environment runs the same digest under, for a reference without one
    /// (a promoted image is pinned as `repo@sha256:…`).
    #[serde(default)]
    pub known_tag: Option<String>,
}

impl ImageVersion {
    /// The tag, or the short digest when the reference has no tag.
    pub fn label(&self) -> String {
        let parts = image_parts(&self.image);
        match (parts.tag.or(self.known_tag.as_deref()), &self.digest) {
            (Some(tag), _) => tag.to_string(),
            (None, Some(d)) => short_digest(d).to_string(),
            (None, None) => "latest".to_string(),
        }
    }

    /// The image pinned to its digest (`repo@sha256:…`), when the digest is known.
    pub fn pinned(&self) -> Option<String> {
        let digest = self.digest.as_ref()?;
        Some(format!("{}@{digest}", image_parts(&self.image).repo))
    }

    fn same_as(&self, other: &ImageVersion) -> bool {
        match (&self.digest, &other.digest) {
            (Some(a), Some(b)) => a == b,
            _ => self.image == other.image,
        }
    }
}

/// What one service runs in one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningVersion {
    pub cluster: String,
    pub service: String,
    /// `family:revision`.
    pub revision: String,
    pub arn: String,
    pub images: Vec<ImageVersion>,
    /// When the deployment of this revision started (ECS's primary deployment).
    pub since: Option<DateTime<Utc>>,
    /// A deployment is still rolling out.
    pub deploying: bool,
}

impl RunningVersion {
    /// Whether two environments run the same images (digests compared where both are known).
    pub fn same_images(&self, other: &RunningVersion) -> bool {
        self.images.len() == other.images.len()
            && self.images.iter().all(|a| {
                other
                    .images
                    .iter()
                    .any(|b| b.container == a.container && a.same_as(b))
            })
    }

    /// The images as the table shows them: `tag` for one container, `name tag, …` for more.
    pub fn label(&self) -> String {
        match self.images.as_slice() {
            [one] => one.label(),
            many => many
                .iter()
                .map(|i| format!("{} {}", i.container, i.label()))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Whether the revision `td` has these images (by reference, or by digest in the reference).
    fn is_in(&self, td: &TaskDefinition) -> bool {
        !self.images.is_empty()
            && self.images.iter().all(|i| {
                td.containers.iter().any(|c| {
                    c.name == i.container
                        && (c.image == i.image
                            || (image_parts(&c.image).digest.is_some()
                                && image_parts(&c.image).digest == i.digest.as_deref()))
                })
            })
    }
}

/// The digest a tag resolved to: the one every running task of the revision reports for the
/// container, if they agree.
fn task_digest(service: &Service, tasks: &[Task], container: &str) -> Option<String> {
    let mut found: Option<&str> = None;
    for t in tasks.iter().filter(|t| {
        t.task_definition_arn == service.task_definition_arn && t.last_status == "RUNNING"
    }) {
        let digest = t
            .image_digests
            .iter()
            .find(|(name, _)| name == container)
            .map(|(_, d)| d.as_str())?;
        match found {
            Some(seen) if seen != digest => return None,
            _ => found = Some(digest),
        }
    }
    found.map(str::to_string)
}

/// What `service` runs, or `None` before its task definition has been read.
pub fn running_version(service: &Service, tasks: &[Task]) -> Option<RunningVersion> {
    let td = service.task_definition.as_ref()?;
    let images = td
        .containers
        .iter()
        .map(|c| ImageVersion {
            container: c.name.clone(),
            image: c.image.clone(),
            digest: image_parts(&c.image)
                .digest
                .map(str::to_string)
                .or_else(|| task_digest(service, tasks, &c.name)),
            known_tag: None,
        })
        .collect();
    let since = service
        .deployments
        .iter()
        .filter(|d| d.task_definition_arn == service.task_definition_arn)
        .filter_map(|d| d.created_at)
        .min()
        .or(service.created_at);
    Some(RunningVersion {
        cluster: service.cluster.clone(),
        service: service.name.clone(),
        revision: format!("{}:{}", td.family, td.revision),
        arn: td.arn.clone(),
        images,
        since,
        deploying: service.deploying(),
    })
}

/// How an environment's version compares with its source's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lag {
    /// Same images.
    InSync,
    /// Runs an older version. `releases`: how many versions the source ran since (when its
    /// history shows it); `waiting_since`: when the oldest of those was registered there.
    Behind {
        releases: Option<usize>,
        waiting_since: Option<DateTime<Utc>>,
    },
    /// Runs a newer version than its source (the source rolled back, or it was deployed
    /// directly).
    Ahead,
    /// Differs, and neither the source's history nor the tags say which is newer.
    Differs,
}

impl Lag {
    /// In words, for the table: `2 versions behind staging`.
    pub fn describe(&self, source: &EnvId, now: DateTime<Utc>) -> String {
        match self {
            Lag::InSync => format!("same as {source}"),
            Lag::Behind {
                releases,
                waiting_since,
            } => {
                let count = match releases {
                    Some(1) => "1 version".to_string(),
                    Some(n) => format!("{n} versions"),
                    None => "older".to_string(),
                };
                let wait = waiting_since
                    .map(|t| format!(" (the oldest registered {})", super::format::age(now, t)))
                    .unwrap_or_default();
                if releases.is_some() {
                    format!("{count} behind {source}{wait}")
                } else {
                    format!("older than {source}{wait}")
                }
            }
            Lag::Ahead => format!("ahead of {source}"),
            Lag::Differs => format!("differs from {source}"),
        }
    }
}

/// How `target` compares with `source`, using the source's revision history (newest first) to
/// count the versions in between, and numeric tags when the history does not reach back.
pub fn lag(target: &RunningVersion, source: &RunningVersion, history: &[TaskDefinition]) -> Lag {
    if target.same_images(source) {
        return Lag::InSync;
    }
    let current = history.iter().position(|td| td.arn == source.arn);
    let found = history.iter().position(|td| target.is_in(td));
    match (current, found) {
        (Some(now_at), Some(at)) if at > now_at => {
            // Versions the source ran after the target's: distinct image sets, newest first.
            let mut releases = 0;
            let mut waiting_since = None;
            let mut last: Option<Vec<&str>> = None;
            for td in &history[now_at..at] {
                // One version whether pinned with its tag or without: the digest decides.
                let images: Vec<&str> = td
                    .containers
                    .iter()
                    .map(|c| image_parts(&c.image).digest.unwrap_or(&c.image))
                    .collect();
                if !target.is_in(td) {
                    if last.as_ref() != Some(&images) {
                        releases += 1;
                    }
                    waiting_since = td.registered_at.or(waiting_since);
                }
                last = Some(images);
            }
            Lag::Behind {
                releases: Some(releases.max(1)),
                waiting_since,
            }
        }
        (Some(now_at), Some(at)) if at < now_at => Lag::Ahead,
        _ => match compare_tags(target, source) {
            Some(std::cmp::Ordering::Less) => Lag::Behind {
                releases: None,
                waiting_since: None,
            },
            Some(std::cmp::Ordering::Greater) => Lag::Ahead,
            _ => Lag::Differs,
        },
    }
}

/// `v1.4.2` → [1, 4, 2]; `None` for tags that are not dotted numbers.
fn numeric_tag(tag: &str) -> Option<Vec<u64>> {
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    tag.split('.').map(|p| p.parse().ok()).collect()
}

/// Compares the two versions by their containers' numeric tags when every shared container has
/// one and they all point the same way.
fn compare_tags(target: &RunningVersion, source: &RunningVersion) -> Option<std::cmp::Ordering> {
    let mut verdict: Option<std::cmp::Ordering> = None;
    for t in &target.images {
        let s = source.images.iter().find(|s| s.container == t.container)?;
        let a = numeric_tag(image_parts(&t.image).tag?)?;
        let b = numeric_tag(image_parts(&s.image).tag?)?;
        let order = a.cmp(&b);
        if order == std::cmp::Ordering::Equal {
            continue;
        }
        match verdict {
            Some(v) if v != order => return None,
            _ => verdict = Some(order),
        }
    }
    verdict
}

/// One environment's cell of a drift row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftCell {
    pub env: EnvId,
    /// `None`: the service does not run there (or its revision has not been read yet).
    pub version: Option<RunningVersion>,
    /// The environment before this one that runs the service, and how this one compares.
    pub source: Option<(EnvId, Lag)>,
    /// The source may promote into this environment and the versions differ.
    pub promotable: bool,
}

impl DriftCell {
    /// Differs from its source: the cell to highlight.
    pub fn differs(&self) -> bool {
        self.source
            .as_ref()
            .is_some_and(|(_, lag)| *lag != Lag::InSync)
    }
}

/// One service across environments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRow {
    pub app: Option<String>,
    pub service: String,
    pub cells: Vec<DriftCell>,
    /// At least two environments run different images.
    pub drifted: bool,
}

/// Which rows a drift table shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftQuery {
    pub app: Option<String>,
    /// Only services that run in this environment and differ from another one.
    pub env: Option<EnvId>,
    /// Only services whose environments disagree.
    pub only_drifted: bool,
}

/// Rows of the fleet's drift page at a time.
pub const DRIFT_ROWS_PER_PAGE: usize = 100;

impl DriftQuery {
    /// The page's address with these filters, at `page` (1-based).
    pub fn href(&self, page: usize) -> String {
        let mut params = Vec::new();
        if let Some(app) = &self.app {
            params.push(format!("app={app}"));
        }
        if let Some(env) = &self.env {
            params.push(format!("env={env}"));
        }
        if !self.only_drifted {
            params.push("all=1".to_string());
        }
        if page > 1 {
            params.push(format!("page={page}"));
        }
        if params.is_empty() {
            "/drift".to_string()
        } else {
            format!("/drift?{}", params.join("&"))
        }
    }
}

/// The drift table: one column per environment (promotion order first), one row per service
/// (matched across environments by app and name), filtered by `query`, sorted by app and name.
pub fn drift_rows(
    envs: &[EnvData<'_>],
    policy: &PromotionPolicy,
    query: &DriftQuery,
) -> (Vec<EnvId>, Vec<DriftRow>) {
    let columns = policy.sorted(envs.iter().map(|e| &e.descriptor.id));
    let by_id: BTreeMap<&EnvId, &EnvData<'_>> =
        envs.iter().map(|e| (&e.descriptor.id, e)).collect();
    // (app, service) → env → version
    let mut found: BTreeMap<(Option<String>, String), BTreeMap<EnvId, RunningVersion>> =
        BTreeMap::new();
    for env in &columns {
        let Some(data) = by_id.get(env) else { continue };
        let Some(inv) = data.inventory else { continue };
        for s in &inv.services {
            if query.app.is_some() && s.app != query.app {
                continue;
            }
            let key = format!("{}/{}", s.cluster, s.name);
            let tasks = data
                .details
                .and_then(|d| d.tasks.get(&key))
                .map(Vec::as_slice)
                .unwrap_or_default();
            if let Some(v) = running_version(s, tasks) {
                found
                    .entry((s.app.clone(), s.name.clone()))
                    .or_default()
                    .insert(env.clone(), v);
            }
        }
    }
    // The tags digests run under anywhere, for references pinned without one.
    let tags: BTreeMap<String, String> = found
        .values()
        .flat_map(BTreeMap::values)
        .flat_map(|v| &v.images)
        .filter_map(|i| Some((i.digest.clone()?, image_parts(&i.image).tag?.to_string())))
        .collect();
    let mut rows = Vec::new();
    for ((app, service), mut versions) in found {
        for image in versions.values_mut().flat_map(|v| v.images.iter_mut()) {
            if image_parts(&image.image).tag.is_none() {
                image.known_tag = image.digest.as_ref().and_then(|d| tags.get(d)).cloned();
            }
        }
        let drifted = versions
            .values()
            .any(|v| versions.values().any(|w| !v.same_images(w)));
        if (query.only_drifted || query.env.is_some()) && !drifted {
            continue;
        }
        if let Some(env) = &query.env {
            if !versions.contains_key(env) {
                continue;
            }
        }
        let cells = columns
            .iter()
            .map(|env| {
                let version = versions.get(env).cloned();
                let source = version.as_ref().and_then(|v| {
                    let from = source_env(policy, env, &versions)?;
                    let src = versions.get(from)?;
                    let family = src.revision.split(':').next().unwrap_or_default();
                    let history = by_id
                        .get(from)
                        .and_then(|d| d.details)
                        .and_then(|d| d.revisions.get(family))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    Some((from.clone(), lag(v, src, history)))
                });
                let promotable = source.as_ref().is_some_and(|(from, lag)| {
                    *lag != Lag::InSync && policy.check(from, env).is_ok()
                });
                DriftCell {
                    env: env.clone(),
                    version,
                    source,
                    promotable,
                }
            })
            .collect();
        rows.push(DriftRow {
            app,
            service,
            cells,
            drifted,
        });
    }
    (columns, rows)
}

/// The nearest environment before `env` in the order that runs the service.
fn source_env<'a>(
    policy: &'a PromotionPolicy,
    env: &EnvId,
    versions: &BTreeMap<EnvId, RunningVersion>,
) -> Option<&'a EnvId> {
    let at = policy.position(env)?;
    policy.order[..at]
        .iter()
        .rev()
        .find(|e| versions.contains_key(*e))
}

/// A checked promotion: the target's revision to copy and each container's pinned image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionTarget {
    /// The target's current revision, copied with the images replaced.
    pub from: String,
    /// Container → `repo@sha256:…` from the source (its registry host mapped to the target's
    /// by `[promotion] registries`).
    pub images: Vec<(String, String)>,
    /// What the reviewer is warned of before confirming: the target would pull an image from
    /// another AWS account's ECR registry.
    pub warnings: Vec<String>,
}

/// Promoting what `source` runs in `from` into `target` in `to` (which runs in the AWS account
/// `target_account`, when its configuration tells): the path must be allowed, every source
/// image's digest known (never a moving tag), every source container present in the target's
/// revision, and something must change. Each pinned image moves to the target's registry when
/// a `[promotion] registries` mapping covers its host (same repository and digest); one left in
/// another account's ECR registry is a warning. Answers the plan (images before → after), the
/// target, and the revision diff from the target's revision to the source's (what differs
/// beyond the images stays as the target has it).
pub fn plan_promotion(
    policy: &PromotionPolicy,
    from: &EnvId,
    source: &Service,
    source_tasks: &[Task],
    to: &EnvId,
    target: &Service,
    target_account: Option<&str>,
) -> Result<(Plan, PromotionTarget, Vec<Change>), String> {
    policy.check(from, to)?;
    let version = running_version(source, source_tasks).ok_or_else(|| {
        format!(
            "the task definition {} runs in {from} has not been read yet; try again in a moment",
            source.name
        )
    })?;
    let source_td = source
        .task_definition
        .as_ref()
        .ok_or_else(|| format!("{from}'s task definition of {} is not known", source.name))?;
    let target_td = target.task_definition.as_ref().ok_or_else(|| {
        format!(
            "the task definition {} runs in {to} has not been read yet; try again in a moment",
            target.name
        )
    })?;
    let mut images = Vec::new();
    let mut changes = Vec::new();
    let mut placements = Vec::new();
    for image in &version.images {
        let pinned = image.pinned().ok_or_else(|| {
            format!(
                "{from} runs {} of {} as {}, a tag whose digest is not known yet: a promotion copies the exact digest, never a tag that can move. Pin the image by digest in {from}, or wait until its tasks report the digest they run",
                image.container, source.name, image.image
            )
        })?;
        let current = target_td
            .containers
            .iter()
            .find(|c| c.name == image.container)
            .ok_or_else(|| {
                format!(
                    "{from}'s {} has a container {} that {to}'s revision {}:{} has not; a promotion only changes images, so deploy that task-definition change to {to} first",
                    source.name, image.container, target_td.family, target_td.revision
                )
            })?;
        let placed = place_image(
            &policy.registries,
            from,
            to,
            &pinned,
            TargetAccount::of(target_account, &current.image),
        );
        let after = placed.image().to_string();
        let already =
            current.image == after || image_parts(&current.image).digest == image.digest.as_deref();
        if !already {
            changes.push(Change::new(
                format!("Image of {}", image.container),
                current.image.clone(),
                after.clone(),
            ));
            images.push((image.container.clone(), after));
            placements.push((image.container.as_str(), placed));
        }
    }
    if images.is_empty() {
        return Err(format!(
            "{to} already runs {from}'s images of {}; nothing would change",
            target.name
        ));
    }
    let label = format!("{}:{}", target_td.family, target_td.revision);
    changes.push(Change::new(
        "Task definition",
        label.clone(),
        format!("{} (new revision)", target_td.family),
    ));
    let diff = diff_revisions(target_td, source_td);
    let mut notes = vec![format!(
        "The images come from {from}'s {}{}, pinned to their digests.",
        version.revision,
        version
            .since
            .map(|t| format!(", running there since {}", super::format::utc_minute(t)))
            .unwrap_or_default()
    )];
    notes.push(format!(
        "A new revision of {} is registered as a copy of {label} with only these images changed; the service then moves to it and ECS replaces its {} task{}.",
        target_td.family,
        target.desired,
        if target.desired == 1 { "" } else { "s" }
    ));
    let others = diff.iter().filter(|c| !c.what.ends_with(": image")).count();
    if others > 0 {
        notes.push(format!(
            "{others} other difference{} between the two revisions {} not promoted: {to} keeps its own configuration.",
            if others == 1 { "" } else { "s" },
            if others == 1 { "is" } else { "are" }
        ));
    }
    for c in target_td
        .containers
        .iter()
        .filter(|c| !version.images.iter().any(|i| i.container == c.name))
    {
        notes.push(format!(
            "{} is only in {to}'s revision and keeps its image {}.",
            c.name, c.image
        ));
    }
    let (registry_notes, warnings) = registry_notes(from, to, &placements);
    notes.extend(registry_notes);
    let summary = format!(
        "promote {from} → {to}: {}",
        images
            .iter()
            .map(|(c, i)| format!("{c} {}", short_digest(image_parts(i).digest.unwrap_or(i))))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok((
        Plan {
            kind: ActionKind::Deploy,
            changes,
            notes,
            summary,
        },
        PromotionTarget {
            from: target_td.arn.clone(),
            images,
            warnings,
        },
        diff,
    ))
}

/// What a promotion's review says about where the target pulls the changed images from: a note
/// per mapped registry, and a warning per registry of another account left as it is.
fn registry_notes(
    from: &EnvId,
    to: &EnvId,
    placements: &[(&str, Placement)],
) -> (Vec<String>, Vec<String>) {
    /// The registry, its account, the target's account, and whether that was inferred.
    type Crossing<'a> = (&'a str, &'a str, &'a str, bool);
    // (source, target) → containers; a crossing → containers.
    let mut mapped: Vec<((&RegistryHost, &RegistryHost), Vec<&str>)> = Vec::new();
    let mut crossing: Vec<(Crossing<'_>, Vec<&str>)> = Vec::new();
    fn add<'a, K: PartialEq>(groups: &mut Vec<(K, Vec<&'a str>)>, key: K, container: &'a str) {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, containers)) => containers.push(container),
            None => groups.push((key, vec![container])),
        }
    }
    for (container, placed) in placements {
        match placed {
            Placement::AsIs { .. } => {}
            Placement::Mapped { source, target, .. } => {
                add(&mut mapped, (source, target), container)
            }
            Placement::OtherAccount {
                registry,
                registry_account,
                target_account,
                inferred,
                ..
            } => add(
                &mut crossing,
                (
                    registry.as_str(),
                    registry_account.as_str(),
                    target_account.as_str(),
                    *inferred,
                ),
                container,
            ),
        }
    }
    let images_of = |containers: &[&str]| match containers {
        [one] => format!("the image of {one}"),
        many => format!("the images of {}", many.join(", ")),
    };
    let notes = mapped
        .iter()
        .map(|((source, target), containers)| {
            format!(
                "{} {} copied to the target's registry reference {target} instead of {source} (same repository and digest); make sure that repository holds {} (ECR replication or a push).",
                capitalized(&images_of(containers)),
                if containers.len() == 1 { "is" } else { "are" },
                if containers.len() == 1 { "it" } else { "them" },
            )
        })
        .collect();
    let warnings = crossing
        .iter()
        .map(|((registry, registry_account, target_account, inferred), containers)| {
            let who = if *inferred {
                format!("{to}, whose current image comes from account {target_account}'s registry,")
            } else {
                format!("{to} (account {target_account})")
            };
            format!(
                "{who} will pull {} from {from}'s registry {registry} in account {registry_account}, not from its own account: the new revision names that registry as {from} does, so {to}'s task execution role needs pull access there. To pull from {to}'s own registry instead, map it in `[promotion] registries` (source = \"{registry}\", target = {to}'s registry host).",
                images_of(containers)
            )
        })
        .collect();
    (notes, warnings)
}

/// `text` with its first letter upper-case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What one environment's alias of a function runs: where it routes, and the code hash of its
/// primary version (cut to 12 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasCell {
    pub env: EnvId,
    pub routing: String,
    pub code: Option<String>,
    /// The code differs from the environment before it in the order.
    pub differs: bool,
}

/// One function alias across environments (matched by app, function and alias name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasDriftRow {
    pub app: Option<String>,
    pub function: String,
    pub alias: String,
    /// One per column; `None` where the environment has no such alias.
    pub cells: Vec<Option<AliasCell>>,
}

/// Which version and code each environment's alias of each function runs, for `columns` (in
/// promotion order): a cell differs when its code is not that of the environment before it.
/// With `only_drifted`, aliases that run the same code everywhere are left out.
pub fn alias_drift(
    envs: &[EnvData<'_>],
    columns: &[EnvId],
    query: &DriftQuery,
) -> Vec<AliasDriftRow> {
    let by_id: BTreeMap<&EnvId, &EnvData<'_>> =
        envs.iter().map(|e| (&e.descriptor.id, e)).collect();
    // (app, function, alias) → env → (routing, code)
    type Found = BTreeMap<EnvId, (String, Option<String>)>;
    let mut found: BTreeMap<(Option<String>, String, String), Found> = BTreeMap::new();
    for env in columns {
        let Some(details) = by_id.get(env).and_then(|d| d.details) else {
            continue;
        };
        for f in &details.functions.functions {
            if query.app.is_some() && f.app != query.app {
                continue;
            }
            for a in &f.aliases {
                let code = f.code_of(a).map(|c| c.chars().take(12).collect::<String>());
                found
                    .entry((f.app.clone(), f.name.clone(), a.name.clone()))
                    .or_default()
                    .insert(env.clone(), (a.routing(), code));
            }
        }
    }
    let mut rows = Vec::new();
    for ((app, function, alias), per_env) in found {
        let mut cells = Vec::new();
        let mut before: Option<&Option<String>> = None;
        for env in columns {
            let cell = per_env.get(env).map(|(routing, code)| {
                let differs = before.is_some_and(|b| b != code);
                before = Some(code);
                AliasCell {
                    env: env.clone(),
                    routing: routing.clone(),
                    code: code.clone(),
                    differs,
                }
            });
            cells.push(cell);
        }
        let codes: Vec<&Option<String>> = per_env.values().map(|(_, c)| c).collect();
        let same = codes.windows(2).all(|w| w[0] == w[1]);
        let in_env = query.env.as_ref().is_none_or(|e| per_env.contains_key(e));
        if (query.only_drifted && same) || !in_env {
            continue;
        }
        rows.push(AliasDriftRow {
            app,
            function,
            alias,
            cells,
        });
    }
    rows
}

/// The drift table as a page shows it, with what the person may promote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftView {
    pub generated_at: DateTime<Utc>,
    pub columns: Vec<EnvId>,
    pub rows: Vec<DriftRow>,
    pub query: DriftQuery,
    /// Every app the person's environments run, for the filter.
    pub apps: Vec<String>,
    /// The configured promotions.
    pub paths: Vec<(EnvId, EnvId)>,
    /// Environments the person may deploy into, and whether a deploy there asks for approval.
    pub deploy_into: Vec<(EnvId, bool)>,
    /// The page shown (1-based) and the rows matching the filters on every page.
    #[serde(default)]
    pub page: usize,
    #[serde(default)]
    pub total: usize,
    /// Which version and code each environment's function aliases run.
    #[serde(default)]
    pub aliases: Vec<AliasDriftRow>,
}

impl DriftView {
    /// How many pages the matching rows fill.
    pub fn pages(&self) -> usize {
        self.total.div_ceil(DRIFT_ROWS_PER_PAGE).max(1)
    }
}

impl DriftView {
    /// Whether the person may promote into `env`, and if so whether it asks for approval.
    pub fn may_deploy_into(&self, env: &EnvId) -> Option<bool> {
        self.deploy_into
            .iter()
            .find(|(e, _)| e == env)
            .map(|(_, asks)| *asks)
    }

    /// The promotions of a whole app this table offers: `(from, to, services that differ)`,
    /// for paths the person may deploy along.
    pub fn app_offers(&self) -> Vec<(EnvId, EnvId, usize)> {
        self.paths
            .iter()
            .filter(|(_, to)| self.may_deploy_into(to).is_some())
            .filter_map(|(from, to)| {
                let n = self
                    .rows
                    .iter()
                    .filter(|r| {
                        r.cells.iter().any(|c| {
                            c.env == *to
                                && c.promotable
                                && c.source.as_ref().is_some_and(|(s, _)| s == from)
                        })
                    })
                    .count();
                (n > 0).then(|| (from.clone(), to.clone(), n))
            })
            .collect()
    }
}

/// One service of a promotion under review: its plan, or why it is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionItem {
    pub service: String,
    pub cluster: String,
    pub plan: Result<PlannedPromotion, String>,
}

/// A checked promotion of one service, as the review shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPromotion {
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
    /// What to heed before confirming: the target would pull from another account's registry.
    #[serde(default)]
    pub warnings: Vec<String>,
    pub diff: Vec<Change>,
    pub summary: String,
}

/// The review step of a promotion of one service or a whole app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionReview {
    pub generated_at: DateTime<Utc>,
    pub from: EnvId,
    pub to: EnvId,
    pub app: Option<String>,
    /// `None`: every service of the app.
    pub service: Option<String>,
    /// The target is protected: the person types `confirm_name` to confirm.
    pub protected: bool,
    /// Deploys into the target go through the approval gate.
    pub asks_approval: bool,
    /// Approvals the target needs, and from which role.
    pub approval: Option<(u32, String)>,
    pub confirm_name: String,
    pub items: Vec<PromotionItem>,
    pub request_key: String,
    /// Why the person may not promote here (the review still shows what would change when they
    /// see both environments).
    pub refused: Option<String>,
}

impl PromotionReview {
    /// The services that would change.
    pub fn ready(&self) -> usize {
        self.items.iter().filter(|i| i.plan.is_ok()).count()
    }
}

/// What a promotion did, service by service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionOutcome {
    pub from: EnvId,
    pub to: EnvId,
    /// The group key shared by a whole app's requests.
    pub group: Option<String>,
    pub results: Vec<(String, Result<super::actions::ActionResult, String>)>,
}

impl PromotionOutcome {
    /// In one line, for the page it returns to.
    pub fn describe(&self) -> String {
        use super::actions::ActionStatus;
        let mut done = Vec::new();
        let mut requested = Vec::new();
        let mut failed = Vec::new();
        let mut same = Vec::new();
        let mut running = Vec::new();
        for (service, result) in &self.results {
            match result {
                Ok(r) => match &r.status {
                    ActionStatus::Succeeded => done.push(service.as_str()),
                    ActionStatus::AwaitingApproval { release } => {
                        requested.push(format!("{service} (#{release})"))
                    }
                    ActionStatus::Failed { code, .. } => failed.push(format!("{service} ({code})")),
                    ActionStatus::NotRun { .. } => failed.push(format!("{service} (not run)")),
                    ActionStatus::Running | ActionStatus::Checking { .. } => {
                        running.push(service.as_str())
                    }
                    ActionStatus::Unknown { .. } => {
                        failed.push(format!("{service} (outcome unknown)"))
                    }
                },
                Err(why) if why.contains("nothing would change") => same.push(service.as_str()),
                Err(why) => failed.push(format!("{service}: {why}")),
            }
        }
        let mut parts = Vec::new();
        if !done.is_empty() {
            parts.push(format!(
                "promoted {} from {} to {}: {}",
                count(done.len()),
                self.from,
                self.to,
                done.join(", ")
            ));
        }
        if !requested.is_empty() {
            parts.push(format!(
                "requested approval in {} for {}: {}",
                self.to,
                count(requested.len()),
                requested.join(", ")
            ));
        }
        if !running.is_empty() {
            parts.push(format!(
                "still running in {}: {}",
                self.to,
                running.join(", ")
            ));
        }
        if !same.is_empty() {
            parts.push(format!("already the same: {}", same.join(", ")));
        }
        if !failed.is_empty() {
            parts.push(format!("not promoted: {}", failed.join("; ")));
        }
        if parts.is_empty() {
            return "Nothing to promote".to_string();
        }
        capitalized(&parts.join("; "))
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 service".to_string()
    } else {
        format!("{n} services")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inventory::{
        ContainerDefinition, EnvDescriptor, EnvDetails, EnvInventory, RefreshStatus,
    };
    use crate::domain::test_time::at;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    const D3: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    fn env(id: &str) -> EnvId {
        EnvId::parse(id).unwrap()
    }

    fn td(account: u8, revision: i32, image: &str, registered: &str) -> TaskDefinition {
        TaskDefinition {
            arn: format!("arn:aws:ecs:eu-west-1:{account}:task-definition/api:{revision}"),
            family: "api".into(),
            revision,
            cpu: Some("256".into()),
            memory: Some("512".into()),
            containers: vec![ContainerDefinition {
                name: "api".into(),
                image: image.into(),
                essential: true,
                ports: vec![8080],
                ..Default::default()
            }],
            registered_at: Some(at(registered)),
        }
    }

    fn service(td: TaskDefinition, deployed: &str) -> Service {
        crate::domain::fixtures::service("api", "shop", td, at(deployed))
    }

    fn task(td_arn: &str, digest: &str) -> Task {
        Task {
            arn: "t".into(),
            last_status: "RUNNING".into(),
            desired_status: "RUNNING".into(),
            health: None,
            task_definition_arn: td_arn.into(),
            availability_zone: None,
            cpu: None,
            memory: None,
            started_at: None,
            stopped_reason: None,
            stop_code: None,
            stopped_at: None,
            exits: vec![],
            image_digests: vec![("api".into(), digest.into())],
            private_ip: None,
        }
    }

    #[test]
    fn digests_come_from_the_reference_or_from_tasks_that_agree() {
        let pinned = service(
            td(2, 3, &format!("repo/api:1.2@{D1}"), "2026-11-01T00:00:00Z"),
            "2026-11-02T00:00:00Z",
        );
        let v = running_version(&pinned, &[]).unwrap();
        assert_eq!(v.images[0].digest.as_deref(), Some(D1));
        assert_eq!(v.images[0].label(), "1.2");
        assert_eq!(v.since, Some(at("2026-11-02T00:00:00Z")));
        assert_eq!(v.images[0].pinned().unwrap(), format!("repo/api@{D1}"));

        let tagged = service(
            td(2, 3, "repo/api:1.2", "2026-11-01T00:00:00Z"),
            "2026-11-02T00:00:00Z",
        );
        let arn = tagged.task_definition_arn.clone();
        let cases: [(&[Task], Option<&str>); 4] = [
            (&[], None),
            (&[task(&arn, D2), task(&arn, D2)], Some(D2)),
            (&[task(&arn, D2), task(&arn, D3)], None),
            (&[task("other:1", D3), task(&arn, D2)], Some(D2)),
        ];
        for (tasks, digest) in cases {
            let v = running_version(&tagged, tasks).unwrap();
            assert_eq!(v.images[0].digest.as_deref(), digest, "{tasks:?}");
        }
    }

    /// staging's history, newest first: 1.3 (rev 7), 1.2 (rev 6), 1.2 again with other config
    /// (rev 5), 1.1 (rev 4), 1.0 (rev 3).
    fn staging_history() -> Vec<TaskDefinition> {
        vec![
            td(2, 7, "repo/api:1.3", "2026-11-20T00:00:00Z"),
            td(2, 6, "repo/api:1.2", "2026-11-15T00:00:00Z"),
            td(2, 5, "repo/api:1.2", "2026-11-14T00:00:00Z"),
            td(2, 4, "repo/api:1.1", "2026-11-10T00:00:00Z"),
            td(2, 3, "repo/api:1.0", "2026-11-01T00:00:00Z"),
        ]
    }

    #[test]
    fn behind_by_counts_the_versions_the_source_ran_since() {
        let history = staging_history();
        let staging =
            running_version(&service(history[0].clone(), "2026-11-20T01:00:00Z"), &[]).unwrap();
        let prod = |image: &str| {
            running_version(
                &service(
                    td(3, 9, image, "2026-11-01T00:00:00Z"),
                    "2026-11-02T00:00:00Z",
                ),
                &[],
            )
            .unwrap()
        };
        let behind = |n: usize, since: &str| Lag::Behind {
            releases: Some(n),
            waiting_since: Some(at(since)),
        };
        let cases = [
            ("repo/api:1.3", Lag::InSync),
            ("repo/api:1.2", behind(1, "2026-11-20T00:00:00Z")),
            ("repo/api:1.1", behind(2, "2026-11-14T00:00:00Z")),
            ("repo/api:1.0", behind(3, "2026-11-10T00:00:00Z")),
            // Not in staging's history: the tags decide, else it only differs.
            (
                "repo/api:0.9",
                Lag::Behind {
                    releases: None,
                    waiting_since: None,
                },
            ),
            ("repo/api:2.0", Lag::Ahead),
            ("repo/api:feature-x", Lag::Differs),
        ];
        for (image, expected) in cases {
            assert_eq!(lag(&prod(image), &staging, &history), expected, "{image}");
        }
        // staging rolled back to 1.1 while prod runs 1.2: prod is ahead.
        let rolled_back =
            running_version(&service(history[3].clone(), "2026-11-21T00:00:00Z"), &[]).unwrap();
        assert_eq!(
            lag(&prod("repo/api:1.2"), &rolled_back, &history),
            Lag::Ahead
        );
        assert_eq!(
            behind(2, "2026-11-14T00:00:00Z").describe(&env("staging"), at("2026-11-24T00:00:00Z")),
            "2 versions behind staging (the oldest registered 10d ago)"
        );
    }

    #[test]
    fn a_version_pinned_with_and_without_its_tag_counts_once() {
        let history = vec![
            td(2, 9, &format!("repo/api@{D3}"), "2026-11-22T00:00:00Z"),
            td(2, 8, &format!("repo/api:1.3@{D3}"), "2026-11-20T00:00:00Z"),
            td(2, 7, &format!("repo/api:1.2@{D2}"), "2026-11-15T00:00:00Z"),
        ];
        let staging =
            running_version(&service(history[0].clone(), "2026-11-22T01:00:00Z"), &[]).unwrap();
        let prod = running_version(
            &service(
                td(3, 4, &format!("repo/api:1.2@{D2}"), "2026-11-01T00:00:00Z"),
                "2026-11-02T00:00:00Z",
            ),
            &[],
        )
        .unwrap();
        assert_eq!(
            lag(&prod, &staging, &history),
            Lag::Behind {
                releases: Some(1),
                waiting_since: Some(at("2026-11-20T00:00:00Z")),
            }
        );
        assert_eq!(staging.images[0].label(), "sha256:333333333333");
    }

    #[test]
    fn digests_decide_sameness_when_both_are_known() {
        let a = service(
            td(1, 1, "repo/api:latest", "2026-11-01T00:00:00Z"),
            "2026-11-01T00:00:00Z",
        );
        let b = service(
            td(2, 1, "repo/api:latest", "2026-11-01T00:00:00Z"),
            "2026-11-01T00:00:00Z",
        );
        let va = running_version(&a, &[task(&a.task_definition_arn, D1)]).unwrap();
        let vb = running_version(&b, &[task(&b.task_definition_arn, D2)]).unwrap();
        assert!(!va.same_images(&vb), "same moving tag, different digests");
        let vb = running_version(&b, &[task(&b.task_definition_arn, D1)]).unwrap();
        assert!(va.same_images(&vb));
    }

    #[test]
    fn drift_page_addresses_keep_the_filters() {
        let mut query = DriftQuery {
            only_drifted: true,
            ..Default::default()
        };
        assert_eq!(query.href(1), "/drift");
        assert_eq!(query.href(3), "/drift?page=3");
        query.app = Some("shop".into());
        query.env = Some(env("prod"));
        query.only_drifted = false;
        assert_eq!(query.href(2), "/drift?app=shop&env=prod&all=1&page=2");
    }

    #[test]
    fn promotion_paths_follow_the_configured_order() {
        let policy = PromotionPolicy::default();
        assert!(policy.check(&env("dev"), &env("staging")).is_ok());
        assert!(policy.check(&env("staging"), &env("prod")).is_ok());
        let refused = policy.check(&env("dev"), &env("prod")).unwrap_err();
        assert_eq!(
            refused,
            "promotion from dev into prod is not allowed: the configured promotions are dev → staging, staging → prod"
        );
        assert!(policy.check(&env("prod"), &env("staging")).is_err());
        assert!(policy.check(&env("prod"), &env("prod")).is_err());
        let custom = PromotionPolicy::new(
            vec![env("qa"), env("live")],
            Some(vec![(env("qa"), env("live")), (env("hotfix"), env("live"))]),
        );
        assert!(custom.check(&env("hotfix"), &env("live")).is_ok());
        assert_eq!(custom.previous(&env("live")), Some(&env("qa")));
        assert_eq!(custom.previous(&env("qa")), None);
        assert_eq!(
            custom.sorted([&env("live"), &env("sandbox"), &env("qa")]),
            vec![env("qa"), env("live"), env("sandbox")]
        );
    }

    #[test]
    fn a_promotion_pins_the_source_digest_and_attaches_the_diff() {
        let policy = PromotionPolicy::default();
        let mut staging_td = td(2, 7, "repo/api:1.3", "2026-11-20T00:00:00Z");
        staging_td.containers[0].environment = vec![("LOG_LEVEL".into(), "debug".into())];
        let staging = service(staging_td, "2026-11-20T01:00:00Z");
        let staging_tasks = [task(&staging.task_definition_arn, D3)];
        let prod = service(
            td(3, 9, &format!("repo/api:1.2@{D2}"), "2026-11-10T00:00:00Z"),
            "2026-11-11T00:00:00Z",
        );
        let (plan, target, diff) = plan_promotion(
            &policy,
            &env("staging"),
            &staging,
            &staging_tasks,
            &env("prod"),
            &prod,
            Some("333333333333"),
        )
        .unwrap();
        assert_eq!(target.from, prod.task_definition_arn);
        assert_eq!(
            target.images,
            vec![("api".into(), format!("repo/api@{D3}"))]
        );
        assert_eq!(plan.kind, ActionKind::Deploy);
        assert_eq!(plan.changes[0].after, format!("repo/api@{D3}"));
        assert_eq!(
            plan.summary,
            "promote staging → prod: api sha256:333333333333"
        );
        assert!(diff.iter().any(|c| c.what == "api: env LOG_LEVEL"));
        assert!(plan.notes.iter().any(|n| n.contains("1 other difference")));
        assert!(
            target.warnings.is_empty(),
            "not an ECR image: nothing to warn of"
        );

        // A tag whose digest nobody reported cannot be promoted.
        let refused = plan_promotion(
            &policy,
            &env("staging"),
            &staging,
            &[],
            &env("prod"),
            &prod,
            None,
        )
        .unwrap_err();
        assert!(
            refused.contains("a tag whose digest is not known"),
            "{refused}"
        );
        // Outside the configured order.
        let refused = plan_promotion(
            &policy,
            &env("dev"),
            &staging,
            &staging_tasks,
            &env("prod"),
            &prod,
            None,
        )
        .unwrap_err();
        assert!(refused.contains("not allowed"), "{refused}");
        // Nothing to do when prod already runs that digest.
        let same = service(
            td(3, 10, &format!("repo/api@{D3}"), "2026-11-21T00:00:00Z"),
            "2026-11-21T00:00:00Z",
        );
        let refused = plan_promotion(
            &policy,
            &env("staging"),
            &staging,
            &staging_tasks,
            &env("prod"),
            &same,
            None,
        )
        .unwrap_err();
        assert!(refused.contains("nothing would change"), "{refused}");
    }

    #[test]
    fn a_promotion_moves_images_to_the_mapped_registry_or_warns_of_a_pull_across_accounts() {
        use crate::domain::registries::{RegistryHost, RegistryMapping};
        const DEV: &str = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
        const PROD: &str = "333333333333.dkr.ecr.eu-west-1.amazonaws.com";
        let mapping = |from: &str, to: &str| RegistryMapping {
            from: Some(env(from)),
            to: Some(env(to)),
            source: RegistryHost::parse(DEV).unwrap(),
            target: RegistryHost::parse(PROD).unwrap(),
        };
        let path = |registries: Vec<RegistryMapping>| {
            PromotionPolicy::new(vec![env("staging"), env("dev"), env("prod")], None)
                .with_registries(registries)
        };
        let dev_image = format!("{DEV}/shop/api:1.3@{D3}");
        let prod_runs = format!("{PROD}/shop/api:1.2@{D2}");
        struct Case {
            why: &'static str,
            registries: Vec<RegistryMapping>,
            source_image: String,
            target_image: String,
            target_account: Option<&'static str>,
            after: String,
            note: Option<String>,
            warning: Option<&'static str>,
        }
        let cross = "prod (account 333333333333) will pull the image of api from dev's registry 111111111111.dkr.ecr.eu-west-1.amazonaws.com in account 111111111111, not from its own account";
        let cases = [
            Case {
                why: "a mapping rewrites the host, same repository and digest",
                registries: vec![mapping("dev", "prod")],
                source_image: dev_image.clone(),
                target_image: prod_runs.clone(),
                target_account: Some("333333333333"),
                after: format!("{PROD}/shop/api@{D3}"),
                note: Some(format!("The image of api is copied to the target's registry reference {PROD} instead of {DEV} (same repository and digest); make sure that repository holds it (ECR replication or a push).")),
                warning: None,
            },
            Case {
                why: "no mapping, the target's account configured",
                registries: vec![],
                source_image: dev_image.clone(),
                target_image: prod_runs.clone(),
                target_account: Some("333333333333"),
                after: format!("{DEV}/shop/api@{D3}"),
                note: None,
                warning: Some(cross),
            },
            Case {
                why: "a mapping for another path does not apply",
                registries: vec![mapping("staging", "prod")],
                source_image: dev_image.clone(),
                target_image: prod_runs.clone(),
                target_account: Some("333333333333"),
                after: format!("{DEV}/shop/api@{D3}"),
                note: None,
                warning: Some("map it in `[promotion] registries` (source = \"111111111111.dkr.ecr.eu-west-1.amazonaws.com\""),
            },
            Case {
                why: "no configured account: the registry the target runs from tells it",
                registries: vec![],
                source_image: dev_image.clone(),
                target_image: prod_runs.clone(),
                target_account: None,
                after: format!("{DEV}/shop/api@{D3}"),
                note: None,
                warning: Some("prod, whose current image comes from account 333333333333's registry, will pull the image of api from dev's registry"),
            },
            Case {
                why: "nothing tells the target's account",
                registries: vec![],
                source_image: dev_image.clone(),
                target_image: format!("registry.example/shop/api@{D2}"),
                target_account: None,
                after: format!("{DEV}/shop/api@{D3}"),
                note: None,
                warning: None,
            },
            Case {
                why: "the same account on both sides",
                registries: vec![],
                source_image: dev_image.clone(),
                target_image: prod_runs.clone(),
                target_account: Some("111111111111"),
                after: format!("{DEV}/shop/api@{D3}"),
                note: None,
                warning: None,
            },
            Case {
                why: "not ECR: left as it is, without a warning",
                registries: vec![mapping("dev", "prod")],
                source_image: format!("ghcr.io/acme/api:1.3@{D3}"),
                target_image: prod_runs.clone(),
                target_account: Some("333333333333"),
                after: format!("ghcr.io/acme/api@{D3}"),
                note: None,
                warning: None,
            },
        ];
        for case in cases {
            let policy = path(case.registries);
            let source = service(
                td(1, 4, &case.source_image, "2026-11-20T00:00:00Z"),
                "2026-11-20T01:00:00Z",
            );
            let target = service(
                td(3, 9, &case.target_image, "2026-11-10T00:00:00Z"),
                "2026-11-11T00:00:00Z",
            );
            let (plan, promoted, _) = plan_promotion(
                &policy,
                &env("dev"),
                &source,
                &[],
                &env("prod"),
                &target,
                case.target_account,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", case.why));
            assert_eq!(plan.changes[0].after, case.after, "{}", case.why);
            assert_eq!(
                promoted.images,
                vec![("api".to_string(), case.after.clone())],
                "{}",
                case.why
            );
            let registry_notes: Vec<&String> = plan
                .notes
                .iter()
                .filter(|n| n.contains("registry reference"))
                .collect();
            assert_eq!(
                registry_notes,
                case.note.iter().collect::<Vec<_>>(),
                "{}",
                case.why
            );
            match case.warning {
                None => assert!(
                    promoted.warnings.is_empty(),
                    "{}: {:?}",
                    case.why,
                    promoted.warnings
                ),
                Some(says) => {
                    assert_eq!(promoted.warnings.len(), 1, "{}", case.why);
                    assert!(
                        promoted.warnings[0].contains(says),
                        "{}: {}",
                        case.why,
                        promoted.warnings[0]
                    );
                }
            }
        }

        // The target already runs the digest from its own registry: nothing would change.
        let source = service(
            td(1, 4, &dev_image, "2026-11-20T00:00:00Z"),
            "2026-11-20T01:00:00Z",
        );
        let target = service(
            td(
                3,
                9,
                &format!("{PROD}/shop/api@{D3}"),
                "2026-11-10T00:00:00Z",
            ),
            "2026-11-11T00:00:00Z",
        );
        let refused = plan_promotion(
            &path(vec![mapping("dev", "prod")]),
            &env("dev"),
            &source,
            &[],
            &env("prod"),
            &target,
            Some("333333333333"),
        )
        .unwrap_err();
        assert!(refused.contains("nothing would change"), "{refused}");
    }

    #[test]
    fn alias_drift_shows_the_version_and_code_each_environment_runs() {
        use crate::domain::functions::{Alias, Function, Functions};
        let descriptor = |id: &str| EnvDescriptor {
            id: env(id),
            name: id.into(),
            region: "eu-west-1".into(),
            account_id: None,
            protected: false,
            refresh_interval_secs: 60,
            scaling: Default::default(),
            approval: Default::default(),
            logs: Default::default(),
        };
        let function = |version: &str, code: &str| Function {
            versions: vec![crate::domain::fixtures::version(version, code)],
            aliases: vec![Alias {
                name: "live".into(),
                version: version.into(),
                weights: Vec::new(),
                description: None,
            }],
            ..crate::domain::fixtures::function("scorer", Some("assess"))
        };
        let details = |f: Function| -> &'static EnvDetails {
            Box::leak(Box::new(EnvDetails {
                functions: Functions {
                    functions: vec![f],
                    ..Default::default()
                },
                ..Default::default()
            }))
        };
        let status: &'static RefreshStatus = Box::leak(Box::new(RefreshStatus::default()));
        let data = |id: &str, d: &'static EnvDetails| EnvData {
            descriptor: Box::leak(Box::new(descriptor(id))),
            status,
            inventory: None,
            details: Some(d),
            summary: None,
        };
        let envs = vec![
            data("dev", details(function("7", "c2NvcmVyLXNldmVu"))),
            data("staging", details(function("4", "c2NvcmVyLXNldmVu"))),
            data("prod", details(function("3", "c2NvcmVyLXRocmVl"))),
        ];
        let columns = vec![env("dev"), env("staging"), env("prod")];
        let rows = alias_drift(&envs, &columns, &DriftQuery::default());
        assert_eq!(rows.len(), 1);
        let cells: Vec<(String, Option<String>, bool)> = rows[0]
            .cells
            .iter()
            .flatten()
            .map(|c| (c.routing.clone(), c.code.clone(), c.differs))
            .collect();
        assert_eq!(
            cells,
            vec![
                ("7".to_string(), Some("c2NvcmVyLXNl".to_string()), false),
                // Another version number, the same code: not a difference.
                ("4".to_string(), Some("c2NvcmVyLXNl".to_string()), false),
                ("3".to_string(), Some("c2NvcmVyLXRo".to_string()), true),
            ]
        );
        let same = vec![
            data("dev", details(function("7", "same"))),
            data("prod", details(function("2", "same"))),
        ];
        let drifted_only = DriftQuery {
            only_drifted: true,
            ..Default::default()
        };
        assert!(alias_drift(&same, &columns, &drifted_only).is_empty());
        assert_eq!(
            alias_drift(&same, &columns, &DriftQuery::default()).len(),
            1
        );
        let other_app = DriftQuery {
            app: Some("billing".into()),
            ..Default::default()
        };
        assert!(alias_drift(&envs, &columns, &other_app).is_empty());
    }

    #[test]
    fn the_drift_table_highlights_environments_that_differ_from_their_source() {
        let descriptor = |id: &str| EnvDescriptor {
            id: env(id),
            name: id.into(),
            region: "eu-west-1".into(),
            account_id: None,
            protected: id == "prod",
            refresh_interval_secs: 60,
            scaling: Default::default(),
            approval: Default::default(),
            logs: Default::default(),
        };
        let inventory = |image: &str, account: u8| EnvInventory {
            services: vec![service(
                td(account, 1, image, "2026-11-01T00:00:00Z"),
                "2026-11-02T00:00:00Z",
            )],
            ..Default::default()
        };
        let (dev, staging, prod) = (descriptor("dev"), descriptor("staging"), descriptor("prod"));
        let status = RefreshStatus::default();
        let (i_dev, i_staging, i_prod) = (
            inventory(&format!("repo/api:1.3@{D3}"), 1),
            // Promoted into staging: pinned without its tag.
            inventory(&format!("repo/api@{D3}"), 2),
            inventory("repo/api:1.2", 3),
        );
        let details = EnvDetails::default();
        let data = |d: &'static EnvDescriptor, i: &'static EnvInventory| EnvData {
            descriptor: d,
            status: Box::leak(Box::new(status.clone())),
            inventory: Some(i),
            details: Some(Box::leak(Box::new(details.clone()))),
            summary: None,
        };
        let leak = |d: EnvDescriptor| -> &'static EnvDescriptor { Box::leak(Box::new(d)) };
        let inv = |i: EnvInventory| -> &'static EnvInventory { Box::leak(Box::new(i)) };
        // Given out of order: the columns follow the promotion order.
        let envs = vec![
            data(leak(prod), inv(i_prod)),
            data(leak(dev), inv(i_dev)),
            data(leak(staging), inv(i_staging)),
        ];
        let policy = PromotionPolicy::default();
        let (columns, rows) = drift_rows(&envs, &policy, &DriftQuery::default());
        assert_eq!(columns, vec![env("dev"), env("staging"), env("prod")]);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert!(row.drifted);
        let differs: Vec<bool> = row.cells.iter().map(DriftCell::differs).collect();
        assert_eq!(differs, vec![false, false, true]);
        assert!(row.cells[2].promotable);
        assert_eq!(row.cells[2].source.as_ref().unwrap().0, env("staging"));
        assert!(!row.cells[1].promotable);
        assert_eq!(
            row.cells[1].version.as_ref().unwrap().label(),
            "1.3",
            "the tag dev runs the digest under"
        );

        let only_prod = DriftQuery {
            env: Some(env("prod")),
            ..Default::default()
        };
        assert_eq!(drift_rows(&envs, &policy, &only_prod).1.len(), 1);
        let other_app = DriftQuery {
            app: Some("billing".into()),
            ..Default::default()
        };
        assert!(drift_rows(&envs, &policy, &other_app).1.is_empty());
    }
}
