//! The script file: models, server version and scripted replies in JSON, for the binary's
//! `--script FILE` (and [`Script::apply`] in code).
//!
//! ```json
//! {
//!   "version": "0.12.0",
//!   "models": [
//!     {"name": "echo"},
//!     {"name": "qwen3:8b", "family": "qwen3", "thinking": "field", "tools": true,
//!      "reply": {"turns": [
//!        {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
//!        {"content": "Sunny, 22 °C.", "thinking": "The tool answered."}]},
//!      "pacing": {"first_token_ms": 100, "tokens_per_second": 50}},
//!     {"name": "gpt-oss:20b", "family": "gpt-oss", "thinking": "harmony", "reply": {"text": "Hi."}},
//!     {"name": "nomic-embed-text", "embedding_length": 768}
//!   ],
//!   "replies": [
//!     {"match": {"path": "/api/chat", "text": "quota"}, "quota": {"account": "ana"}},
//!     {"match": {"model": "flaky"}, "status": 503, "error": "busy", "retry_after": 2, "times": 2},
//!     {"match": {"text": "crash"}, "default": true, "error_line_after": {"lines": 2, "message": "boom"}}
//!   ]
//! }
//! ```
//!
//! A model takes the fields of [`Model`] (`name` required; `reply` is `"echo"`, `{"text": …}`
//! or `{"turns": […]}`; `thinking` is `none`, `field`, `inline_tags` or `harmony`). A reply
//! takes a `match` (`path`, `model`, `text`), `times` (default 1) or `"always": true`, a
//! `status` (default 200) and at most one body: `error` (Ollama's `{"error": …}`), `json`,
//! `text`, `html`, `lines` (an NDJSON stream), `quota` (`{"account": NAME, "weekly": bool}`),
//! `"default": true` (the model's own answer) or none (empty); then any of `headers`,
//! `retry_after`, `delay_before_head_ms`, `delay_between_writes_ms`, `error_line_after`
//! (`{"lines", "message"}`), `close_after_lines`, `stall` (`{"after_lines", "ms"}`),
//! `abort_after_bytes`, `reset_after_bytes`, `close_connection`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::model::Model;
use crate::reply::{JSON_UTF8, Match, Reply};
use crate::server::Builder;

/// A parsed script file.
///
/// ```
/// let script = ollama_standin::script::Script::parse(r#"{"models": [{"name": "echo"}]}"#).unwrap();
/// let server = script.apply(ollama_standin::Server::builder()).unwrap().start().unwrap();
/// # drop(server);
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Script {
    /// The server version (`/api/version`, thinking behaviour).
    pub version: Option<String>,
    /// The models served.
    pub models: Vec<Model>,
    /// Scripted replies, first match wins.
    pub replies: Vec<ScriptedReply>,
}

/// Where a script is wrong.
///
/// ```
/// let err = ollama_standin::script::Script::parse("{").unwrap_err();
/// assert!(err.to_string().contains("EOF"));
/// ```
#[derive(Debug)]
pub struct ScriptError(String);

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScriptError {}

impl Script {
    /// Parses a script from its JSON text.
    ///
    /// # Errors
    /// A [`ScriptError`] with the line and column of bad JSON or of an unknown field, or the
    /// index of a reply that names two bodies.
    ///
    /// ```
    /// let script = ollama_standin::script::Script::parse(r#"{"version": "0.12.0"}"#).unwrap();
    /// assert_eq!(script.version.as_deref(), Some("0.12.0"));
    /// ```
    pub fn parse(text: &str) -> Result<Self, ScriptError> {
        let script: Self =
            serde_json::from_str(text).map_err(|err| ScriptError(err.to_string()))?;
        for (index, reply) in script.replies.iter().enumerate() {
            reply
                .to_reply()
                .map_err(|err| ScriptError(format!("replies[{index}]: {err}")))?;
        }
        for (index, model) in script.models.iter().enumerate() {
            if model.name.is_empty() {
                return Err(ScriptError(format!("models[{index}]: `name` is required")));
            }
        }
        Ok(script)
    }

