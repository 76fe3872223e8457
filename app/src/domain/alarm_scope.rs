//! Which CloudWatch alarms an environment shows (`[environments.alarms]`): name prefixes to keep
//! or leave out, and tags an alarm must carry or must not. Accounts shared with other teams hold
//! alarms that are not this console's business; left out here, they open no incident and count
//! toward no health.

use serde::{Deserialize, Serialize};

/// The configured scope; empty lists keep every alarm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmScope {
    /// Keep only alarms whose name starts with one of these (empty: every name).
    pub include_prefixes: Vec<String>,
    /// Leave out alarms whose name starts with one of these.
    pub exclude_prefixes: Vec<String>,
    /// Keep only alarms carrying every one of these tags (`key`, `value`).
    pub require_tags: Vec<(String, String)>,
    /// Leave out alarms carrying any one of these tags.
    pub exclude_tags: Vec<(String, String)>,
}

impl AlarmScope {
    /// Whether deciding needs the alarms' tags (read only then: one call per alarm, cached).
    pub fn needs_tags(&self) -> bool {
        !self.require_tags.is_empty() || !self.exclude_tags.is_empty()
    }

    /// Whether the name alone already leaves the alarm out.
    pub fn excludes_name(&self, name: &str) -> bool {
        (!self.include_prefixes.is_empty()
            && !self
                .include_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str())))
            || self
                .exclude_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str()))
    }

    /// Whether an alarm with this name and these tags is shown.
    pub fn admits(&self, name: &str, tags: &[(String, String)]) -> bool {
        let has = |(k, v): &(String, String)| tags.iter().any(|(tk, tv)| tk == k && tv == v);
        !self.excludes_name(name)
            && self.require_tags.iter().all(has)
            && !self.exclude_tags.iter().any(has)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn prefixes_and_tags_decide_which_alarms_an_environment_shows() {
        let everything = AlarmScope::default();
        let ours = AlarmScope {
            include_prefixes: vec!["shop-".into(), "billing-".into()],
            exclude_prefixes: vec!["shop-canary-".into()],
            require_tags: vec![tag("team", "payments")],
            exclude_tags: vec![tag("quarterdeck", "ignore")],
        };
        let payments = [tag("team", "payments")];
        let ignored = [tag("team", "payments"), tag("quarterdeck", "ignore")];
        type Case<'a> = (&'a AlarmScope, &'a str, &'a [(String, String)], bool);
        let table: &[Case] = &[
            (&everything, "anything-at-all", &[], true),
            (&ours, "shop-web-cpu", &payments, true),
            (&ours, "billing-api-5xx", &payments, true),
            (&ours, "search-cpu", &payments, false),
            (&ours, "shop-canary-cpu", &payments, false),
            (&ours, "shop-web-cpu", &[], false),
            (&ours, "shop-web-cpu", &ignored, false),
        ];
        for (scope, name, tags, shown) in table {
            assert_eq!(scope.admits(name, tags), *shown, "{name} {tags:?}");
        }
        assert!(!everything.needs_tags() && ours.needs_tags());
    }
}
