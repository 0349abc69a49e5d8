//! Helpers on the message types for reasoning models: the Qwen3 `/think` / `/no_think` soft
//! switch and removing old reasoning from history.

use std::ops::Range;

use super::{Message, Role};

const THINK: &str = "/think";
const NO_THINK: &str = "/no_think";

/// Puts the Qwen3 soft switch (`/think` when `enable`, else `/no_think`) on the most recent
/// system or user message; returns `false` (changing nothing) when there is none.
///
/// The switch is appended at the end of the message, after a single space (no space when the
/// message is empty). Any `/think` or `/no_think` already in that message, as a
/// whitespace-separated word, is removed first together with one adjacent space, so applying the
/// switch again replaces it instead of stacking: the result is the same after one call as after
/// many.
///
/// ```
/// use ollama_proto::types::soft_switch::apply_soft_switch;
/// use ollama_proto::types::Message;
///
/// let mut history = vec![Message::system("Be brief."), Message::user("Why is the sky blue?")];
/// assert!(apply_soft_switch(&mut history, false));
/// assert_eq!(history[1].content, "Why is the sky blue? /no_think");
/// assert!(apply_soft_switch(&mut history, true));
/// assert_eq!(history[1].content, "Why is the sky blue? /think");
/// assert_eq!(history[0].content, "Be brief.");
/// ```
pub fn apply_soft_switch(messages: &mut [Message], enable: bool) -> bool {
    let Some(message) = messages
        .iter_mut()
        .rev()
        .find(|m| matches!(m.role, Role::System | Role::User))
    else {
        return false;
    };
    let text = &mut message.content;
    while let Some(found) = find_switch(text) {
        text.replace_range(with_one_space(text, found), "");
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(if enable { THINK } else { NO_THINK });
    true
}

/// Removes leading `<think>…</think>` blocks, and the whitespace around them, from the content of
/// assistant messages that come before the last user message, as the server's
/// `filterThinkTags` does for qwen3 and deepseek-r1 before rendering history.
///
/// Like the server, assistant messages after the last user message (the turn in progress, e.g.
/// during a tool-call loop) are left alone, and so is everything when there is no user message.
/// Unlike the server, only *terminated* blocks are removed (an unclosed `<think>` leaves the
/// message as it is rather than emptying it), and several consecutive leading blocks are all
/// removed. The `thinking` field is not touched.
///
/// ```
/// use ollama_proto::types::soft_switch::strip_think_blocks;
/// use ollama_proto::types::Message;
///
/// let mut history = vec![
///     Message::user("Hi"),
///     Message::assistant("<think>\nGreet back.\n</think>\n\nHello!"),
///     Message::user("Thanks"),
/// ];
/// strip_think_blocks(&mut history);
/// assert_eq!(history[1].content, "Hello!");
/// ```
pub fn strip_think_blocks(messages: &mut [Message]) {
    let Some(last_user) = messages.iter().rposition(|m| m.role == Role::User) else {
        return;
    };
    for message in &mut messages[..last_user] {
        if message.role == Role::Assistant {
            strip_leading_blocks(&mut message.content);
        }
    }
}

pub(crate) fn strip_leading_blocks(text: &mut String) {
    const OPEN: &str = "<think>";
    const CLOSE: &str = "</think>";
    let mut cut = 0;
    loop {
        let rest = text[cut..].trim_start();
        let Some(inner) = rest.strip_prefix(OPEN) else {
            break;
        };
        let Some(end) = inner.find(CLOSE) else {
            break;
        };
        let after = inner[end + CLOSE.len()..].trim_start();
        cut = text.len() - after.len();
    }
    if cut > 0 {
        text.replace_range(..cut, "");
    }
}

/// The byte range of the first whitespace-separated word that is a soft switch.
fn find_switch(text: &str) -> Option<Range<usize>> {
    let mut start = None;
    let ends = text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')));
    for (i, c) in ends {
        if !c.is_whitespace() {
            start = start.or(Some(i));
        } else if let Some(s) = start.take() {
            if matches!(&text[s..i], THINK | NO_THINK) {
                return Some(s..i);
            }
        }
    }
    None
}

/// Widens a word's range by the single space this module puts before a switch (or, for a word
/// at the very start, after it).
fn with_one_space(text: &str, word: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    if word.start > 0 && bytes.get(word.start - 1) == Some(&b' ') {
        word.start - 1..word.end
    } else if word.start == 0 && bytes.get(word.end) == Some(&b' ') {
        0..word.end + 1
    } else {
        word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_switch_table() {
        #[rustfmt::skip]
        let cases: &[(&str, bool, &str)] = &[
            ("Hi", true, "Hi /think"),
            ("Hi", false, "Hi /no_think"),
            ("", true, "/think"),
            ("Hi /think", false, "Hi /no_think"),
            ("Hi /no_think", false, "Hi /no_think"),
            ("Hi /think /no_think", true, "Hi /think"),
            ("/no_think Hi", true, "Hi /think"),
            ("a /think\nb", false, "a\nb /no_think"),
            ("Hi\n", true, "Hi\n /think"),
            ("Hi\n /think", true, "Hi\n /think"),
            ("use /think/ or /thinking", true, "use /think/ or /thinking /think"),
            ("日本 /think", false, "日本 /no_think"),
        ];
        for &(content, enable, want) in cases {
            let mut msgs = vec![Message::user(content)];
            assert!(apply_soft_switch(&mut msgs, enable));
            assert_eq!(msgs[0].content, want, "{content:?}");
            // Idempotent.
            assert!(apply_soft_switch(&mut msgs, enable));
            assert_eq!(msgs[0].content, want, "{content:?} twice");
        }
    }

    #[test]
    fn soft_switch_picks_the_latest_system_or_user_message() {
        let mut msgs = vec![
            Message::system("S"),
            Message::user("U1"),
            Message::assistant("A"),
            Message::new(Role::Tool, "T"),
        ];
        assert!(apply_soft_switch(&mut msgs, false));
        let contents: Vec<_> = msgs.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(contents, ["S", "U1 /no_think", "A", "T"]);

        let mut only_system = vec![Message::system("S"), Message::assistant("A")];
        assert!(apply_soft_switch(&mut only_system, true));
        assert_eq!(only_system[0].content, "S /think");

        let mut none = vec![Message::assistant("A")];
        assert!(!apply_soft_switch(&mut none, true));
        assert_eq!(none[0].content, "A");
        assert!(!apply_soft_switch(&mut [], true));
    }

    #[test]
    fn strip_table() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("<think>a</think>b", "b"),
            ("  \n<think>\na\n</think>\n\nb", "b"),
            ("<think>a</think><think>b</think>\nc", "c"),
            ("<think>a</think>b<think>c</think>", "b<think>c</think>"),
            ("<think>unclosed", "<think>unclosed"),
            ("no block", "no block"),
            ("  keep leading space", "  keep leading space"),
            ("answer <think>x</think>", "answer <think>x</think>"),
            ("<think>x</think>", ""),
            ("<think>é</think>ü", "ü"),
        ];
        for &(content, want) in cases {
            let mut msgs = vec![Message::assistant(content), Message::user("next")];
            strip_think_blocks(&mut msgs);
            assert_eq!(msgs[0].content, want, "{content:?}");
            assert_eq!(msgs[1].content, "next");
        }
    }

    #[test]
    fn strip_leaves_other_messages_and_the_current_turn() {
        let block = "<think>x</think>y";
        let mut msgs = vec![
            Message::system(block),
            Message::user(block),
            Message::assistant(block),
            Message::user(block),
            Message::assistant(block),
            Message::new(Role::Tool, block),
        ];
        strip_think_blocks(&mut msgs);
        let contents: Vec<_> = msgs.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(contents, [block, block, "y", block, block, block]);

        let mut no_user = vec![Message::assistant(block)];
        strip_think_blocks(&mut no_user);
        assert_eq!(no_user[0].content, block);
    }
}
