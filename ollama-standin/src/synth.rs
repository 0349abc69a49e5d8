//! Answers synthesised from a configured [`Model`]: chat, generate, embeddings, show, tags, ps
//! and pull, in the shapes (fields, types, framing) of the real server's recordings.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use crate::model::{Behaviour, Model, Turn};
use crate::reply::{JSON_UTF8, Reply};
use crate::sha256;
use crate::thinking::{self, Shown};

/// `created_at` now, as Ollama writes it (RFC 3339, UTC, nanoseconds).
pub(crate) fn now() -> String {
    humantime::format_rfc3339_nanos(SystemTime::now()).to_string()
}

/// A fixed `modified_at` for the configured models.
const MODIFIED_AT: &str = "2025-01-01T00:00:00.000000000Z";

/// The model's digest: SHA-256 of its name (stable per name).
pub(crate) fn digest(model: &Model) -> String {
    sha256::hex_digest(model.name.as_bytes())
}

/// Splits text into stream tokens: each word with the whitespace before it.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for ch in text.chars() {
        if ch.is_whitespace() && in_word {
            out.push(std::mem::take(&mut current));
            in_word = false;
        } else if !ch.is_whitespace() {
            in_word = true;
        }
        current.push(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn wants_stream(body: &Value) -> bool {
    body.get("stream").and_then(Value::as_bool).unwrap_or(true)
}

/// Applies the model's pacing to a reply.
fn paced(reply: Reply, model: &Model) -> Reply {
    let mut reply = reply;
    let before = model.pacing.before_head();
    if !before.is_zero() {
        reply = reply.delay_before_head(before);
    }
    if let Some(interval) = model.pacing.token_interval() {
        reply = reply.delay_between_writes(interval);
    }
    reply
}

fn stats(model: &Model, prompt_tokens: usize, eval_tokens: usize) -> Map<String, Value> {
    let interval = model
        .pacing
        .token_interval()
        .unwrap_or(Duration::from_millis(1));
    let load = (model.pacing.load_ms * 1_000_000).max(100_000);
    let prompt_eval = prompt_tokens as u64 * 100_000 + model.pacing.first_token_ms * 1_000_000;
    let eval = eval_tokens as u64 * u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX);
    let mut out = Map::new();
    out.insert("total_duration".into(), json!(load + prompt_eval + eval));
    out.insert("load_duration".into(), json!(load));
    out.insert("prompt_eval_count".into(), json!(prompt_tokens.max(1)));
    out.insert("prompt_eval_duration".into(), json!(prompt_eval));
    out.insert("eval_count".into(), json!(eval_tokens.max(1)));
    out.insert("eval_duration".into(), json!(eval));
    out
}

/// The text of a message's `content`, or of the `prompt`.
fn text_of(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// What the model answers this turn.
fn turn_for(model: &Model, input: &str, assistant_turns: usize) -> Turn {
    match &model.reply {
        Behaviour::Echo => Turn::text(input),
        Behaviour::Text(text) => Turn::text(text),
        Behaviour::Turns(turns) => turns
            .get(assistant_turns)
            .or_else(|| turns.last())
            .cloned()
            .unwrap_or_default(),
    }
}

fn not_supported(model: &Model, what: &str) -> Reply {
    Reply::status_json(400, &format!("{:?} does not support {what}", model.name))
}

/// The route (chat or generate) a completion request came on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Completion {
    Chat,
    Generate,
}

