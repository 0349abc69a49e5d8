//! What an Ollama server of a given version does with `think`, per model family: a **pure**
//! function of (server version, family, model, `think` value, prompt), written from the
//! reference's thinking history (`reference/ollama-api.md` §6.1, §6.6, §11 and
//! `ollama-api-since-v033.md`), with the exact upstream error texts.
//!
//! [`emulate`] decides; [`Outcome::chat_reply`] / [`Outcome::generate_reply`] render the
//! decision as the server would send it; [`Emulation`] wires it into a
//! [`TestServer`](crate::TestServer) (`/api/version`, `/api/show`, `/api/chat`,
//! `/api/generate`) through [`TestServer::emulate`](crate::TestServer::emulate).
//!
//! | server | `think` accepted (else 400, text checked before the model lookup) | reasoning |
//! |---|---|---|
//! | < v0.9.0 | anything (unknown field, ignored) | qwen3/deepseek-r1 inline `<think>` tags; gpt-oss 404 |
//! | v0.9.0–v0.10.x | bool only: `json: cannot unmarshal string into Go struct field ChatRequest.think of type bool` | unset: inline tags; true: field; false: none |
//! | v0.11.0–v0.17.6 | bool, `low`/`medium`/`high`; a level on non-gpt-oss: `think value "high" is not supported for this model` | gpt-oss: field even with false |
//! | v0.12.4+ | | unset on a thinking model means on (field) |
//! | v0.17.7–v0.21.x | levels on every model; `max`: `invalid think value: "max" (must be "high", "medium", "low", true, or false)` | |
//! | v0.22.0+ | `max` too; another type: `think must be a boolean or string (...)` | |
//! | ≥ [`BUDGETS_SINCE`] (assumed) | PR 17566: `minimal`, `xhigh`, positive integers; the final object echoes `think_budget`, `think_budget_tokens` | |
//!
//! A model without the thinking capability answers an enabled `think` with 400 (long name
//! `registry.ollama.ai/library/<model> does not support thinking` before v0.12.4, then
//! `"<model>" does not support thinking`); v0.12.4 also rejects `false` there. gpt-oss does not
//! exist before v0.11.0: 404 `model "<model>" not found, try pulling it first`.
//!
//! **Assumed, not released upstream:** budgets land in [`BUDGETS_SINCE`] (v0.35.0), and their
//! 400 texts ([`BAD_BUDGET`], the v0.35 level list) are this emulation's own wording.

use serde_json::{Value, json};

use crate::reply::{JSON_UTF8, Reply};

/// The first server version this emulation gives PR 17566's budgets and levels (an assumption:
/// the pull request is open upstream).
pub const BUDGETS_SINCE: (u32, u32, u32) = (0, 35, 0);
/// The reasoning every emulated thinking model produces.
pub const REASONING: &str = "The user asks for 2 + 2. That is 4.";
/// The answer every emulated model gives.
pub const ANSWER: &str = "4";
/// The 400 text of a non-positive or fractional budget on a budget server (assumed wording).
pub const BAD_BUDGET: &str = "think budget must be a positive integer";

/// The model families the emulation knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Qwen3: honours `think` (v0.9+) and the `/think` `/no_think` soft switches.
    Qwen3,
    /// DeepSeek-R1: reasons in `<think>` tags; honours `think` from v0.9.
    DeepSeekR1,
    /// gpt-oss (harmony): exists from v0.11, always reasons, takes levels.
    GptOss,
    /// A model without the thinking capability (e.g. gemma3).
    NoThinking,
}

impl Family {
    /// `details.family` of `/api/show` for this family.
    pub fn show_family(self) -> &'static str {
        match self {
            Self::Qwen3 | Self::DeepSeekR1 => "qwen3",
            Self::GptOss => "gptoss",
            Self::NoThinking => "gemma3",
        }
    }

    fn thinks(self) -> bool {
        !matches!(self, Self::NoThinking)
    }
}

