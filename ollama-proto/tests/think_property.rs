//! Chunking invariance: the incremental splitter, fed random splits of random text salted with
//! tags, harmony markers, partial markers, whitespace and multi-byte characters, must agree with
//! the whole-string reference implementations below (written separately, deliberately simple).
#![allow(clippy::unwrap_used)]

use ollama_proto::think::{
    SplitOutput, TagPair, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// (thinking, content, tool calls as (name, arguments)).
type Split = (String, String, Vec<(String, Map<String, Value>)>);

const FRAGMENTS: &[&str] = &[
    // think tags, whole and partial
    "<think>",
    "</think>",
    "<thi",
    "nk>",
    "</th",
    "<",
    "/",
    ">",
    "think",
    // harmony markers, whole and partial
    "<|start|>",
    "<|message|>",
    "<|channel|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|constrain|>",
    "<|en",
    "<|sta",
    "<|",
    "|>",
    "assistant",
    "analysis",
    "final",
    "commentary",
    " to=functions.f",
    "to=functions.g",
    " to=",
    "json",
    "{\"a\":1}",
    "{}",
    "[1]",
    // whitespace
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\u{3000}",
    "\u{a0}",
    // text and multi-byte characters
    "a",
    "xyz",
    "Hello.",
    "é",
    "日本",
    "🦀",
    "ß<",
];

fn fragments(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..max).prop_map(|v| v.concat())
}

/// A well-formed harmony message (some of them tool calls), with a random body.
fn harmony_message() -> impl Strategy<Value = String> {
    let header = (
        prop::sample::select(&["", "<|start|>assistant", "<|start|>to=functions.h "][..]),
        prop::sample::select(&["analysis", "final", "commentary", ""][..]),
        prop::sample::select(&["", " to=functions.f", " to=browser.search"][..]),
        prop::sample::select(&["", " <|constrain|>json", "<|constrain|>json"][..]),
    );
    let body = prop_oneof![
        fragments(4),
        prop::sample::select(&["{\"a\":1}", " {\"b\": [1, \"é\"]} ", "{}", "", "not json"][..])
            .prop_map(str::to_owned),
    ];
    let end = prop::sample::select(&["<|end|>", "<|call|>", "<|return|>", "<|en", ""][..]);
    (header, body, end).prop_map(|((start, channel, to, constrain), body, end)| {
        let channel = if channel.is_empty() {
            String::new()
        } else {
            format!("<|channel|>{channel}")
        };
        format!("{start}{channel}{to}{constrain}<|message|>{body}{end}")
    })
}

/// A `<think>` block with a random body, sometimes unclosed.
fn think_block() -> impl Strategy<Value = String> {
    (
        fragments(6),
        prop::sample::select(&["</think>", "</th", ""][..]),
    )
        .prop_map(|(body, close)| format!("<think>{body}{close}"))
}

fn text() -> impl Strategy<Value = String> {
    let unit = prop_oneof![
        6 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        2 => harmony_message(),
        1 => think_block(),
    ];
    prop::collection::vec(unit, 0..16).prop_map(|v| v.concat())
}

/// Cuts `text` at the given fractions of its length (moved to char boundaries).
fn split_at(text: &str, cuts: &[f64]) -> Vec<String> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|f| {
            // Truncation intended: a position within the text.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let mut p = (f * text.len() as f64) as usize;
            while !text.is_char_boundary(p) {
                p += 1;
            }
            p
        })
        .collect();
    points.push(0);
    points.push(text.len());
    points.sort_unstable();
    points
        .windows(2)
        .map(|w| text[w[0]..w[1]].to_owned())
        .collect()
}

