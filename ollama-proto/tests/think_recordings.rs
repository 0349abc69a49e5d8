//! The thinking splitter against every recorded stream that carries reasoning, at every chunk
//! size: the expected text is computed here from the raw JSON, independently of the splitter.
#![allow(clippy::unwrap_used)]

use ollama_proto::think::{
    SplitOutput, TagPair, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter,
};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/recorded"
);

/// Recordings whose `response`/`content` carries inline `<think>…</think>`.
const TAG_FILES: &[&str] = &[
    "atg-generate-stream-deepseek-r1-8b-think-tags.ndjson",
    "atg-generate-stream-qwen3-8b-think-tags.ndjson",
    "atg-raw-generate-stream-qwen3-1.7b-think-tags.ndjson",
    "atg-raw-generate-stream-deepseek-r1-14b-think-tags.ndjson",
    "atg-raw-generate-nonstream-deepseek-r1-14b-think-tags.json",
    "prism-chat-qwen3-think-tags-in-content.ndjson",
];

/// gpt-oss recordings (the server splits reasoning into the `thinking` field).
const GPT_OSS_FILES: &[&str] = &[
    "lcg-cloud-chat-stream-gptoss120b-thinking.ndjson",
    "lcg-cloud-chat-nonstream-gptoss120b-capital.json",
    "lcg-cloud-chat-nonstream-gptoss120b-multiply.json",
    "lcg-cloud-chat-nonstream-gptoss120b-format-json.json",
    "lcg-cloud-chat-nonstream-gptoss120b-seed.json",
    "lcg-cloud-chat-nonstream-gptoss120b-hello-emoji.json",
    "lcg-cloud-chat-nonstream-gptoss120b-toolcall.json",
    "lcg-cloud-chat-nonstream-gptoss120b-toolresult.json",
    "prism-chat-stream-gptoss-thinking.ndjson",
    "prism-chat-stream-gptoss-no-think-param.ndjson",
    "prism-chat-nonstream-gptoss-thinking.json",
    "atg-generate-stream-gptoss20b-thinking-cloud.ndjson",
];

/// Other recordings with a `thinking` field.
const OTHER_FIELD_FILES: &[&str] = &[
    "lcg-cloud-chat-nonstream-glm-format-schema.json",
    "lcg-cloud-chat-nonstream-kimi-format-schema-longthink.json",
    "ci-chat-nonstream-qwen35-thinking-parallel-toolcalls.json",
    "bbw-chat-nonstream-qwen3-32b-thinking-cut-by-length.json",
    "bbw-generate-nonstream-qwen3-32b-thinking-context.json",
];

/// Chat/generate recordings without reasoning: Auto must leave them alone.
const PLAIN_FILES: &[&str] = &[
    "lcg-chat-stream-gemma3-nautical-long.ndjson",
    "lcg-chat-stream-gemma3-format-json.ndjson",
    "lcg-chat-stream-gemma3-think-ignored.ndjson",
    "lcg-generate-stream-gemma3-count.ndjson",
    "prism-chat-nonstream-deepseek-r1-structured-trailing-ws.json",
    "prism-chat-stream-phi4-basic.ndjson",
    "prism-chat-stream-granite-basic.ndjson",
    "atg-generate-stream-deepseek-v31-cloud.ndjson",
    "ci-chat-nonstream-qwen35-after-tools.json",
    "crew-generate-nonstream-llama32-3b.json",
];

/// One stream line's deltas: (`thinking`, `content`/`response`).
type Line = (Option<String>, String);

fn load(name: &str) -> Vec<Line> {
    let text = std::fs::read_to_string(format!("{DIR}/{name}")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let holder = v.get("message").unwrap_or(&v);
            let thinking = holder
                .get("thinking")
                .map(|t| t.as_str().unwrap().to_owned());
            let content = holder
                .get("content")
                .or_else(|| holder.get("response"))
                .map_or("", |c| c.as_str().unwrap())
                .to_owned();
            (thinking, content)
        })
        .collect()
}

fn concat(lines: &[Line]) -> (String, String) {
    let thinking = lines.iter().filter_map(|(t, _)| t.as_deref()).collect();
    let content = lines.iter().map(|(_, c)| c.as_str()).collect();
    (thinking, content)
}

