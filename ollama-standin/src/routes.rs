//! The default answer to a request when no scripted reply matches: the configured model's own
//! answer, synthesised endpoints, blobs, and the recording that best matches the request.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use crate::http::Request;
use crate::model::Model;
use crate::recording::{Recording, Route, model_of, split_lines};
use crate::reply::{JSON_UTF8, Reply};
use crate::sha256;
use crate::synth::{self, Completion};

/// The version `/api/version` reports unless [`Builder::version`](crate::Builder::version)
/// sets another.
///
/// ```
/// assert!(ollama_standin::VERSION.starts_with("0.33.0"));
/// ```
pub const VERSION: &str = "0.33.0-standin";

/// Recordings loaded once per server, and how to pick one.
#[derive(Debug)]
pub(crate) struct Index {
    recordings: Vec<Recording>,
}

impl Index {
    pub(crate) fn new(mut recordings: Vec<Recording>) -> Self {
        // Preference order for every lookup: better provenance first, then by name.
        recordings.sort_by(|a, b| (a.tier_rank(), &a.name).cmp(&(b.tier_rank(), &b.name)));
        Self { recordings }
    }

    /// The recording for a request on `route`:
    /// (1) one whose request body equals `body` ignoring `stream` and what the server reads as
    ///     absent (`null` fields, `"format":""`), numbers compared by value (errors included);
    /// (2) a 200 one with the same model and streaming-ness;
    /// (3) if `any_model`, a 200 one with the same streaming-ness.
    pub(crate) fn find(
        &self,
        route: Route,
        body: Option<&Value>,
        any_model: bool,
    ) -> Option<&Recording> {
        let wants_stream = wants_stream(route, body);
        let on_route = || {
            self.recordings
                .iter()
                .filter(move |r| r.route == route && stream_of(r) == wants_stream)
        };
        if let Some(body) = body {
            let body = without_stream(body);
            let same =
                |r: &&Recording| r.request.as_ref().map(without_stream).as_ref() == Some(&body);
            let exact = on_route().find(same);
            if exact.is_some() {
                return exact;
            }
        }
        let model = body.and_then(model_of);
        let ok = || on_route().filter(|r| r.status == 200);
        if let Some(found) = ok().find(|r| r.model == model) {
            return Some(found);
        }
        if any_model || !route.takes_model() {
            return ok().next();
        }
        None
    }

    /// Whether no recordings were loaded.
    fn is_empty(&self) -> bool {
        self.recordings.is_empty()
    }

    /// The last line of a 200 stream on `route`: what a `stream:false` progress request returns.
    fn last_progress(&self, route: Route) -> Option<Vec<u8>> {
        let recording = self
            .recordings
            .iter()
            .find(|r| r.route == route && r.stream && r.status == 200)?;
        let last = split_lines(&recording.body).pop()?;
        Some(last.strip_suffix(b"\n").unwrap_or(last).to_vec())
    }
}

/// Whether a request asks for a stream: its `stream` field, else the route's default.
fn wants_stream(route: Route, body: Option<&Value>) -> bool {
    if !route.can_stream() {
        return false;
    }
    body.and_then(|b| b.get("stream"))
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// Streaming-ness a recording answers: its request's, which for error bodies differs from `.json`.
fn stream_of(recording: &Recording) -> bool {
    match &recording.request {
        Some(request) if recording.status != 200 => wants_stream(recording.route, Some(request)),
        _ => recording.stream,
    }
}

/// A request body in the form used for matching: without `stream`, without fields the server
/// reads as absent (`null`, and `"format":""`), every number as a float (`0` and `0.0` are the
/// same temperature). A typed client re-encoding a recorded request then matches it.
fn without_stream(value: &Value) -> Value {
    let mut value = normalise(value);
    if let Some(object) = value.as_object_mut() {
        object.remove("stream");
        object.retain(|key, v| !(v.is_null() || key == "format" && v == ""));
    }
    value
}

fn normalise(value: &Value) -> Value {
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        other => other.clone(),
    }
}