/// Where the reasoning goes in a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningForm {
    /// The `thinking` field (a server-side parser ran).
    Field,
    /// Inline `<think>…</think>` at the start of the content (no parser ran).
    InlineTags,
    /// An empty inline block `<think>\n\n</think>\n\n` (qwen3 obeying `/no_think`, no parser).
    EmptyInlineTags,
    /// gpt-oss harmony markup in the content (`raw: true`).
    Harmony,
    /// No reasoning.
    None,
}

/// What the server does with the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An error status with Ollama's `{"error": …}` body, exact upstream text.
    Reject {
        /// The HTTP status.
        status: u16,
        /// The `error` text.
        error: String,
    },
    /// A reply: [`REASONING`] in `form`, then [`ANSWER`].
    Reply {
        /// Where the reasoning is.
        form: ReasoningForm,
        /// `think_budget` and `think_budget_tokens` for the final object (budget servers).
        budget: Option<(Value, u64)>,
    },
}

/// A parsed `MAJOR.MINOR.PATCH` (pre-release and build suffixes ignored; missing parts 0).
pub fn parse_version(version: &str) -> (u32, u32, u32) {
    let core = version
        .trim_start_matches('v')
        .split(['-', '+', ' '])
        .next()
        .unwrap_or("");
    let mut parts = core.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// What a server at `version` does with a chat (`generate == false`) or generate request for
/// `model` of `family`, whose `think` field is `think` (`None`: absent or `null`) and whose
/// last user text (or prompt) is `prompt`; `raw` is generate's `raw: true`.
pub fn emulate(
    version: &str,
    family: Family,
    model: &str,
    think: Option<&Value>,
    prompt: &str,
    generate: bool,
    raw: bool,
) -> Outcome {
    let v = parse_version(version);
    let reject = |status: u16, error: String| Outcome::Reject { status, error };
    if v < (0, 9, 0) {
        // `think` is an unknown field: ignored, whatever its type.
        return match family {
            Family::GptOss => reject(404, not_found_old(model)),
            Family::NoThinking => reply(ReasoningForm::None),
            Family::Qwen3 if prompt.contains("/no_think") => reply(ReasoningForm::EmptyInlineTags),
            _ => reply(ReasoningForm::InlineTags),
        };
    }
    let budgets = v >= BUDGETS_SINCE;
    // 1. The JSON type of `think`, checked while binding the body (before the model lookup).
    let enabled = match think {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) if v < (0, 11, 0) => {
            let kind = match other {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Array(_) => "array",
                _ => "object",
            };
            let route = if generate {
                "GenerateRequest"
            } else {
                "ChatRequest"
            };
            return reject(
                400,
                format!(
                    "json: cannot unmarshal {kind} into Go struct field {route}.think of type bool"
                ),
            );
        }
        Some(Value::String(s)) => {
            let mut known = vec!["high", "medium", "low"];
            if v >= (0, 22, 0) {
                known.push("max");
            }
            if budgets {
                known.extend(["minimal", "xhigh"]);
            }
            if !known.contains(&s.as_str()) {
                return reject(400, invalid_level(s, v, budgets));
            }
            Some(true)
        }
        Some(Value::Number(n)) if budgets => {
            if n.as_u64().is_none_or(|n| n == 0) {
                return reject(400, BAD_BUDGET.to_owned());
            }
            Some(true)
        }
        Some(_) => return reject(400, wrong_type(v, budgets)),
    };
    // 2. The model lookup.
    if family == Family::GptOss && v < (0, 11, 0) {
        return reject(404, not_found_old(model));
    }
    // 3. The capability check.
    if !family.thinks() {
        let short = v >= (0, 12, 4);
        let rejected = match enabled {
            Some(true) => true,
            Some(false) => v == (0, 12, 4),
            None => false,
        };
        if rejected {
            let error = if short {
                format!("\"{model}\" does not support thinking")
            } else {
                format!("registry.ollama.ai/library/{model} does not support thinking")
            };
            return reject(400, error);
        }
        return reply(ReasoningForm::None);
    }
    let is_level = matches!(think, Some(Value::String(_)));
    if is_level && family != Family::GptOss && v < (0, 17, 7) {
        let level = think.and_then(Value::as_str).unwrap_or_default();
        return reject(
            400,
            format!("think value \"{level}\" is not supported for this model"),
        );
    }
    // 4. What the model and the parsers produce.
    let budget = budgets
        .then(|| {
            think
                .filter(|t| !t.is_boolean())
                .map(|t| (t.clone(), tokens_for(t)))
        })
        .flatten();
    let form = match family {
        Family::GptOss if raw => ReasoningForm::Harmony,
        // The harmony parser always runs: gpt-oss reasons even with `false`.
        Family::GptOss => ReasoningForm::Field,
        _ => match enabled {
            Some(false) => ReasoningForm::None,
            Some(true) if raw => ReasoningForm::InlineTags,
            Some(true) => ReasoningForm::Field,
            // Unset: v0.12.4+ turns thinking on for thinking models; before, no parser ran.
            None if v >= (0, 12, 4) && !raw => ReasoningForm::Field,
            None if family == Family::Qwen3 && prompt.contains("/no_think") => {
                ReasoningForm::EmptyInlineTags
            }
            None => ReasoningForm::InlineTags,
        },
    };
    Outcome::Reply { form, budget }
}

