//! Chunking invariance: the incremental splitter, fed random splits of random text salted with
//! tags, harmony markers, partial markers, whitespace and multi-byte characters, must agree with
//! the whole-string reference implementations below (written separately, deliberately simple).
#![allow(clippy::unwrap_used)]

use ollama_proto::fuzzing::think_reference::{
    apply_policy, ref_auto, ref_harmony, ref_prefilled, ref_tags, run,
};
use ollama_proto::think::{
    SplitOutput, TagPair, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter,
};
use proptest::prelude::*;

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
