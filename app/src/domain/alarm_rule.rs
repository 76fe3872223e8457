//! Composite alarms' rules (`ALARM("db-cpu") AND NOT OK(web-5xx)`): the alarms a rule names,
//! so a composite alarm is attributed to the service and app its children watch.
//!
//! CloudWatch's rule language: the state functions `ALARM`, `OK` and `INSUFFICIENT_DATA` take one
//! alarm, by name (quoted or bare) or by ARN; `AT_LEAST(M, STATE, (a, b, …))` takes a list;
//! `AND`, `OR`, `NOT`, parentheses, `TRUE` and `FALSE` combine them.

/// The state functions that name alarms.
const STATES: [&str; 3] = ["ALARM", "OK", "INSUFFICIENT_DATA"];

/// The alarm a rule's argument names: a quoted or bare name, or the name at the end of an ARN.
fn alarm_name(arg: &str) -> Option<String> {
    let arg = arg.trim();
    let arg = arg
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .unwrap_or(arg)
        .trim();
    let name = match arg.strip_prefix("arn:") {
        Some(_) => arg.split_once(":alarm:").map(|(_, name)| name)?,
        None => arg,
    };
    (!name.is_empty()).then(|| name.to_string())
}

/// Splits `text` at top-level commas (outside quotes and parentheses).
fn split_args(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// The text between the parenthesis at `open` and its match, or `None` when unbalanced.
fn enclosed(text: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in text[open..].char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[open + 1..open + i], open + i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// The alarms `rule` names, in order of first mention, each once.
pub fn children(rule: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: Option<String>| {
        if let Some(name) = name {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    };
    let mut i = 0;
    let bytes = rule.as_bytes();
    while i < rule.len() {
        // A word starts here when the previous character is not part of one.
        let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if bytes[i] == b'"' {
            // Skip quoted text outside a function (cannot name a function).
            i += rule[i + 1..].find('"').map_or(rule.len(), |end| end + 2);
            continue;
        }
        if !starts_word {
            i += 1;
            continue;
        }
        let rest = &rule[i..];
        let function = STATES
            .iter()
            .chain(std::iter::once(&"AT_LEAST"))
            .find(|f| rest.starts_with(**f) && rest[f.len()..].trim_start().starts_with('('));
        let Some(function) = function else {
            i += 1;
            continue;
        };
        let open = i
            + function.len()
            + (rest[function.len()..].len() - rest[function.len()..].trim_start().len());
        let Some((inside, after)) = enclosed(rule, open) else {
            break;
        };
        if *function == "AT_LEAST" {
            // AT_LEAST(M, STATE, (a, b, …))
            if let Some(list) = split_args(inside).get(2) {
                let list = list.trim();
                let list = list
                    .strip_prefix('(')
                    .and_then(|l| l.strip_suffix(')'))
                    .unwrap_or(list);
                for arg in split_args(list) {
                    push(alarm_name(arg));
                }
            }
        } else {
            push(alarm_name(inside));
        }
        i = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_names_its_child_alarms() {
        let cases: &[(&str, &[&str])] = &[
            (r#"ALARM("shop-web-5xx")"#, &["shop-web-5xx"]),
            (
                "ALARM(shop-web-5xx) OR ALARM(shop-db-cpu)",
                &["shop-web-5xx", "shop-db-cpu"],
            ),
            (
                r#"ALARM("shop-web-5xx") AND NOT (OK("shop-db-cpu") OR INSUFFICIENT_DATA("shop-db-cpu"))"#,
                &["shop-web-5xx", "shop-db-cpu"],
            ),
            (
                "ALARM(arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-latency) AND TRUE",
                &["checkout-latency"],
            ),
            (
                r#"AT_LEAST(2, ALARM, ("a-1", "a-2", arn:aws:cloudwatch:eu-west-1:1:alarm:a-3))"#,
                &["a-1", "a-2", "a-3"],
            ),
            (r#"ALARM( "spaced name" )"#, &["spaced name"]),
            (
                r#"ALARM("with (parens) and, commas")"#,
                &["with (parens) and, commas"],
            ),
            ("TRUE", &[]),
            ("MY_ALARM(x) OR NOTALARM(y)", &[]),
            ("ALARM(unclosed", &[]),
            ("", &[]),
        ];
        for (rule, want) in cases {
            assert_eq!(children(rule), *want, "{rule}");
        }
    }
}
