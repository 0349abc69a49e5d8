//! Opted-in prompt and answer text, in the conventions' message format, every text bounded.

use serde_json::{Value, json};

use super::request_view::{EmbedInput, RequestText};

/// `text` cut at `max` bytes (at a character boundary, marked with `…`).
pub(super) fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + 3);
    out.push_str(&text[..end]);
    out.push('…');
    out
}

fn text_part(text: &str, max: usize) -> Value {
    json!({"type": "text", "content": bounded(text, max)})
}

/// `gen_ai.input.messages` and `gen_ai.system_instructions` of a request, as JSON texts.
pub(super) fn input(text: &RequestText, max: usize) -> (Option<String>, Option<String>) {
    let mut messages = Vec::new();
    for m in &text.messages {
        messages.push(json!({"role": m.role, "parts": [text_part(&m.content, max)]}));
    }
    if let Some(prompt) = &text.prompt {
        messages.push(json!({"role": "user", "parts": [text_part(prompt, max)]}));
    }
    match &text.input {
        Some(EmbedInput::One(s)) => {
            messages.push(json!({"role": "user", "parts": [text_part(s, max)]}));
        }
        Some(EmbedInput::Many(v)) => {
            let parts: Vec<Value> = v.iter().map(|s| text_part(s, max)).collect();
            messages.push(json!({"role": "user", "parts": parts}));
        }
        None => {}
    }
    let system = text
        .system
        .as_deref()
        .map(|s| Value::Array(vec![text_part(s, max)]).to_string());
    let messages = (!messages.is_empty()).then(|| Value::Array(messages).to_string());
    (messages, system)
}

/// `gen_ai.output.messages` of one answer, as a JSON text.
pub(super) fn output(
    content: &str,
    reasoning: &str,
    finish_reason: Option<&str>,
    max: usize,
) -> String {
    let mut parts = Vec::new();
    if !reasoning.is_empty() {
        parts.push(json!({"type": "reasoning", "content": bounded(reasoning, max)}));
    }
    parts.push(text_part(content, max));
    let mut message = json!({"role": "assistant", "parts": parts});
    if let Some(reason) = finish_reason {
        message["finish_reason"] = Value::from(reason);
    }
    Value::Array(vec![message]).to_string()
}

/// Streamed text kept for capture: at most `max` bytes of each kind (the rest is counted as
/// cut, not kept).
#[derive(Debug, Default)]
pub(super) struct Captured {
    pub(super) content: String,
    pub(super) reasoning: String,
}

impl Captured {
    pub(super) fn push(buffer: &mut String, piece: &str, max: usize) {
        // One byte past the bound marks the text as cut; `bounded` does the rest at the end.
        let room = (max + 1).saturating_sub(buffer.len());
        if room == 0 {
            return;
        }
        let mut end = room.min(piece.len());
        while !piece.is_char_boundary(end) {
            end -= 1;
        }
        buffer.push_str(&piece[..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_at_a_character_boundary() {
        assert_eq!(bounded("héllo", 10), "héllo");
        assert_eq!(bounded("héllo", 2), "h…");
        assert_eq!(bounded("héllo", 3), "hé…");
        assert_eq!(bounded("abc", 0), "…");
    }

    #[test]
    fn input_in_the_conventions_format() {
        let text = RequestText::parse(
            br#"{"messages":[{"role":"user","content":"Weather in Paris?"}],"system":"be brief"}"#,
        );
        let (messages, system) = input(&text, 7);
        assert_eq!(
            messages.as_deref(),
            Some(r#"[{"role":"user","parts":[{"type":"text","content":"Weather…"}]}]"#)
        );
        assert_eq!(
            system.as_deref(),
            Some(r#"[{"type":"text","content":"be brie…"}]"#)
        );
    }

    #[test]
    fn output_with_reasoning_and_reason() {
        assert_eq!(
            output("42", "hm", Some("stop"), 10),
            r#"[{"role":"assistant","parts":[{"type":"reasoning","content":"hm"},{"type":"text","content":"42"}],"finish_reason":"stop"}]"#
        );
    }

    #[test]
    fn streamed_text_is_kept_bounded() {
        let mut b = String::new();
        for _ in 0..100 {
            Captured::push(&mut b, "ab", 5);
        }
        assert_eq!(b, "ababab");
        assert_eq!(bounded(&b, 5), "ababa…");
        let mut b = String::new();
        Captured::push(&mut b, "ééé", 2);
        assert_eq!(b, "é");
    }
}