fn reply(form: ReasoningForm) -> Outcome {
    Outcome::Reply { form, budget: None }
}

fn not_found_old(model: &str) -> String {
    format!("model \"{model}\" not found, try pulling it first")
}

fn invalid_level(s: &str, v: (u32, u32, u32), budgets: bool) -> String {
    if budgets {
        format!(
            "invalid think value: \"{s}\" (must be \"minimal\", \"low\", \"medium\", \"high\", \"max\", \"xhigh\", true, false, or a positive integer)"
        )
    } else if v >= (0, 22, 0) {
        format!(
            "invalid think value: \"{s}\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)"
        )
    } else {
        format!(
            "invalid think value: \"{s}\" (must be \"high\", \"medium\", \"low\", true, or false)"
        )
    }
}

fn wrong_type(v: (u32, u32, u32), budgets: bool) -> String {
    if budgets {
        BAD_BUDGET.to_owned()
    } else if v >= (0, 22, 0) {
        "think must be a boolean or string (\"high\", \"medium\", \"low\", \"max\", true, or false)"
            .to_owned()
    } else {
        "think must be a boolean or string (\"high\", \"medium\", \"low\", true, or false)"
            .to_owned()
    }
}

/// The budget in tokens a budget server resolves `think` to, for the default 4096-token window.
fn tokens_for(think: &Value) -> u64 {
    const WINDOW: u64 = 4096;
    match think {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => match s.as_str() {
            "minimal" => WINDOW / 16,
            "low" => WINDOW / 8,
            "medium" => WINDOW / 4,
            "high" => WINDOW / 2,
            _ => WINDOW * 4 / 5,
        },
        _ => 0,
    }
}

impl Outcome {
    /// The content text of the reply, reasoning markup included ([`ReasoningForm`]).
    fn content(form: ReasoningForm) -> String {
        match form {
            ReasoningForm::InlineTags => format!("<think>\n{REASONING}\n</think>\n\n{ANSWER}"),
            ReasoningForm::EmptyInlineTags => format!("<think>\n\n</think>\n\n{ANSWER}"),
            ReasoningForm::Harmony => format!(
                "<|channel|>analysis<|message|>{REASONING}<|end|><|start|>assistant<|channel|>final<|message|>{ANSWER}"
            ),
            ReasoningForm::Field | ReasoningForm::None => ANSWER.to_owned(),
        }
    }

