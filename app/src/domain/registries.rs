//! Where a promoted image is pulled from, as pure rules: the registry host of an image reference,
//! the AWS account and region of an Amazon ECR private registry
//! (`<account>.dkr.ecr.<region>.amazonaws.com`, `.amazonaws.com.cn`, the FIPS and dual-stack
//! names), the `[promotion] registries` mappings ("images from this registry are found in the
//! target as that one"), and the rule a promotion follows for each pinned image: rewritten to
//! the target's registry (same repository and digest) when a mapping matches, kept as it is
//! otherwise — with a warning when the target would pull from another account's ECR registry.

use super::ids::EnvId;
use serde::{Deserialize, Serialize};

/// A container registry's host as configured: `host` or `host:port`, lower-case, without a
/// scheme or a path (`111111111111.dkr.ecr.eu-west-1.amazonaws.com`, `ghcr.io`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistryHost(String);

impl RegistryHost {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("a registry host must not be empty".into());
        }
        if text.contains("://") {
            return Err(format!(
                "{text:?} has a scheme: give the registry host alone, e.g. 111111111111.dkr.ecr.eu-west-1.amazonaws.com"
            ));
        }
        if text.contains('/') {
            return Err(format!(
                "{text:?} has a path: give the registry host alone, without the repository"
            ));
        }
        if text.contains('@') {
            return Err(format!(
                "{text:?} is not a registry host: give the host alone, without a digest"
            ));
        }
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        if let Some(port) = port {
            if !port.parse::<u16>().is_ok_and(|p| p > 0) {
                return Err(format!(
                    "{text:?} is not a registry host: the port after ':' must be a number from 1 to 65535"
                ));
            }
        }
        let labels_ok = host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(format!(
                "{text:?} is not a registry host: a host name is dot-separated labels of letters, digits and '-'"
            ));
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `host` (as an image reference spells it) is this registry.
    pub fn is(&self, host: &str) -> bool {
        self.0.eq_ignore_ascii_case(host)
    }
}

impl std::fmt::Display for RegistryHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An Amazon ECR private registry: whose account it is and in which region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRegistry {
    pub account: String,
    pub region: String,
}

/// Reads an ECR private registry host: `<account>.dkr.ecr.<region>.amazonaws.com` (also
/// `.amazonaws.com.cn` and `dkr.ecr-fips`) or the dual-stack `<account>.dkr-ecr.<region>.on.aws`.
/// `None` for every other registry (Docker Hub, ghcr.io, ECR Public, a company registry).
pub fn ecr_registry(host: &str) -> Option<EcrRegistry> {
    let host = host.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let (account, region) = match labels.as_slice() {
        [account, "dkr", "ecr" | "ecr-fips", region, "amazonaws", "com"]
        | [account, "dkr", "ecr" | "ecr-fips", region, "amazonaws", "com", "cn"]
        | [account, "dkr-ecr", region, "on", "aws"] => (*account, *region),
        _ => return None,
    };
    let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (account_ok && region_ok).then(|| EcrRegistry {
        account: account.to_string(),
        region: region.to_string(),
    })
}

/// The registry host an image reference names, by the rule container runtimes follow: a first
/// path part with a dot, a colon or `localhost` is a host; otherwise the image is Docker Hub's
/// (`None`).
pub fn image_registry(image: &str) -> Option<&str> {
    let name = image.split_once('@').map_or(image, |(name, _)| name);
    let (first, _) = name.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

/// One `[[promotion.registries]]` entry: images from the registry `source` are found, for a
/// promotion from `from` into `to` (either left out: any), in the registry `target` under the
/// same repository and digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryMapping {
    pub from: Option<EnvId>,
    pub to: Option<EnvId>,
    pub source: RegistryHost,
    pub target: RegistryHost,
}

impl RegistryMapping {
    /// Whether the mapping covers promoting an image of `host` from `from` into `to`, and how
    /// closely: both environments named 3, only the target 2, only the source 1, neither 0.
    fn matches(&self, from: &EnvId, to: &EnvId, host: &str) -> Option<u8> {
        let from_ok = self.from.as_ref().is_none_or(|f| f == from);
        let to_ok = self.to.as_ref().is_none_or(|t| t == to);
        (from_ok && to_ok && self.source.is(host))
            .then(|| u8::from(self.to.is_some()) * 2 + u8::from(self.from.is_some()))
    }

