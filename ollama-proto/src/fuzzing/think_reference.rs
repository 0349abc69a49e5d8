//! Whole-string reference implementations of the thinking splitter, written separately from
//! `crate::think` and deliberately simple: the oracle for the property test and the fuzz target.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::{Map, Value};

use crate::think::{SplitOutput, ThinkConfig, ThinkPolicy, ThinkSplitter};

/// (thinking, content, tool calls as (name, arguments)).
pub type Split = (String, String, Vec<(String, Map<String, Value>)>);

pub fn run(config: ThinkConfig, deltas: &[String]) -> Split {
    let mut splitter = ThinkSplitter::new(config);
    let mut out = SplitOutput::default();
    let mut all = SplitOutput::default();
    for d in deltas {
        out.clear();
        splitter.push_content(d, &mut out);
        all.thinking.push_str(&out.thinking);
        all.content.push_str(&out.content);
        all.tool_calls.append(&mut out.tool_calls);
    }
    out.clear();
    splitter.finish(&mut out);
    all.thinking.push_str(&out.thinking);
    all.content.push_str(&out.content);
    all.tool_calls.append(&mut out.tool_calls);
    for (i, call) in all.tool_calls.iter().enumerate() {
        assert_eq!(call.function.index, Some(u32::try_from(i).unwrap()));
    }
    let calls = all
        .tool_calls
        .into_iter()
        .map(|c| (c.function.name, c.function.arguments))
        .collect();
    (all.thinking, all.content, calls)
}

pub fn apply_policy(policy: ThinkPolicy, text: &str, parsed: Split) -> Split {
    match policy {
        ThinkPolicy::Raw => (String::new(), text.to_owned(), Vec::new()),
        ThinkPolicy::Hide => (String::new(), parsed.1, parsed.2),
        _ => parsed,
    }
}

// ---- reference: inline tags -------------------------------------------------------------

/// Non-prefilled: a block only when the text starts (after whitespace) with the full opening
/// tag; otherwise, including whitespace-only text and a partial tag, all of it is content.
pub fn ref_tags(text: &str) -> Split {
    let Some(after_open) = text.trim_start().strip_prefix("<think>") else {
        return (String::new(), text.to_owned(), Vec::new());
    };
    ref_inside(after_open.trim_start())
}

/// Prefilled: the text starts inside the block; one redundant opening tag is dropped.
pub fn ref_prefilled(text: &str) -> Split {
    let t = text.trim_start();
    let t = t.strip_prefix("<think>").map_or(t, str::trim_start);
    ref_inside(t)
}

pub fn ref_inside(body: &str) -> Split {
    match body.split_once("</think>") {
        Some((thinking, answer)) => (
            thinking.to_owned(),
            answer.trim_start().to_owned(),
            Vec::new(),
        ),
        None => (body.to_owned(), String::new(), Vec::new()),
    }
}

// ---- reference: harmony -----------------------------------------------------------------

const START: &str = "<|start|>";
const MESSAGE: &str = "<|message|>";

pub fn ref_harmony(text: &str) -> Split {
    let mut thinking = String::new();
    let mut content = String::new();
    let mut calls = Vec::new();
    let mut rest = text;
    // Some(explicit) while a header is open.
    let mut header: Option<bool> = if let Some(r) = rest.strip_prefix(START) {
        rest = r;
        Some(true)
    } else if ["<|channel|>", "<|constrain|>", MESSAGE, " to="]
        .iter()
        .any(|m| rest.starts_with(m))
    {
        Some(false)
    } else {
        None
    };
    loop {
        let Some(explicit) = header else {
            // Outside a message.
            match rest.split_once(START) {
                Some((before, after)) => {
                    content.push_str(before);
                    rest = after;
                    header = Some(true);
                    continue;
                }
                None => {
                    content.push_str(rest);
                    break;
                }
            }
        };
        let Some((head, after)) = rest.split_once(MESSAGE) else {
            if explicit {
                content.push_str(START);
            }
            content.push_str(rest);
            break;
        };
        let (channel, mut recipient) = ref_header(head);
        if recipient == "assistant" {
            // Addressed to the model (a tool's answer): not a tool call.
            recipient.clear();
        }
        let end = ["<|end|>", "<|return|>", "<|call|>"]
            .iter()
            .filter_map(|m| after.find(m).map(|i| (i, m.len())))
            .min();
        let (body, next) = match end {
            Some((i, len)) => (&after[..i], Some(&after[i + len..])),
            None => (after, None),
        };
        if channel == "final" || recipient.is_empty() {
            if channel == "analysis" {
                thinking.push_str(body);
            } else {
                content.push_str(body);
            }
        } else {
            let args = if body.trim().is_empty() {
                Some(Map::new())
            } else {
                serde_json::from_str::<Map<String, Value>>(body.trim()).ok()
            };
            match args {
                Some(args) => {
                    let name = recipient.strip_prefix("functions.").unwrap_or(&recipient);
                    calls.push((name.to_owned(), args));
                }
                None => content.push_str(body),
            }
        }
        match next {
            Some(n) => {
                rest = n;
                header = None;
            }
            None => break,
        }
    }
    (thinking, content, calls)
}

/// (channel, recipient) of a header: words separated by whitespace, with `<|…` starting a new
/// word; `<|channel|>` and `<|constrain|>` are words of their own whose value is the next word.
pub fn ref_header(head: &str) -> (String, String) {
    let spaced = head
        .replace("<|", " <|")
        .replace("<|channel|>", "<|channel|> ")
        .replace("<|constrain|>", "<|constrain|> ");
    let mut channel = String::new();
    let mut recipient = String::new();
    let mut pending: Option<&str> = None;
    for word in spaced.split_whitespace() {
        if word == "<|channel|>" || word == "<|constrain|>" {
            pending = Some(word);
            continue;
        }
        match pending.take() {
            Some("<|channel|>") => channel = word.to_owned(),
            Some(_) => {}
            None => {
                if let Some(to) = word.strip_prefix("to=") {
                    if recipient.is_empty() {
                        recipient = to.to_owned();
                    }
                }
            }
        }
    }
    (channel, recipient)
}

// ---- reference: auto --------------------------------------------------------------------

pub fn ref_auto(text: &str) -> Split {
    if ["<|start|>", "<|channel|>", "<|message|>"]
        .iter()
        .any(|m| text.starts_with(m))
    {
        ref_harmony(text)
    } else {
        ref_tags(text)
    }
}