fn run(config: ThinkConfig, deltas: &[String]) -> Split {
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

fn apply_policy(policy: ThinkPolicy, text: &str, parsed: Split) -> Split {
    match policy {
        ThinkPolicy::Raw => (String::new(), text.to_owned(), Vec::new()),
        ThinkPolicy::Hide => (String::new(), parsed.1, parsed.2),
        _ => parsed,
    }
}

// ---- reference: inline tags -------------------------------------------------------------

/// Non-prefilled: a block only when the text starts (after whitespace) with the full opening
/// tag; otherwise, including whitespace-only text and a partial tag, all of it is content.
fn ref_tags(text: &str) -> Split {
    let Some(after_open) = text.trim_start().strip_prefix("<think>") else {
        return (String::new(), text.to_owned(), Vec::new());
    };
    ref_inside(after_open.trim_start())
}

/// Prefilled: the text starts inside the block; one redundant opening tag is dropped.
fn ref_prefilled(text: &str) -> Split {
    let t = text.trim_start();
    let t = t.strip_prefix("<think>").map_or(t, str::trim_start);
    ref_inside(t)
}

fn ref_inside(body: &str) -> Split {
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

fn ref_harmony(text: &str) -> Split {
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
        let (channel, recipient) = ref_header(head);
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
fn ref_header(head: &str) -> (String, String) {
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

fn ref_auto(text: &str) -> Split {
    if ["<|start|>", "<|channel|>", "<|message|>"]
        .iter()
        .any(|m| text.starts_with(m))
    {
        ref_harmony(text)
    } else {
        ref_tags(text)
    }
}

const POLICIES: [ThinkPolicy; 3] = [ThinkPolicy::Separate, ThinkPolicy::Hide, ThinkPolicy::Raw];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn tags_match_reference(text in text(), cuts in prop::collection::vec(0.0..1.0f64, 0..12)) {
        let deltas = split_at(&text, &cuts);
        for policy in POLICIES {
            let mode = ThinkMode::Tags(TagPair::default());
            let want = apply_policy(policy, &text, ref_tags(&text));
            prop_assert_eq!(run(ThinkConfig::new(mode, policy), &deltas), want, "{:?}", deltas);
            let mode = ThinkMode::Tags(TagPair::default().prefilled(true));
            let want = apply_policy(policy, &text, ref_prefilled(&text));
            prop_assert_eq!(run(ThinkConfig::new(mode, policy), &deltas), want, "prefilled {:?}", deltas);
        }
    }

    #[test]
    fn harmony_matches_reference(text in text(), cuts in prop::collection::vec(0.0..1.0f64, 0..12)) {
        let deltas = split_at(&text, &cuts);
        for policy in POLICIES {
            let want = apply_policy(policy, &text, ref_harmony(&text));
            prop_assert_eq!(run(ThinkConfig::new(ThinkMode::Harmony, policy), &deltas), want, "{:?}", deltas);
        }
    }

    #[test]
    fn auto_matches_reference(text in text(), cuts in prop::collection::vec(0.0..1.0f64, 0..12)) {
        let deltas = split_at(&text, &cuts);
        for policy in POLICIES {
            let want = apply_policy(policy, &text, ref_auto(&text));
            prop_assert_eq!(run(ThinkConfig::new(ThinkMode::Auto, policy), &deltas), want, "{:?}", deltas);
        }
    }

    #[test]
    fn one_byte_at_a_time_matches_whole(text in text()) {
        let chars: Vec<String> = text.chars().map(String::from).collect();
        for mode in [ThinkMode::Auto, ThinkMode::Harmony, ThinkMode::Tags(TagPair::default())] {
            let config = ThinkConfig::new(mode, ThinkPolicy::Separate);
            prop_assert_eq!(run(config.clone(), &chars), run(config, std::slice::from_ref(&text)));
        }
    }

    #[test]
    fn auto_with_server_thinking_leaves_content_alone(
        text in text(),
        cuts in prop::collection::vec(0.0..1.0f64, 0..6),
    ) {
        let mut splitter = ThinkSplitter::new(ThinkConfig::default());
        let mut out = SplitOutput::default();
        splitter.push_thinking("reasoning", &mut out);
        for d in split_at(&text, &cuts) {
            splitter.push_content(&d, &mut out);
        }
        splitter.finish(&mut out);
        prop_assert_eq!(out.thinking, "reasoning");
        prop_assert_eq!(out.content, text);
    }
}