    /// Which promotions it covers, in words: `dev → prod`, `into prod`, `from dev`, `every
    /// promotion`.
    pub fn scope(&self) -> String {
        match (&self.from, &self.to) {
            (Some(f), Some(t)) => format!("{f} → {t}"),
            (None, Some(t)) => format!("into {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, None) => "every promotion".to_string(),
        }
    }

    /// Whether two mappings would both apply to the same promotions of the same registry.
    pub fn same_scope(&self, other: &RegistryMapping) -> bool {
        self.from == other.from && self.to == other.to && self.source == other.source
    }
}

impl std::fmt::Display for RegistryMapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} → {} ({})", self.source, self.target, self.scope())
    }
}

/// The mapping that applies to an image of `host` promoted from `from` into `to`: the one
/// naming the most of the two environments (both, then the target, then the source, then
/// neither).
pub fn find_mapping<'a>(
    mappings: &'a [RegistryMapping],
    from: &EnvId,
    to: &EnvId,
    host: &str,
) -> Option<&'a RegistryMapping> {
    mappings
        .iter()
        .filter_map(|m| m.matches(from, to, host).map(|rank| (rank, m)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, m)| m)
}

/// How the console knows the account a promotion's target runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetAccount<'a> {
    /// From its configuration (`account_id`, or the account of its `role_arn`).
    Configured(&'a str),
    /// Not configured: the account of the ECR registry the target's container pulls from now.
    RunsFrom(&'a str),
    /// Nothing tells.
    Unknown,
}

impl<'a> TargetAccount<'a> {
    /// The configured account, else the ECR account of `current_image` (the container's image
    /// in the target's revision).
    pub fn of(configured: Option<&'a str>, current_image: &'a str) -> Self {
        match configured {
            Some(account) => Self::Configured(account),
            None => image_registry(current_image)
                .and_then(|host| {
                    ecr_registry(host).map(|ecr| {
                        // Borrowed from the image itself: the account is its first label.
                        &host[..ecr.account.len()]
                    })
                })
                .map_or(Self::Unknown, Self::RunsFrom),
        }
    }
}

/// Where the target will pull one promoted image from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// As the source pulls it: not an ECR private registry, one in the target's own account, or
    /// the target's account is not known.
    AsIs { image: String },
    /// Rewritten by a mapping to the target's registry: same repository and digest.
    Mapped {
        image: String,
        source: RegistryHost,
        target: RegistryHost,
    },
    /// Kept as it is, from an ECR registry of another account than the target's, with no
    /// mapping: the target would pull across accounts.
    OtherAccount {
        image: String,
        registry: String,
        registry_account: String,
        target_account: String,
        /// The target's account was read from its current image, not its configuration.
        inferred: bool,
    },
}

impl Placement {
    /// The image reference the target's new revision gets.
    pub fn image(&self) -> &str {
        match self {
            Placement::AsIs { image }
            | Placement::Mapped { image, .. }
            | Placement::OtherAccount { image, .. } => image,
        }
    }
}