    /// Adds the script's version, models and replies to `builder`.
    ///
    /// # Errors
    /// A [`ScriptError`] naming the first reply that names two bodies (possible when the
    /// script was built in code rather than [parsed](Self::parse)).
    ///
    /// ```
    /// use ollama_standin::{Server, script::Script};
    /// let script = Script::parse(r#"{"models": [{"name": "m", "reply": {"text": "hi"}}]}"#).unwrap();
    /// let server = script.apply(Server::builder()).unwrap().start().unwrap();
    /// # drop(server);
    /// ```
    pub fn apply(&self, mut builder: Builder) -> Result<Builder, ScriptError> {
        if let Some(version) = &self.version {
            builder = builder.version(version);
        }
        builder = builder.models(self.models.iter().cloned());
        for (index, reply) in self.replies.iter().enumerate() {
            let reply = reply
                .to_reply()
                .map_err(|err| ScriptError(format!("replies[{index}]: {err}")))?;
            builder = builder.reply(reply);
        }
        Ok(builder)
    }
}

/// The `match` of a scripted reply.
///
/// ```
/// let script = ollama_standin::script::Script::parse(
///     r#"{"replies": [{"match": {"path": "/api/chat", "model": "m", "text": "boom"}, "error": "x"}]}"#,
/// ).unwrap();
/// assert_eq!(script.replies[0].matcher.text.as_deref(), Some("boom"));
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScriptMatch {
    /// Request path.
    pub path: Option<String>,
    /// Model named in the body.
    pub model: Option<String>,
    /// Text in the prompt or a message.
    pub text: Option<String>,
}

/// `{"account": NAME, "weekly": bool}`.
///
/// ```
/// let script = ollama_standin::script::Script::parse(r#"{"replies": [{"quota": {"account": "ana", "weekly": true}}]}"#).unwrap();
/// assert!(script.replies[0].quota.as_ref().unwrap().weekly);
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// The account name in the message.
    pub account: String,
    /// The weekly limit instead of the session one.
    #[serde(default)]
    pub weekly: bool,
}

/// `{"lines": n, "message": text}`.
///
/// ```
/// let script = ollama_standin::script::Script::parse(r#"{"replies": [{"default": true, "error_line_after": {"lines": 2, "message": "boom"}}]}"#).unwrap();
/// assert_eq!(script.replies[0].error_line_after.as_ref().unwrap().lines, 2);
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorLine {
    /// Lines sent before the error line.
    pub lines: usize,
    /// Its message.
    pub message: String,
}

/// `{"after_lines": n, "ms": t}`.
///
/// ```
/// let script = ollama_standin::script::Script::parse(r#"{"replies": [{"default": true, "stall": {"after_lines": 1, "ms": 5000}}]}"#).unwrap();
/// assert_eq!(script.replies[0].stall.as_ref().unwrap().ms, 5000);
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stall {
    /// Lines sent before the stall.
    pub after_lines: u64,
    /// How long it lasts.
    pub ms: u64,
}

/// One reply of a script (see the module docs for the fields).
///
/// ```
/// let script = ollama_standin::script::Script::parse(r#"{"replies": [{"status": 503, "error": "busy", "retry_after": 2}]}"#).unwrap();
/// assert_eq!(script.replies[0].to_reply().unwrap().status(), 503);
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScriptedReply {
    /// Which requests it answers (`"match"` in the file).
    #[serde(rename = "match")]
    pub matcher: ScriptMatch,
    /// How many matching requests it answers (default 1).
    pub times: Option<usize>,
    /// Answer every matching request.
    pub always: bool,
    /// The status (default 500 with `error`, else 200; `quota` is always 429).
    pub status: Option<u16>,
    /// Body: Ollama's `{"error": …}` with this text (`application/json`).
    pub error: Option<String>,
    /// Body: this JSON value (`application/json; charset=utf-8`).
    pub json: Option<Value>,
    /// Body: this text (`text/plain; charset=utf-8`).
    pub text: Option<String>,
    /// Body: this HTML (`text/html; charset=utf-8`).
    pub html: Option<String>,
    /// Body: an NDJSON stream of these values.
    pub lines: Option<Vec<Value>>,
    /// Body: the cloud's spent-quota 429.
    pub quota: Option<Quota>,
    /// Body: the model's own answer, with this entry's faults and headers.
    pub default: bool,
    /// Extra response headers.
    pub headers: BTreeMap<String, String>,
    /// A `Retry-After` header, in seconds.
    pub retry_after: Option<u64>,
    /// Slow headers: wait this long before the status line.
    pub delay_before_head_ms: Option<u64>,
    /// Pause between body writes.
    pub delay_between_writes_ms: Option<u64>,
    /// A mid-stream error line after some lines.
    pub error_line_after: Option<ErrorLine>,
    /// Truncation: end the body cleanly after this many lines.
    pub close_after_lines: Option<usize>,
    /// A stall after some lines.
    pub stall: Option<Stall>,
    /// Close the socket (FIN) after this many body bytes.
    pub abort_after_bytes: Option<u64>,
    /// Reset the connection (RST) after this many body bytes.
    pub reset_after_bytes: Option<u64>,
    /// Answer with `Connection: close`.
    pub close_connection: bool,
}