/// A chat or generate answer from `model`, at server `version`.
pub(crate) fn completion(kind: Completion, model: &Model, body: &Value, version: &str) -> Reply {
    if model.embedding_length.is_some() {
        return not_supported(
            model,
            if kind == Completion::Chat {
                "chat"
            } else {
                "generate"
            },
        );
    }
    let has_tools = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    if has_tools && !model.tools {
        return not_supported(model, "tools");
    }
    let raw =
        kind == Completion::Generate && body.get("raw").and_then(Value::as_bool) == Some(true);
    let decision = match thinking::decide(version, model, body, kind == Completion::Generate) {
        Ok(decision) => decision,
        Err(rejection) => return Reply::status_json(rejection.status, &rejection.error),
    };
    let shown = decision.shown;
    let (input, assistant_turns, prompt_tokens) = match kind {
        Completion::Chat => {
            let messages = body
                .get("messages")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let last_user = messages
                .iter()
                .rev()
                .find(|m| m.get("role").and_then(Value::as_str) == Some("user"));
            let assistants = messages
                .iter()
                .filter(|m| m.get("role").and_then(Value::as_str) == Some("assistant"))
                .count();
            let words: usize = messages
                .iter()
                .map(|m| tokens(&text_of(m.get("content"))).len())
                .sum();
            (
                text_of(last_user.and_then(|m| m.get("content"))),
                assistants,
                words,
            )
        }
        Completion::Generate => {
            let prompt = text_of(body.get("prompt"));
            let words = tokens(&prompt).len();
            (prompt, 0, words)
        }
    };
    let mut turn = turn_for(model, &input, assistant_turns);
    if let Some(format) = body.get("format").filter(|f| !f.is_null() && *f != "") {
        turn.content = crate::schema::instance(format, &turn.content).to_string();
        turn.tool_calls.clear();
    }
    let reasoning = turn
        .thinking
        .clone()
        .unwrap_or_else(|| model.thinking_text.clone());
    let mut thinking_tokens = Vec::new();
    let mut content_tokens = Vec::new();
    match shown {
        Shown::Off => {}
        Shown::Field => thinking_tokens = tokens(&reasoning),
        Shown::InlineTags => {
            content_tokens.push("<think>".to_owned());
            content_tokens.extend(tokens(&format!("\n{reasoning}\n")));
            content_tokens.push("</think>\n\n".to_owned());
        }
        Shown::EmptyInlineTags => content_tokens.push("<think>\n\n</think>\n\n".to_owned()),
        Shown::Harmony => {
            content_tokens.push("<|channel|>analysis<|message|>".to_owned());
            content_tokens.extend(tokens(&reasoning));
            content_tokens.push("<|end|><|start|>assistant<|channel|>final<|message|>".to_owned());
        }
    }
    content_tokens.extend(tokens(&turn.content));
    let calls = tool_calls(&turn);
    let eval = thinking_tokens.len() + content_tokens.len() + calls.len();
    let mut last = Map::new();
    last.insert("model".into(), json!(model.name));
    last.insert("created_at".into(), json!(now()));
    let stream_calls = body.get("stream_tool_calls").and_then(Value::as_bool) == Some(true);

    let reply = if wants_stream(body) {
        let mut lines = Vec::new();
        for token in &thinking_tokens {
            lines.push(chunk(kind, model, "", Some(token), None));
        }
        for token in &content_tokens {
            lines.push(chunk(kind, model, token, None, None));
        }
        if kind == Completion::Chat {
            for (index, call) in calls.iter().enumerate() {
                if stream_calls {
                    for partial in partial_calls(call, index) {
                        lines.push(chunk(kind, model, "", None, Some(vec![partial])));
                    }
                }
                lines.push(chunk(kind, model, "", None, Some(vec![call.clone()])));
            }
        }
        last.extend(final_fields(kind, "", None, None));
        last.insert("done_reason".into(), json!("stop"));
        last.insert("done".into(), json!(true));
        // `raw` answers carry no `context`.
        if kind == Completion::Generate && !raw {
            last.insert("context".into(), context(prompt_tokens + eval));
        }
        last.extend(stats(model, prompt_tokens, eval));
        last.extend(budget_fields(decision.budget.as_ref()));
        lines.push(Value::Object(last));
        Reply::ndjson(lines)
    } else {
        let thinking = (!thinking_tokens.is_empty()).then(|| thinking_tokens.concat());
        let calls = (kind == Completion::Chat && !calls.is_empty()).then_some(calls);
        last.extend(final_fields(
            kind,
            &content_tokens.concat(),
            thinking.as_deref(),
            calls,
        ));
        last.insert("done".into(), json!(true));
        last.insert("done_reason".into(), json!("stop"));
        // `raw` answers carry no `context`.
        if kind == Completion::Generate && !raw {
            last.insert("context".into(), context(prompt_tokens + eval));
        }
        last.extend(stats(model, prompt_tokens, eval));
        last.extend(budget_fields(decision.budget.as_ref()));
        Reply::body(200, JSON_UTF8, Value::Object(last).to_string())
    };
    paced(reply, model)
}

/// `think_budget` and `think_budget_tokens` of a final object, on servers with budgets.
fn budget_fields(budget: Option<&(Value, u64)>) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some((value, tokens)) = budget {
        out.insert("think_budget".into(), value.clone());
        out.insert("think_budget_tokens".into(), json!(tokens));
    }
    out
}