    /// The `/api/chat` reply for `model`, streamed (NDJSON, the reasoning and the content cut
    /// in pieces) or whole.
    pub fn chat_reply(&self, model: &str, stream: bool) -> Reply {
        self.render(model, stream, false)
    }

    /// The `/api/generate` reply for `model`.
    pub fn generate_reply(&self, model: &str, stream: bool) -> Reply {
        self.render(model, stream, true)
    }

    fn render(&self, model: &str, stream: bool, generate: bool) -> Reply {
        let (form, budget) = match self {
            Self::Reject { status, error } => return Reply::status_json(*status, error),
            Self::Reply { form, budget } => (*form, budget),
        };
        let thinking = if form == ReasoningForm::Field {
            REASONING
        } else {
            ""
        };
        let content = Self::content(form);
        let line = |thinking: &str, content: &str, done: bool| {
            let mut line = if generate {
                json!({"model": model, "created_at": "2026-12-06T10:00:00Z", "response": content, "done": done})
            } else {
                json!({"model": model, "created_at": "2026-12-06T10:00:00Z",
                    "message": {"role": "assistant", "content": content}, "done": done})
            };
            if !thinking.is_empty() {
                if generate {
                    line["thinking"] = thinking.into();
                } else {
                    line["message"]["thinking"] = thinking.into();
                }
            }
            if done {
                line["done_reason"] = "stop".into();
                line["eval_count"] = 12.into();
                if let Some((value, tokens)) = budget {
                    line["think_budget"] = value.clone();
                    line["think_budget_tokens"] = (*tokens).into();
                }
            }
            line
        };
        if !stream {
            return Reply::body(200, JSON_UTF8, line(thinking, &content, true).to_string());
        }
        let mut lines = Vec::new();
        for piece in pieces(thinking) {
            lines.push(line(piece, "", false));
        }
        for piece in pieces(&content) {
            lines.push(line("", piece, false));
        }
        lines.push(line("", "", true));
        Reply::ndjson(lines)
    }
}

/// `text` in pieces of at most 7 bytes (at char boundaries): tags get cut across lines.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(7);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

/// The `/api/show` capabilities a server at `version` reports for `family`.
pub fn capabilities(version: &str, family: Family) -> Vec<&'static str> {
    let v = parse_version(version);
    if v < (0, 6, 4) {
        return Vec::new();
    }
    let mut caps = vec!["completion"];
    if family != Family::NoThinking {
        caps.push("tools");
    }
    if family.thinks() && v >= (0, 9, 0) {
        caps.push("thinking");
    }
    caps
}

/// An emulated server: its version and the models it has.
#[derive(Debug, Clone)]
pub struct Emulation {
    /// What `/api/version` answers.
    pub version: String,
    /// The models it has, by exact name.
    pub models: Vec<(String, Family)>,
}

impl Emulation {
    /// A server at `version` with `qwen3:8b`, `deepseek-r1:8b`, `gpt-oss:20b` and `gemma3:4b`.
    pub fn new(version: &str) -> Self {
        Self {
            version: version.to_owned(),
            models: vec![
                ("qwen3:8b".to_owned(), Family::Qwen3),
                ("deepseek-r1:8b".to_owned(), Family::DeepSeekR1),
                ("gpt-oss:20b".to_owned(), Family::GptOss),
                ("gemma3:4b".to_owned(), Family::NoThinking),
            ],
        }
    }