/// Everything besides the recordings that the default answer depends on.
pub(crate) struct Context<'a> {
    pub(crate) index: &'a Index,
    pub(crate) blobs: &'a mut HashSet<String>,
    pub(crate) any_model: bool,
    pub(crate) models: &'a [Model],
    /// No models and no recordings: every model name is an echo model.
    pub(crate) echo_any: bool,
    pub(crate) version: &'a str,
    /// Positions in `models` answered so far.
    pub(crate) loaded: &'a mut BTreeSet<usize>,
}

impl Context<'_> {
    /// The configured model called `name` (any name when `echo_any`: an echo model that
    /// reasons like its family, [`Model::named`]), marking it loaded.
    fn model(&mut self, name: &str, path: &str) -> Option<Model> {
        if let Some(at) = self.models.iter().position(|m| m.name == name) {
            if path != "/api/show" && path != "/api/pull" {
                self.loaded.insert(at);
            }
            return self.models.get(at).cloned();
        }
        if !self.echo_any {
            return None;
        }
        Some(match path {
            "/api/embed" | "/api/embeddings" => Model::embedding(name, 768),
            _ => Model::named(name),
        })
    }

    fn synthesises_lists(&self) -> bool {
        self.echo_any || !self.models.is_empty()
    }
}

/// The default reply to `request`.
pub(crate) fn default_reply(request: &Request, mut cx: Context<'_>) -> Reply {
    let method = request.method.as_str();
    let path = request.path();
    if let Some(reply) =
        crate::account_routes::reply(request).or_else(|| crate::decision_routes::reply(request))
    {
        return reply;
    }
    if let Some(digest) = path.strip_prefix("/api/blobs/") {
        return blob(method, digest, &request.body, cx.blobs);
    }
    let allowed: &[&str] = match path {
        "/" | "/api/version" | "/api/tags" => &["GET", "HEAD"],
        "/api/ps" => &["GET"],
        "/api/delete" => &["DELETE"],
        "/api/chat" | "/api/generate" | "/api/embed" | "/api/embeddings" | "/api/pull"
        | "/api/show" | "/api/copy" | "/api/push" | "/api/create" => &["POST"],
        _ => return Reply::status_text(404, "404 page not found"),
    };
    if !allowed.contains(&method) {
        return Reply::status_text(405, "405 method not allowed");
    }
    match path {
        "/" => return Reply::status_text(200, "Ollama is running"),
        "/api/version" => {
            return Reply::body(200, JSON_UTF8, json!({ "version": cx.version }).to_string());
        }
        _ => {}
    }
    let body = if method == "POST" || method == "DELETE" {
        match parse_json_body(&request.body) {
            Ok(body) => Some(body),
            Err(reply) => return *reply,
        }
    } else {
        None
    };
    if let Some(reply) = synthesised(path, body.as_ref(), &mut cx) {
        return reply;
    }
    match path {
        "/api/copy" | "/api/delete" => Reply::status_empty(200),
        "/api/push" | "/api/create" => progress(path, body.as_ref()),
        _ => recorded(path, body.as_ref(), &cx),
    }
}

/// The configured model's answer on `path`, if the request names one (or lists them).
fn synthesised(path: &str, body: Option<&Value>, cx: &mut Context<'_>) -> Option<Reply> {
    match path {
        "/api/tags" if cx.synthesises_lists() => return Some(synth::tags(cx.models)),
        "/api/ps" if cx.synthesises_lists() => {
            let models = cx.models;
            return Some(synth::ps(cx.loaded.iter().filter_map(|&i| models.get(i))));
        }
        _ => {}
    }
    let body = body?;
    let name = model_of(body)?;
    let Some(model) = cx.model(&name, path) else {
        // Pulling a model the (model-only) stand-in does not have fails the way a registry
        // miss does: 200, then an error line (reference §3.11).
        let unknown_pull = path == "/api/pull" && !cx.models.is_empty() && cx.index.is_empty();
        return unknown_pull.then(|| {
            Reply::ndjson([
                json!({"status": "pulling manifest"}),
                json!({"error": "pull model manifest: file does not exist"}),
            ])
        });
    };
    Some(match path {
        "/api/chat" => synth::completion(Completion::Chat, &model, body, cx.version),
        "/api/generate" => synth::completion(Completion::Generate, &model, body, cx.version),
        "/api/embed" => synth::embed(&model, body, false),
        "/api/embeddings" => synth::embed(&model, body, true),
        "/api/show" => synth::show(&model),
        "/api/pull" => synth::progress(&model, "pulling", body),
        "/api/push" => synth::progress(&model, "pushing", body),
        _ => return None,
    })
}