/// Pieces of at most `k` bytes (at least one char), cut on char boundaries.
fn pieces(text: &str, k: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = k.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// Runs a splitter over `lines`, clearing the output per line as a decoder does.
fn run(config: &ThinkConfig, lines: &[(Option<&str>, &str)]) -> (String, String) {
    let mut splitter = ThinkSplitter::new(config.clone());
    let mut out = SplitOutput::default();
    let (mut thinking, mut content) = (String::new(), String::new());
    for &(t, c) in lines {
        out.clear();
        if let Some(t) = t {
            splitter.push_thinking(t, &mut out);
        }
        splitter.push_content(c, &mut out);
        assert!(out.tool_calls.is_empty());
        thinking.push_str(&out.thinking);
        content.push_str(&out.content);
    }
    out.clear();
    splitter.finish(&mut out);
    thinking.push_str(&out.thinking);
    content.push_str(&out.content);
    (thinking, content)
}

/// Checks `config` on the recording's own deltas and on every re-split of its text (thinking
/// pieces first, then content pieces: in these recordings reasoning precedes the answer).
fn check(name: &str, lines: &[Line], config: &ThinkConfig, want: &(String, String)) {
    let original: Vec<_> = lines
        .iter()
        .map(|(t, c)| (t.as_deref(), c.as_str()))
        .collect();
    assert_eq!(
        &run(config, &original),
        want,
        "{name} {config:?} original deltas"
    );
    let (t, c) = concat(lines);
    for k in (1..=64).chain([100, 333, 1000, 4096, usize::MAX]) {
        let mut split: Vec<(Option<&str>, &str)> =
            pieces(&t, k).into_iter().map(|p| (Some(p), "")).collect();
        split.extend(pieces(&c, k).into_iter().map(|p| (None, p)));
        assert_eq!(
            &run(config, &split),
            want,
            "{name} {config:?} chunk size {k}"
        );
    }
}

/// Checks one recording under each (mode, policy) row against its expected (thinking, content).
fn check_table<const N: usize>(
    name: &str,
    lines: &[Line],
    table: [(ThinkMode, ThinkPolicy, &(String, String)); N],
) {
    for (mode, policy, want) in table {
        check(name, lines, &config(mode, policy), want);
    }
}

fn config(mode: ThinkMode, policy: ThinkPolicy) -> ThinkConfig {
    ThinkConfig::new(mode, policy)
}

fn tags() -> ThinkMode {
    ThinkMode::Tags(TagPair::default())
}

/// The expected split of an inline-tag text, from the server's rules written out: leading
/// whitespace and the opening tag are dropped, as is whitespace after it; the reasoning runs to
/// the first `</think>` (a newline before it stays); whitespace after the closing tag is dropped
/// and the rest is the answer.
fn expected_tags(text: &str) -> (String, String) {
    let after_open = text
        .trim_start()
        .strip_prefix("<think>")
        .expect("starts with <think>");
    let body = after_open.trim_start();
    let (thinking, answer) = body.split_once("</think>").expect("block is closed");
    (thinking.to_owned(), answer.trim_start().to_owned())
}

#[test]
fn tag_recordings() {
    for name in TAG_FILES {
        let lines = load(name);
        let (field, raw) = concat(&lines);
        assert!(field.is_empty(), "{name} has no thinking field");
        let want = expected_tags(&raw);
        assert!(!want.0.is_empty() && !want.1.is_empty(), "{name}");
        let raw_out = (String::new(), raw.clone());
        let hidden = (String::new(), want.1.clone());
        let table = [
            (tags(), ThinkPolicy::Separate, &want),
            (ThinkMode::Auto, ThinkPolicy::Separate, &want),
            (tags(), ThinkPolicy::Hide, &hidden),
            (ThinkMode::Auto, ThinkPolicy::Hide, &hidden),
            (ThinkMode::Auto, ThinkPolicy::Raw, &raw_out),
            (ThinkMode::Server, ThinkPolicy::Separate, &raw_out),
        ];
        check_table(name, &lines, table);
    }
}

#[test]
fn deepseek_r1_generate_separates_reasoning_and_loses_nothing() {
    for name in [
        "atg-generate-stream-deepseek-r1-8b-think-tags.ndjson",
        "atg-raw-generate-stream-deepseek-r1-14b-think-tags.ndjson",
        "atg-raw-generate-nonstream-deepseek-r1-14b-think-tags.json",
    ] {
        let lines = load(name);
        let (_, raw) = concat(&lines);
        let (thinking, content) = run(
            &ThinkConfig::default(),
            &lines
                .iter()
                .map(|(t, c)| (t.as_deref(), c.as_str()))
                .collect::<Vec<_>>(),
        );
        for tag in ["<think>", "</think>"] {
            assert!(
                !content.contains(tag),
                "{name}: tag {tag} left in the answer"
            );
            assert!(
                !thinking.contains(tag),
                "{name}: tag {tag} left in the reasoning"
            );
        }
        // Nothing lost: the raw text is exactly whitespace, <think>, whitespace, the reasoning,
        // </think>, whitespace, the answer.
        let rest = raw
            .trim_start()
            .strip_prefix("<think>")
            .unwrap()
            .trim_start();
        let rest = rest.strip_prefix(thinking.as_str()).unwrap();
        let rest = rest.strip_prefix("</think>").unwrap().trim_start();
        assert_eq!(rest, content, "{name}");
    }
    // Exact values for the non-streamed body.
    let lines = load("atg-raw-generate-nonstream-deepseek-r1-14b-think-tags.json");
    let got = run(&ThinkConfig::default(), &[(None, lines[0].1.as_str())]);
    assert!(
        got.0
            .starts_with("Okay, so I need to describe a rabbit in two short sentences.")
    );
    assert!(
        got.0
            .ends_with("I think I'm ready to write the two sentences now.\n")
    );
    assert!(got.1.starts_with("A rabbit is a small"), "{:?}", got.1);
}

#[test]
fn qwen3_chat_tags_in_content_exact() {
    let lines = load("prism-chat-qwen3-think-tags-in-content.ndjson");
    let got = run(&ThinkConfig::default(), &[(None, lines[0].1.as_str())]);
    assert!(got.0.starts_with("Okay, let me figure out how to answer"));
    assert!(
        got.0
            .ends_with("I should present this information clearly and concisely.\n")
    );
    assert_eq!(
        got.1,
        "The Detroit Tigers game is today at 3pm, and the weather in Detroit will be 75° and \
         sunny. You shouldn't need a coat for the game!"
    );
}

#[test]
fn field_recordings() {
    for name in GPT_OSS_FILES.iter().chain(OTHER_FIELD_FILES) {
        let lines = load(name);
        let want = concat(&lines);
        let hidden = (String::new(), want.1.clone());
        let table = [
            (ThinkMode::Server, ThinkPolicy::Separate, &want),
            (ThinkMode::Auto, ThinkPolicy::Separate, &want),
            (tags(), ThinkPolicy::Separate, &want),
            (ThinkMode::Harmony, ThinkPolicy::Separate, &want),
            (ThinkMode::Auto, ThinkPolicy::Raw, &want),
            (ThinkMode::Auto, ThinkPolicy::Hide, &hidden),
            (ThinkMode::Server, ThinkPolicy::Hide, &hidden),
        ];
        check_table(name, &lines, table);
    }
}

#[test]
fn hide_yields_the_answer_alone_for_every_gpt_oss_recording() {
    let mut with_reasoning = 0;
    for name in GPT_OSS_FILES {
        let lines = load(name);
        let (thinking, answer) = concat(&lines);
        with_reasoning += usize::from(!thinking.is_empty());
        let original: Vec<_> = lines
            .iter()
            .map(|(t, c)| (t.as_deref(), c.as_str()))
            .collect();
        for mode in [
            ThinkMode::Auto,
            ThinkMode::Server,
            ThinkMode::Harmony,
            tags(),
        ] {
            let got = run(&config(mode, ThinkPolicy::Hide), &original);
            assert_eq!(got, (String::new(), answer.clone()), "{name}");
        }
    }
    assert_eq!(
        with_reasoning,
        GPT_OSS_FILES.len() - 1,
        "all but the tool-result turn reason"
    );
}

#[test]
fn auto_leaves_plain_recordings_alone() {
    for name in PLAIN_FILES {
        let lines = load(name);
        let want = concat(&lines);
        assert!(want.0.is_empty() && !want.1.is_empty(), "{name}");
        let table = [
            (ThinkMode::Auto, ThinkPolicy::Separate, &want),
            (ThinkMode::Auto, ThinkPolicy::Hide, &want),
        ];
        check_table(name, &lines, table);
    }
}