    /// The model named `name` in the emulation, if any (gpt-oss does not exist before v0.11).
    pub fn family(&self, name: &str) -> Option<Family> {
        let family = self
            .models
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| *f)?;
        let missing = family == Family::GptOss && parse_version(&self.version) < (0, 11, 0);
        (!missing).then_some(family)
    }

    /// The reply to `method path` with JSON `body`, or `None` for a route it does not emulate.
    pub fn reply(&self, method: &str, path: &str, body: &[u8]) -> Option<Reply> {
        if path == "/api/version" && matches!(method, "GET" | "HEAD") {
            let body = json!({"version": self.version}).to_string();
            return Some(Reply::body(200, JSON_UTF8, body));
        }
        if method != "POST" || !matches!(path, "/api/show" | "/api/chat" | "/api/generate") {
            return None;
        }
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return Some(Reply::status_json(400, "invalid JSON body"));
        };
        let name = request
            .get("model")
            .or_else(|| request.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let generate = path == "/api/generate";
        let family = self.family(name);
        if path == "/api/show" {
            let Some(family) = family else {
                return Some(Reply::status_json(
                    404,
                    &format!("model '{name}' not found"),
                ));
            };
            let show = json!({
                "modelfile": "", "parameters": "", "template": "{{ .Prompt }}",
                "details": {"format": "gguf", "family": family.show_family(),
                    "families": [family.show_family()], "parameter_size": "8B",
                    "quantization_level": "Q4_K_M"},
                "model_info": {"general.architecture": family.show_family()},
                "capabilities": capabilities(&self.version, family),
                "modified_at": "2026-12-01T10:00:00Z",
            });
            return Some(Reply::body(200, JSON_UTF8, show.to_string()));
        }
        let think = request.get("think").filter(|t| !t.is_null());
        let prompt = if generate {
            request
                .get("prompt")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        } else {
            last_user_text(&request)
        };
        let raw = request.get("raw").and_then(Value::as_bool).unwrap_or(false);
        let stream = request
            .get("stream")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let known = self.models.iter().find(|(n, _)| n == name).map(|(_, f)| *f);
        let outcome = match known {
            Some(family) => emulate(&self.version, family, name, think, &prompt, generate, raw),
            None => Outcome::Reject {
                status: 404,
                error: format!("model '{name}' not found"),
            },
        };
        Some(if generate {
            outcome.generate_reply(name, stream)
        } else {
            outcome.chat_reply(name, stream)
        })
    }
}

