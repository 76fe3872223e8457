//! Text bound for chat webhooks: person-written (and AWS-sourced) text with chat markup
//! neutralised, so a reason, a comment or an alarm name cannot ping a channel, mention people
//! or disguise a link in a notice.

/// The words chat tools expand to "everyone here" after a bare `@`.
const BROADCASTS: [&str; 4] = ["here", "channel", "everyone", "all"];

/// A zero-width space: invisible, and enough to keep `@here` from being read as a mention.
const BREAK: char = '\u{200B}';

/// `text` as plain words inside a Slack-compatible message. `&`, `<` and `>` are escaped the
/// way Slack expects, so `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>`,
/// `<#C…>` and `<https://…|masked>` links stay literal text; `@here`, `@channel`,
/// `@everyone` and `@all` (which Mattermost, Discord and Slack with `link_names` expand) get a
/// zero-width space after the `@`.
pub fn neutralise_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' if is_broadcast(&text[i + 1..]) => {
                out.push('@');
                out.push(BREAK);
            }
            c => out.push(c),
        }
    }
    out
}

/// `rest` (what follows an `@`) starts with a broadcast word that ends there.
fn is_broadcast(rest: &str) -> bool {
    BROADCASTS.iter().any(|word| {
        rest.get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
            && !rest[word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_markup_in_person_written_text_stays_text() {
        let cases = [
            ("traffic peak expected", "traffic peak expected"),
            ("<!channel> approve now", "&lt;!channel&gt; approve now"),
            ("<!here>", "&lt;!here&gt;"),
            ("<!everyone>", "&lt;!everyone&gt;"),
            ("<!subteam^S0123|ops>", "&lt;!subteam^S0123|ops&gt;"),
            ("ping <@U024BE7LH>", "ping &lt;@U024BE7LH&gt;"),
            ("see <#C024BE7LR>", "see &lt;#C024BE7LR&gt;"),
            (
                "<https://evil.example|the runbook>",
                "&lt;https://evil.example|the runbook&gt;",
            ),
            ("&lt;!channel&gt;", "&amp;lt;!channel&amp;gt;"),
            ("A & B", "A &amp; B"),
            ("@here", "@\u{200B}here"),
            ("cc @channel, please", "cc @\u{200B}channel, please"),
            ("@Everyone!", "@\u{200B}Everyone!"),
            ("@all", "@\u{200B}all"),
            ("x@here", "x@\u{200B}here"),
            ("@heres-the-thing", "@heres-the-thing"),
            ("@allison", "@allison"),
            ("@here_team", "@here_team"),
            ("ops@example.com", "ops@example.com"),
            ("cc @olga", "cc @olga"),
            ("@", "@"),
            ("ünïcödé @ℌere", "ünïcödé @ℌere"),
        ];
        for (input, expected) in cases {
            assert_eq!(neutralise_mentions(input), expected, "{input:?}");
        }
    }
}