impl ScriptedReply {
    /// The [`Reply`] this entry describes.
    ///
    /// # Errors
    /// When it names more than one body.
    ///
    /// ```
    /// let reply: ollama_standin::script::ScriptedReply = serde_json::from_str(r#"{"html": "<p>down</p>", "status": 502}"#).unwrap();
    /// assert_eq!(reply.to_reply().unwrap().status(), 502);
    /// ```
    pub fn to_reply(&self) -> Result<Reply, String> {
        let bodies = [
            self.error.is_some(),
            self.json.is_some(),
            self.text.is_some(),
            self.html.is_some(),
            self.lines.is_some(),
            self.quota.is_some(),
            self.default,
        ];
        if bodies.iter().filter(|b| **b).count() > 1 {
            return Err(
                "give at most one of error, json, text, html, lines, quota, default".to_owned(),
            );
        }
        let status = self.status;
        let mut reply = if let Some(message) = &self.error {
            Reply::status_json(status.unwrap_or(500), message)
        } else if let Some(json) = &self.json {
            Reply::body(status.unwrap_or(200), JSON_UTF8, json.to_string())
        } else if let Some(text) = &self.text {
            Reply::status_text(status.unwrap_or(200), text)
        } else if let Some(html) = &self.html {
            Reply::status_html(status.unwrap_or(200), html)
        } else if let Some(lines) = &self.lines {
            Reply::ndjson(lines).with_status(status.unwrap_or(200))
        } else if let Some(quota) = &self.quota {
            Reply::quota_exceeded(&quota.account, quota.weekly)
        } else if self.default {
            Reply::model_default()
        } else {
            Reply::status_empty(status.unwrap_or(200))
        };
        reply = reply.matching(Match {
            path: self.matcher.path.clone(),
            model: self.matcher.model.clone(),
            text: self.matcher.text.clone(),
        });
        reply = if self.always {
            reply.always()
        } else {
            reply.times(self.times.unwrap_or(1))
        };
        for (name, value) in &self.headers {
            reply = reply.header(name, value);
        }
        if let Some(secs) = self.retry_after {
            reply = reply.retry_after(secs);
        }
        if let Some(ms) = self.delay_before_head_ms {
            reply = reply.delay_before_head(Duration::from_millis(ms));
        }
        if let Some(ms) = self.delay_between_writes_ms {
            reply = reply.delay_between_writes(Duration::from_millis(ms));
        }
        if let Some(line) = &self.error_line_after {
            reply = reply.error_line_after(line.lines, &line.message);
        }
        if let Some(lines) = self.close_after_lines {
            reply = reply.close_after_lines(lines);
        }
        if let Some(stall) = &self.stall {
            reply = reply.stall_after_lines(stall.after_lines, Duration::from_millis(stall.ms));
        }
        if let Some(bytes) = self.abort_after_bytes {
            reply = reply.abort_after_bytes(bytes);
        }
        if let Some(bytes) = self.reset_after_bytes {
            reply = reply.reset_after_bytes(bytes);
        }
        if self.close_connection {
            reply = reply.close_connection();
        }
        Ok(reply)
    }
}
