//! `POST /v1/systemone`, the decision API (experimental upstream): the documented request gets
//! the documented answer; any other well-formed request gets a made-up but well-formed one.
//! In a made-up answer the first option (choice), the highest level (score) or `true` (noul)
//! has probability 0.9 and the others share 0.1, with confidence 0.75.

use serde_json::{Map, Value, json};

use crate::http::Request;
use crate::reply::{JSON_UTF8, Reply};

/// The documented request (docs.ollama.com `api/systemone`).
pub const DOCUMENTED_DECISION_REQUEST: &str = r#"{"model":"nimble","state":"Our checkout has returned 500 errors since 9am.","questions":{"label":{"type":"choice","instructions":"Which label fits this ticket?","criteria":{"billing":"Payments and refunds","bug":"Software errors","account":"Login and account access"}}}}"#;

/// The documented answer to it.
pub const DOCUMENTED_DECISION_ANSWER: &str = r#"{"model":"nimble","answers":{"label":{"type":"choice","choice":"bug","probabilities":{"billing":0.0125,"bug":0.9781,"account":0.0093},"confidence":0.8906}},"usage":{"input_tokens":174,"output_tokens":1}}"#;

/// The reply for `/v1/systemone`, or `None` for any other path.
pub(crate) fn reply(request: &Request) -> Option<Reply> {
    if request.path() != "/v1/systemone" {
        return None;
    }
    if request.method != "POST" {
        return Some(Reply::status_text(405, "405 method not allowed"));
    }
    Some(match decide(&request.body) {
        Ok(answer) => Reply::body(200, JSON_UTF8, answer),
        Err(message) => Reply::status_json(400, &message),
    })
}

fn decide(body: &[u8]) -> Result<String, String> {
    let request: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let documented: Value = serde_json::from_str(DOCUMENTED_DECISION_REQUEST).unwrap_or_default();
    if request == documented {
        return Ok(DOCUMENTED_DECISION_ANSWER.to_owned());
    }
    let model = request["model"].as_str().filter(|m| !m.is_empty());
    let model = model.ok_or("model is required")?;
    let questions = request["questions"].as_object().filter(|q| !q.is_empty());
    let questions = questions.ok_or("questions are required")?;
    let mut answers = Map::new();
    for (name, question) in questions {
        answers.insert(name.clone(), answer(name, question)?);
    }
    Ok(json!({"model": model, "answers": answers,
        "usage": {"input_tokens": 100, "output_tokens": 1}})
    .to_string())
}

fn answer(name: &str, question: &Value) -> Result<Value, String> {
    let criteria = &question["criteria"];
    let options: Vec<String> = match criteria {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(levels) => (0..levels.len()).map(|i| i.to_string()).collect(),
        _ => Vec::new(),
    };
    match question["type"].as_str() {
        Some("choice") if !options.is_empty() => {
            let p = spread(&options, 0);
            Ok(
                json!({"type": "choice", "choice": options[0], "probabilities": p, "confidence": 0.75}),
            )
        }
        Some("score") if !options.is_empty() => {
            let top = options.len() - 1;
            let p = spread(&options, top);
            let score: f64 = p
                .values()
                .zip(0..)
                .map(|(p, i)| p.as_f64().unwrap_or(0.0) * f64::from(i))
                .sum();
            Ok(json!({"type": "score", "score": score, "probabilities": p, "confidence": 0.75}))
        }
        Some("noul") => Ok(json!({"type": "noul", "noul": 0.9,
            "probabilities": {"true": 0.9, "false": 0.1}})),
        Some(kind @ ("choice" | "score")) => {
            Err(format!("question {name:?}: a {kind} needs criteria"))
        }
        Some(other) => Err(format!("question {name:?}: unknown type {other:?}")),
        None => Err(format!("question {name:?}: type is required")),
    }
}

/// 0.9 for `options[winner]`, 0.1 shared by the rest (1.0 when there is no rest).
fn spread(options: &[String], winner: usize) -> Map<String, Value> {
    let rest = 0.1 / (options.len() - 1).max(1) as f64;
    let top = if options.len() == 1 { 1.0 } else { 0.9 };
    options
        .iter()
        .enumerate()
        .map(|(i, o)| (o.clone(), json!(if i == winner { top } else { rest })))
        .collect()
}