fn last_user_text(request: &Value) -> String {
    let messages = request.get("messages").and_then(Value::as_array);
    messages
        .into_iter()
        .flatten()
        .rev()
        .find(|m| {
            matches!(
                m.get("role").and_then(Value::as_str),
                Some("user" | "system")
            )
        })
        .and_then(|m| m.get("content").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: Family = Family::Qwen3;
    const D: Family = Family::DeepSeekR1;
    const G: Family = Family::GptOss;
    const N: Family = Family::NoThinking;

    fn run(version: &str, family: Family, think: Option<Value>) -> Outcome {
        let model = match family {
            Q => "qwen3:8b",
            D => "deepseek-r1:8b",
            G => "gpt-oss:20b",
            N => "gemma3:4b",
        };
        emulate(
            version,
            family,
            model,
            think.as_ref(),
            "2 + 2?",
            false,
            false,
        )
    }

    fn form(f: ReasoningForm) -> Outcome {
        reply(f)
    }

    fn err(status: u16, text: &str) -> Outcome {
        Outcome::Reject {
            status,
            error: text.to_owned(),
        }
    }

    #[test]
    #[allow(clippy::redundant_clone)] // one value per row reads better than a clone per use
    fn history_table() {
        use ReasoningForm::{Field, InlineTags, None as Plain};
        let t = json!(true);
        let f = json!(false);
        let high = json!("high");
        let max = json!("max");
        let cases: Vec<(&str, Family, Option<Value>, Outcome)> = vec![
            // Before v0.9: ignored, inline tags, gpt-oss missing.
            ("0.8.0", Q, Some(t.clone()), form(InlineTags)),
            ("0.8.0", D, Some(json!(512)), form(InlineTags)),
            ("0.8.0", N, Some(high.clone()), form(Plain)),
            (
                "0.8.0",
                G,
                Some(f.clone()),
                err(404, "model \"gpt-oss:20b\" not found, try pulling it first"),
            ),
            // v0.9–v0.10: bool only, type error before the model lookup.
            (
                "0.9.6",
                Q,
                Some(high.clone()),
                err(
                    400,
                    "json: cannot unmarshal string into Go struct field ChatRequest.think of type bool",
                ),
            ),
            (
                "0.10.1",
                G,
                Some(high.clone()),
                err(
                    400,
                    "json: cannot unmarshal string into Go struct field ChatRequest.think of type bool",
                ),
            ),
            (
                "0.10.1",
                G,
                Some(t.clone()),
                err(404, "model \"gpt-oss:20b\" not found, try pulling it first"),
            ),
            ("0.9.6", Q, None, form(InlineTags)),
            ("0.9.6", Q, Some(t.clone()), form(Field)),
            ("0.9.6", D, Some(f.clone()), form(Plain)),
            (
                "0.9.6",
                N,
                Some(t.clone()),
                err(
                    400,
                    "registry.ollama.ai/library/gemma3:4b does not support thinking",
                ),
            ),
            ("0.9.6", N, Some(f.clone()), form(Plain)),
            // v0.11–v0.17.6: levels on gpt-oss only; gpt-oss reasons with false.
            ("0.11.4", G, Some(f.clone()), form(Field)),
            ("0.11.4", G, Some(high.clone()), form(Field)),
            (
                "0.11.4",
                Q,
                Some(high.clone()),
                err(400, "think value \"high\" is not supported for this model"),
            ),
            (
                "0.11.4",
                G,
                Some(max.clone()),
                err(
                    400,
                    "invalid think value: \"max\" (must be \"high\", \"medium\", \"low\", true, or false)",
                ),
            ),
            (
                "0.12.4",
                N,
                Some(f.clone()),
                err(400, "\"gemma3:4b\" does not support thinking"),
            ),
            ("0.12.4", Q, None, form(Field)),
            ("0.12.5", N, Some(f.clone()), form(Plain)),
            (
                "0.12.5",
                N,
                Some(t.clone()),
                err(400, "\"gemma3:4b\" does not support thinking"),
            ),
            // v0.17.7–v0.21: levels everywhere, max still rejected.
            ("0.17.7", Q, Some(high.clone()), form(Field)),
            (
                "0.21.0",
                D,
                Some(max.clone()),
                err(
                    400,
                    "invalid think value: \"max\" (must be \"high\", \"medium\", \"low\", true, or false)",
                ),
            ),
            (
                "0.21.0",
                Q,
                Some(json!(512)),
                err(
                    400,
                    "think must be a boolean or string (\"high\", \"medium\", \"low\", true, or false)",
                ),
            ),
            // v0.22+: max; budgets still a type error.
            ("0.22.0", G, Some(max.clone()), form(Field)),
            (
                "0.33.0",
                Q,
                Some(json!(512)),
                err(
                    400,
                    "think must be a boolean or string (\"high\", \"medium\", \"low\", \"max\", true, or false)",
                ),
            ),
            (
                "0.33.0",
                Q,
                Some(json!("minimal")),
                err(
                    400,
                    "invalid think value: \"minimal\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)",
                ),
            ),
            // Budget servers (assumed v0.35).
            ("0.35.0", Q, Some(json!(0)), err(400, BAD_BUDGET)),
            (
                "0.35.0",
                N,
                Some(json!(512)),
                err(400, "\"gemma3:4b\" does not support thinking"),
            ),
        ];
        for (version, family, think, want) in cases {
            let got = run(version, family, think.clone());
            assert_eq!(got, want, "{version} {family:?} {think:?}");
        }
    }

    #[test]
    fn budgets_echo_what_was_sent() {
        let got = run("0.35.0", Q, Some(json!(512)));
        assert_eq!(
            got,
            Outcome::Reply {
                form: ReasoningForm::Field,
                budget: Some((json!(512), 512))
            }
        );
        let got = run("0.35.1", G, Some(json!("high")));
        assert_eq!(
            got,
            Outcome::Reply {
                form: ReasoningForm::Field,
                budget: Some((json!("high"), 2048))
            }
        );
    }

    #[test]
    fn soft_switch_and_raw() {
        let no_think = emulate(
            "0.8.0",
            Q,
            "qwen3:8b",
            None,
            "2 + 2? /no_think",
            false,
            false,
        );
        assert_eq!(no_think, form(ReasoningForm::EmptyInlineTags));
        let raw = emulate("0.30.0", G, "gpt-oss:20b", None, "x", true, true);
        assert_eq!(raw, form(ReasoningForm::Harmony));
    }

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("0.33.0-testkit"), (0, 33, 0));
        assert_eq!(parse_version("v0.21.3-rc0"), (0, 21, 3));
        assert_eq!(parse_version("0.9"), (0, 9, 0));
        assert_eq!(parse_version("garbage"), (0, 0, 0));
        assert_eq!(capabilities("0.8.0", Q), ["completion", "tools"]);
        assert_eq!(
            capabilities("0.9.0", Q),
            ["completion", "tools", "thinking"]
        );
        assert_eq!(capabilities("0.30.0", N), ["completion"]);
        assert!(capabilities("0.6.0", Q).is_empty());
    }

    fn body_of(reply: &Reply) -> Vec<Value> {
        let (crate::body::Body::Single(bytes) | crate::body::Body::Lines(bytes)) = &reply.body
        else {
            return Vec::new();
        };
        let text = String::from_utf8_lossy(bytes);
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_default())
            .collect()
    }

    #[test]
    fn replies_render_each_form() {
        let inline = body_of(&form(ReasoningForm::InlineTags).chat_reply("qwen3:8b", false));
        assert_eq!(
            inline[0]["message"]["content"],
            format!("<think>\n{REASONING}\n</think>\n\n{ANSWER}")
        );
        assert!(inline[0]["message"].get("thinking").is_none());
        let field = body_of(&form(ReasoningForm::Field).generate_reply("qwen3:8b", true));
        let thinking: String = field
            .iter()
            .filter_map(|l| l["thinking"].as_str())
            .collect();
        let response: String = field
            .iter()
            .filter_map(|l| l["response"].as_str())
            .collect();
        assert_eq!((thinking.as_str(), response.as_str()), (REASONING, ANSWER));
        assert_eq!(field.last().map(|l| l["done"].clone()), Some(json!(true)));
        let rejected = err(400, "x").chat_reply("m", true);
        assert_eq!(rejected.status, 400);
    }

    #[test]
    fn the_server_routes() {
        let e = Emulation::new("0.30.0");
        let show = e.reply("POST", "/api/show", br#"{"model":"gpt-oss:20b"}"#);
        let show = body_of(&show.unwrap_or_else(|| Reply::status_empty(500)));
        assert_eq!(
            show[0]["capabilities"],
            json!(["completion", "tools", "thinking"])
        );
        assert_eq!(show[0]["details"]["family"], "gptoss");
        let missing = e.reply("POST", "/api/show", br#"{"model":"nope"}"#);
        assert_eq!(missing.map(|r| r.status), Some(404));
        let version = e.reply("GET", "/api/version", b"");
        assert_eq!(
            body_of(&version.unwrap_or_else(|| Reply::status_empty(500)))[0]["version"],
            "0.30.0"
        );
        assert!(e.reply("GET", "/api/tags", b"").is_none());
        let chat = e.reply(
            "POST",
            "/api/chat",
            br#"{"model":"gemma3:4b","messages":[{"role":"user","content":"hi"}],"think":true}"#,
        );
        assert_eq!(chat.map(|r| r.status), Some(400));
    }
}