/// `message` (chat) or `response`/`thinking` (generate) fields of a line.
fn final_fields(
    kind: Completion,
    content: &str,
    thinking: Option<&str>,
    calls: Option<Vec<Value>>,
) -> Map<String, Value> {
    let mut out = Map::new();
    match kind {
        Completion::Chat => {
            let mut message = Map::new();
            message.insert("role".into(), json!("assistant"));
            message.insert("content".into(), json!(content));
            if let Some(thinking) = thinking {
                message.insert("thinking".into(), json!(thinking));
            }
            if let Some(calls) = calls {
                message.insert("tool_calls".into(), Value::Array(calls));
            }
            out.insert("message".into(), Value::Object(message));
        }
        Completion::Generate => {
            out.insert("response".into(), json!(content));
            if let Some(thinking) = thinking {
                out.insert("thinking".into(), json!(thinking));
            }
        }
    }
    out
}

fn chunk(
    kind: Completion,
    model: &Model,
    content: &str,
    thinking: Option<&str>,
    calls: Option<Vec<Value>>,
) -> Value {
    let mut line = Map::new();
    line.insert("model".into(), json!(model.name));
    line.insert("created_at".into(), json!(now()));
    line.extend(final_fields(kind, content, thinking, calls));
    line.insert("done".into(), json!(false));
    Value::Object(line)
}

fn context(n: usize) -> Value {
    Value::Array((0..n.clamp(1, 4096)).map(|i| json!(100 + i)).collect())
}

/// The turn's tool calls as Ollama writes them: `id`, `function.index`, `name`, `arguments`.
fn tool_calls(turn: &Turn) -> Vec<Value> {
    turn.tool_calls
        .iter()
        .enumerate()
        .map(|(index, call)| {
            let seed = format!("{index}:{}:{}", call.name, call.arguments);
            let id = format!("call_{}", &sha256::hex_digest(seed.as_bytes())[..8]);
            json!({"id": id, "function": {"index": index, "name": call.name, "arguments": call.arguments}})
        })
        .collect()
}

/// Streamed tool-call entries before the final one (`stream_tool_calls: true`): the same `id`
/// and `index`, empty `arguments`, and `arguments_delta` = the whole raw argument text so far.
fn partial_calls(call: &Value, index: usize) -> Vec<Value> {
    let raw = call["function"]["arguments"].to_string();
    let chars: Vec<char> = raw.chars().collect();
    let pieces = 3.min(chars.len().max(1));
    (1..=pieces)
        .map(|i| {
            let so_far: String = chars[..chars.len() * i / pieces].iter().collect();
            json!({"id": call["id"], "function": {"index": index, "name": call["function"]["name"],
                "arguments": {}, "arguments_delta": so_far}})
        })
        .collect()
}

/// A unit vector of `dimensions` numbers, the same for the same text.
pub(crate) fn embedding(text: &str, dimensions: usize) -> Vec<f64> {
    let seed = sha256::hex_digest(text.as_bytes());
    let mut state = u64::from_str_radix(&seed[..16], 16).unwrap_or(1);
    let mut out: Vec<f64> = (0..dimensions)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect();
    let norm = out.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        for x in &mut out {
            *x /= norm;
        }
    }
    out
}

/// `/api/embed` (`legacy: false`) or `/api/embeddings` (`legacy: true`).
pub(crate) fn embed(model: &Model, body: &Value, legacy: bool) -> Reply {
    let Some(length) = model.embedding_length else {
        return not_supported(model, "embeddings");
    };
    let reply = if legacy {
        let vector = embedding(&text_of(body.get("prompt")), length);
        Reply::body(200, JSON_UTF8, json!({ "embedding": vector }).to_string())
    } else {
        let inputs: Vec<String> = match body.get("input") {
            Some(Value::Array(items)) => items.iter().map(|i| text_of(Some(i))).collect(),
            other => vec![text_of(other)],
        };
        let dimensions = body
            .get("dimensions")
            .and_then(Value::as_u64)
            .and_then(|d| usize::try_from(d).ok())
            .filter(|d| (1..=length).contains(d))
            .unwrap_or(length);
        let vectors: Vec<Vec<f64>> = inputs
            .iter()
            .map(|input| embedding(input, dimensions))
            .collect();
        let words: usize = inputs.iter().map(|i| tokens(i).len()).sum();
        let load = (model.pacing.load_ms * 1_000_000).max(100_000);
        let answer = json!({"model": model.name, "embeddings": vectors,
            "total_duration": load + 1_000_000, "load_duration": load, "prompt_eval_count": words.max(1)});
        Reply::body(200, JSON_UTF8, answer.to_string())
    };
    if model.pacing.load_ms > 0 {
        return reply.delay_before_head(Duration::from_millis(model.pacing.load_ms));
    }
    reply
}