/// Where the target pulls `pinned` (`host/repo@sha256:…`, promoted from `from` into `to`) from:
/// rewritten to the mapped registry when a mapping covers its host, else as it is — flagged when
/// it is an ECR registry of another account than `target`'s.
pub fn place_image(
    mappings: &[RegistryMapping],
    from: &EnvId,
    to: &EnvId,
    pinned: &str,
    target: TargetAccount<'_>,
) -> Placement {
    let Some(host) = image_registry(pinned) else {
        return Placement::AsIs {
            image: pinned.to_string(),
        };
    };
    if let Some(mapping) = find_mapping(mappings, from, to, host) {
        return Placement::Mapped {
            image: format!("{}{}", mapping.target, &pinned[host.len()..]),
            source: mapping.source.clone(),
            target: mapping.target.clone(),
        };
    }
    let (target_account, inferred) = match target {
        TargetAccount::Configured(account) => (account, false),
        TargetAccount::RunsFrom(account) => (account, true),
        TargetAccount::Unknown => {
            return Placement::AsIs {
                image: pinned.to_string(),
            }
        }
    };
    match ecr_registry(host) {
        Some(ecr) if ecr.account != target_account => Placement::OtherAccount {
            image: pinned.to_string(),
            registry: host.to_string(),
            registry_account: ecr.account,
            target_account: target_account.to_string(),
            inferred,
        },
        _ => Placement::AsIs {
            image: pinned.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:abababababababababababababababababababababababababababababababab";
    const DEV: &str = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    const STAGING: &str = "222222222222.dkr.ecr.eu-west-1.amazonaws.com";
    const PROD: &str = "333333333333.dkr.ecr.eu-west-1.amazonaws.com";

    fn env(id: &str) -> EnvId {
        EnvId::parse(id).unwrap()
    }

    fn host(text: &str) -> RegistryHost {
        RegistryHost::parse(text).unwrap()
    }

    fn mapping(
        from: Option<&str>,
        to: Option<&str>,
        source: &str,
        target: &str,
    ) -> RegistryMapping {
        RegistryMapping {
            from: from.map(env),
            to: to.map(env),
            source: host(source),
            target: host(target),
        }
    }

    #[test]
    fn registry_hosts_are_a_host_alone() {
        let cases = [
            (DEV, Ok(DEV)),
            ("GHCR.io", Ok("ghcr.io")),
            ("registry.example:5000", Ok("registry.example:5000")),
            ("localhost:5000", Ok("localhost:5000")),
            ("", Err("must not be empty")),
            ("https://ghcr.io", Err("has a scheme")),
            ("ghcr.io/acme", Err("has a path")),
            ("ghcr.io/", Err("has a path")),
            ("ghcr.io:http", Err("the port")),
            ("ghcr.io:0", Err("the port")),
            ("ghcr..io", Err("dot-separated labels")),
            ("-ghcr.io", Err("dot-separated labels")),
            ("ghcr_io", Err("dot-separated labels")),
            ("ghcr.io@sha256:aa", Err("without a digest")),
        ];
        for (text, expected) in cases {
            match (RegistryHost::parse(text), expected) {
                (Ok(h), Ok(want)) => assert_eq!(h.as_str(), want, "{text}"),
                (Err(e), Err(want)) => assert!(e.contains(want), "{text}: {e}"),
                (got, want) => panic!("{text}: {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn ecr_registries_tell_their_account_and_region() {
        let ecr = |account: &str, region: &str| {
            Some(EcrRegistry {
                account: account.into(),
                region: region.into(),
            })
        };
        let cases = [
            (DEV, ecr("111111111111", "eu-west-1")),
            (
                "444444444444.dkr.ecr.cn-north-1.amazonaws.com.cn",
                ecr("444444444444", "cn-north-1"),
            ),
            (
                "555555555555.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
                ecr("555555555555", "us-gov-west-1"),
            ),
            (
                "666666666666.dkr-ecr.eu-central-1.on.aws",
                ecr("666666666666", "eu-central-1"),
            ),
            (
                "111111111111.DKR.ECR.eu-west-1.AMAZONAWS.com",
                ecr("111111111111", "eu-west-1"),
            ),
            // Not an account, not ECR, not private.
            ("1111.dkr.ecr.eu-west-1.amazonaws.com", None),
            ("11111111111a.dkr.ecr.eu-west-1.amazonaws.com", None),
            ("111111111111.dkr.ecr..amazonaws.com", None),
            (
                "111111111111.dkr.ecr.eu-west-1.amazonaws.com.evil.example",
                None,
            ),
            ("public.ecr.aws", None),
            ("ghcr.io", None),
            ("registry.example:5000", None),
        ];
        for (host, expected) in cases {
            assert_eq!(ecr_registry(host), expected, "{host}");
        }
    }

    #[test]
    fn an_image_names_its_registry_only_with_a_host_part() {
        let cases = [
            (format!("{DEV}/shop/web@{D}"), Some(DEV)),
            (format!("{DEV}/shop/web:1.2@{D}"), Some(DEV)),
            ("ghcr.io/acme/api:1".to_string(), Some("ghcr.io")),
            ("localhost/api:1".to_string(), Some("localhost")),
            (
                "registry.example:5000/api".to_string(),
                Some("registry.example:5000"),
            ),
            // Docker Hub: a bare name or a user/name.
            (format!("nginx@{D}"), None),
            ("library/nginx:1.27".to_string(), None),
            ("acme/api:1".to_string(), None),
        ];
        for (image, expected) in cases {
            assert_eq!(image_registry(&image), expected, "{image}");
        }
    }

    #[test]
    fn the_most_specific_mapping_wins() {
        let mappings = vec![
            mapping(None, None, DEV, "any.example"),
            mapping(Some("dev"), None, DEV, "from-dev.example"),
            mapping(None, Some("prod"), DEV, "into-prod.example"),
            mapping(Some("dev"), Some("prod"), DEV, PROD),
            mapping(Some("staging"), Some("prod"), STAGING, PROD),
        ];
        let cases = [
            ("dev", "prod", DEV, Some(PROD)),
            ("staging", "prod", DEV, Some("into-prod.example")),
            ("dev", "staging", DEV, Some("from-dev.example")),
            ("qa", "staging", DEV, Some("any.example")),
            ("staging", "prod", STAGING, Some(PROD)),
            ("dev", "prod", STAGING, None),
            ("dev", "prod", "ghcr.io", None),
        ];
        for (from, to, source, expected) in cases {
            let found = find_mapping(&mappings, &env(from), &env(to), source);
            assert_eq!(
                found.map(|m| m.target.as_str()),
                expected,
                "{from} → {to} of {source}"
            );
        }
        assert_eq!(
            mappings[3].to_string(),
            format!("{DEV} → {PROD} (dev → prod)")
        );
        assert_eq!(mappings[0].scope(), "every promotion");
        assert_eq!(mappings[1].scope(), "from dev");
        assert_eq!(mappings[2].scope(), "into prod");
    }

    #[test]
    fn a_promoted_image_moves_to_the_mapped_registry_or_is_flagged_across_accounts() {
        let mappings = vec![mapping(Some("dev"), Some("prod"), DEV, PROD)];
        let dev_image = format!("{DEV}/shop/web@{D}");
        let as_is = |image: &str| Placement::AsIs {
            image: image.to_string(),
        };
        let other = |target: &str, inferred: bool| Placement::OtherAccount {
            image: dev_image.clone(),
            registry: DEV.to_string(),
            registry_account: "111111111111".to_string(),
            target_account: target.to_string(),
            inferred,
        };
        let prod_current = format!("{PROD}/shop/web:1.0");
        let cases = [
            // The mapping: same repository and digest, the target's registry.
            (
                "dev",
                "prod",
                dev_image.clone(),
                TargetAccount::Configured("333333333333"),
                Placement::Mapped {
                    image: format!("{PROD}/shop/web@{D}"),
                    source: host(DEV),
                    target: host(PROD),
                },
            ),
            // The host matches whatever its case.
            (
                "dev",
                "prod",
                format!("111111111111.DKR.ecr.eu-west-1.amazonaws.com/shop/web@{D}"),
                TargetAccount::Unknown,
                Placement::Mapped {
                    image: format!("{PROD}/shop/web@{D}"),
                    source: host(DEV),
                    target: host(PROD),
                },
            ),
            // No mapping for this path: another account's registry is flagged.
            (
                "dev",
                "staging",
                dev_image.clone(),
                TargetAccount::Configured("222222222222"),
                other("222222222222", false),
            ),
            // The target's account read from what it runs now.
            (
                "dev",
                "staging",
                dev_image.clone(),
                TargetAccount::of(None, &prod_current),
                other("333333333333", true),
            ),
            // Same account (a shared registry, or one account for both): nothing to say.
            (
                "dev",
                "staging",
                dev_image.clone(),
                TargetAccount::Configured("111111111111"),
                as_is(&dev_image),
            ),
            // Nothing tells the target's account: nothing to compare.
            (
                "dev",
                "staging",
                dev_image.clone(),
                TargetAccount::of(None, "registry.example/shop/web:1.0"),
                as_is(&dev_image),
            ),
            // Not ECR: left as it is, no warning.
            (
                "dev",
                "staging",
                format!("ghcr.io/acme/web@{D}"),
                TargetAccount::Configured("222222222222"),
                as_is(&format!("ghcr.io/acme/web@{D}")),
            ),
            (
                "dev",
                "staging",
                format!("acme/web@{D}"),
                TargetAccount::Configured("222222222222"),
                as_is(&format!("acme/web@{D}")),
            ),
        ];
        for (from, to, image, target, expected) in cases {
            let placed = place_image(&mappings, &env(from), &env(to), &image, target);
            assert_eq!(placed, expected, "{from} → {to}: {image}");
        }
        assert_eq!(
            TargetAccount::of(Some("333333333333"), "ghcr.io/acme/web:1"),
            TargetAccount::Configured("333333333333")
        );
    }
}