fn recorded(path: &str, body: Option<&Value>, cx: &Context<'_>) -> Reply {
    let Some(route) = Route::from_path(path) else {
        return Reply::status_text(404, "404 page not found");
    };
    if let Some(recording) = cx.index.find(route, body, cx.any_model) {
        return Reply::from_recording(recording);
    }
    let model = body.and_then(model_of).unwrap_or_default();
    if route == Route::Pull && !wants_stream(route, body) && cx.any_model {
        if let Some(last) = cx.index.last_progress(route) {
            return Reply::body(200, JSON_UTF8, last);
        }
    }
    Reply::status_json(404, &format!("model '{model}' not found"))
}

/// Go's `ShouldBindJSON` failures, as Ollama reports them.
fn parse_json_body(body: &[u8]) -> Result<Value, Box<Reply>> {
    if body.is_empty() {
        return Err(Box::new(Reply::status_json(400, "missing request body")));
    }
    serde_json::from_slice(body)
        .map_err(|err| Box::new(Reply::status_json(400, &format!("invalid JSON: {err}"))))
}

/// A short synthetic push/create progress stream ending in success.
fn progress(path: &str, body: Option<&Value>) -> Reply {
    let digest = "sha256:".to_owned() + &"5e".repeat(32);
    let lines: Vec<Value> = if path == "/api/push" {
        vec![
            json!({ "status": "retrieving manifest" }),
            json!({ "status": format!("pushing {}", &digest[7..19]), "digest": digest, "total": 1024 }),
            json!({ "status": format!("pushing {}", &digest[7..19]), "digest": digest, "total": 1024, "completed": 1024 }),
            json!({ "status": "pushing manifest" }),
            json!({ "status": "success" }),
        ]
    } else {
        vec![
            json!({ "status": format!("using existing layer {digest}") }),
            json!({ "status": "writing manifest" }),
            json!({ "status": "success" }),
        ]
    };
    let wants_stream = body
        .and_then(|b| b.get("stream"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if wants_stream {
        Reply::ndjson(lines)
    } else {
        Reply::body(200, JSON_UTF8, json!({ "status": "success" }).to_string())
    }
}

fn blob(method: &str, digest: &str, body: &[u8], blobs: &mut HashSet<String>) -> Reply {
    let hex = digest
        .strip_prefix("sha256:")
        .or_else(|| digest.strip_prefix("sha256-"))
        .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    let Some(hex) = hex else {
        return Reply::status_json(400, "invalid digest format");
    };
    let key = hex.to_ascii_lowercase();
    match method {
        "HEAD" if blobs.contains(&key) => Reply::status_empty(200),
        "HEAD" => Reply::status_json(404, "blob not found"),
        "POST" if blobs.contains(&key) => Reply::status_empty(200),
        "POST" => {
            let got = sha256::hex_digest(body);
            if got != key {
                let message =
                    format!("digest mismatch, expected \"sha256:{key}\", got \"sha256:{got}\"");
                return Reply::status_json(400, &message);
            }
            blobs.insert(key);
            Reply::status_empty(201)
        }
        _ => Reply::status_text(405, "405 method not allowed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_compare_by_meaning() {
        let recorded: Value = serde_json::from_str(
            r#"{"model":"m","format":"","x":null,"options":{"temperature":0},"stream":false}"#,
        )
        .unwrap_or_default();
        let sent: Value =
            serde_json::from_str(r#"{"model":"m","options":{"temperature":0.0},"stream":true}"#)
                .unwrap_or_default();
        assert_eq!(without_stream(&recorded), without_stream(&sent));
        let other: Value = serde_json::from_str(r#"{"model":"m","options":{"temperature":0.5}}"#)
            .unwrap_or_default();
        assert_ne!(without_stream(&recorded), without_stream(&other));
    }
}