fn details(model: &Model) -> Value {
    json!({"parent_model": "", "format": "gguf", "family": model.family, "families": [model.family],
        "parameter_size": model.parameter_size, "quantization_level": model.quantization_level})
}

/// `/api/show`.
pub(crate) fn show(model: &Model) -> Reply {
    let arch = &model.family;
    let mut info = Map::new();
    info.insert("general.architecture".into(), json!(arch));
    info.insert("general.parameter_count".into(), json!(model.size * 2));
    info.insert(
        format!("{arch}.context_length"),
        json!(model.context_length),
    );
    info.insert(
        format!("{arch}.embedding_length"),
        json!(model.embedding_length.unwrap_or(2048)),
    );
    // `parameters` is left out when empty, as Ollama's `omitempty` does.
    let answer = json!({
        "license": "A synthetic model of ollama-standin: no weights, nothing to license.",
        "modelfile": format!("# Modelfile generated by ollama-standin\nFROM {}\n", model.name),
        "template": "{{ .Prompt }}",
        "details": details(model),
        "model_info": info,
        "capabilities": model.capabilities(),
        "modified_at": MODIFIED_AT,
    });
    Reply::body(200, JSON_UTF8, answer.to_string())
}

/// `/api/tags`.
pub(crate) fn tags(models: &[Model]) -> Reply {
    let list: Vec<Value> = models
        .iter()
        .map(|m| {
            json!({"name": m.name, "model": m.name, "modified_at": MODIFIED_AT, "size": m.size,
            "digest": digest(m), "details": details(m)})
        })
        .collect();
    Reply::body(200, JSON_UTF8, json!({ "models": list }).to_string())
}

/// `/api/ps`: the models answered so far.
pub(crate) fn ps<'a>(loaded: impl Iterator<Item = &'a Model>) -> Reply {
    let list: Vec<Value> = loaded
        .map(|m| json!({"name": m.name, "model": m.name, "size": m.size, "digest": digest(m),
            "details": details(m), "expires_at": "2318-04-22T19:29:44.962381934Z", "size_vram": m.size,
            "context_length": m.context_length}))
        .collect();
    Reply::body(200, JSON_UTF8, json!({ "models": list }).to_string())
}

/// Pauses between progress lines at a configured speed.
const PROGRESS_STEP: Duration = Duration::from_millis(100);
/// Most progress lines of one layer.
const MAX_PROGRESS_LINES: u64 = 1000;

/// `/api/pull` or `/api/push` progress for `model` (`verb` is `pulling` or `pushing`).
pub(crate) fn progress(model: &Model, verb: &str, body: &Value) -> Reply {
    let hex = digest(model);
    let layer = format!("sha256:{hex}");
    let status = format!("{verb} {}", &hex[..12]);
    let total = model.size.max(1);
    let per_step = match model.pacing.pull_bytes_per_second {
        0 => total.div_ceil(2),
        speed => (speed / 10).max(total.div_ceil(MAX_PROGRESS_LINES)).max(1),
    };
    let mut lines = vec![if verb == "pulling" {
        json!({"status": "pulling manifest"})
    } else {
        json!({"status": "retrieving manifest"})
    }];
    // The first line already has bytes: Ollama leaves `completed` out while it is 0.
    let mut done = per_step.min(total);
    loop {
        lines.push(json!({"status": status, "digest": layer, "total": total, "completed": done}));
        if done == total {
            break;
        }
        done = (done + per_step).min(total);
    }
    if verb == "pulling" {
        lines.push(json!({"status": "verifying sha256 digest"}));
        lines.push(json!({"status": "writing manifest"}));
    } else {
        lines.push(json!({"status": "pushing manifest"}));
    }
    lines.push(json!({"status": "success"}));
    if !wants_stream(body) {
        return Reply::body(200, JSON_UTF8, json!({"status": "success"}).to_string());
    }
    let reply = Reply::ndjson(lines);
    if model.pacing.pull_bytes_per_second > 0 {
        return reply.delay_between_writes(PROGRESS_STEP);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_every_character() {
        let text = "Hello there!  How are\nyou?";
        assert_eq!(tokens(text).concat(), text);
        assert_eq!(
            tokens(text),
            ["Hello", " there!", "  How", " are", "\nyou?"]
        );
        assert!(tokens("").is_empty());
    }

    #[test]
    fn embeddings_are_unit_length_and_stable() {
        let a = embedding("hello", 64);
        let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-9);
        assert_eq!(a, embedding("hello", 64));
        assert_ne!(a, embedding("hello!", 64));
    }
}
