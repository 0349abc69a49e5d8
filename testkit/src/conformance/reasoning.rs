//! Reasoning intents against emulated servers of every thinking era
//! ([`crate::thinking_emulation`]): the matrix of issue 26, the one fallback retry, and an
//! explicit `think` sent as it is.

use ollama_proto::reasoning::Reasoning;
use ollama_proto::types::{ChatRequest, Message, Think, ThinkLevel};

use super::support::status_of;
use super::*;
use crate::thinking_emulation::{ANSWER, Emulation, REASONING, parse_version};

/// One server per era: before v0.9, v0.9–v0.10, v0.11–v0.21 (v0.12.4, which refused `false` on
/// models without thinking; v0.17.0, levels on gpt-oss only; v0.20.0, levels everywhere), v0.22+,
/// current (budgets).
pub const ERAS: [&str; 7] = [
    "0.8.0", "0.10.1", "0.12.4", "0.17.0", "0.20.0", "0.30.0", "0.35.0",
];
/// The emulated models: qwen3, deepseek-r1, gpt-oss, and one without thinking.
pub const MODELS: [&str; 4] = ["qwen3:8b", "deepseek-r1:8b", "gpt-oss:20b", "gemma3:4b"];

/// The four intents of the matrix.
pub fn intents() -> [Reasoning; 4] {
    [
        Reasoning::Off,
        Reasoning::On,
        Reasoning::Effort(ThinkLevel::High),
        Reasoning::Budget(512),
    ]
}

fn ask(model: &str, intent: &Reasoning) -> ChatRequest {
    ChatRequest::new(model, [Message::user("What is 2 + 2?")]).reasoning(intent.clone())
}

/// Requests the server received on `path`.
fn count(server: &TestServer, path: &str) -> usize {
    server.requests().iter().filter(|r| r.path == path).count()
}

/// Requests on `path` naming `model`.
fn count_for(server: &TestServer, path: &str, model: &str) -> usize {
    let named = |r: &crate::ReceivedRequest| {
        r.json()
            .and_then(|v| v.get("model").and_then(|m| m.as_str().map(str::to_owned)))
            .as_deref()
            == Some(model)
    };
    server
        .requests()
        .iter()
        .filter(|r| r.path == path && named(r))
        .count()
}

/// Every era × model × intent, streamed and whole: with `Off` no reasoning reaches the answer;
/// otherwise the reasoning arrives as thinking when the model reasons; nothing but an
/// unavoidable 404 (gpt-oss before v0.11) reaches the caller; one `/api/version` per client
/// and one `/api/show` per model, whatever the number of calls; no fallback retry is needed
/// once the facts are known.
pub fn reasoning_matrix<T: Transport>(t: &T) {
    for era in ERAS {
        let server = TestServer::start();
        server.emulate(Emulation::new(era));
        let client = t.client(config_for(&server));
        let calls = matrix_on(t, &client, era, true);
        for model in MODELS {
            assert_eq!(
                count_for(&server, "/api/show", model),
                1,
                "{era} {model}: one show"
            );
        }
        assert_eq!(
            count(&server, "/api/version"),
            1,
            "{era}: one version per client"
        );
        assert_eq!(count(&server, "/api/chat"), calls, "{era}: no retries");
    }
}

/// The matrix with negotiation off: nothing is fetched, the intent is resolved for a current
/// server from the model's name, and every avoidable 400 is absorbed by the one fallback retry,
/// remembered so that each model costs at most one retry; every cell's answer is right.
pub fn reasoning_matrix_without_negotiation<T: Transport>(t: &T) {
    for era in ERAS {
        let server = TestServer::start();
        server.emulate(Emulation::new(era));
        let mut config = config_for(&server);
        config.negotiate_reasoning = false;
        let client = t.client(config);
        let calls = matrix_on(t, &client, era, false);
        assert_eq!(
            count(&server, "/api/show") + count(&server, "/api/version"),
            0,
            "{era}"
        );
        let chats = count(&server, "/api/chat");
        eprintln!("{era}: {chats} chat requests for {calls} calls without negotiation");
        assert!(
            chats <= calls + calls / 2,
            "{era}: {chats} requests for {calls} calls"
        );
    }
}

/// Runs every model × intent once whole and once streamed on `client`; returns the calls made.
fn matrix_on<T: Transport>(t: &T, client: &T::Client, era: &str, negotiated: bool) -> usize {
    let mut calls = 0;
    for model in MODELS {
        let exists = !(model.starts_with("gpt-oss") && parse_version(era) < (0, 11, 0));
        let reasons = !model.starts_with("gemma3");
        for intent in intents() {
            let cell = format!("{era} {model} {intent:?} (negotiated: {negotiated})");
            calls += 2;
            let whole = t.chat(client, ask(model, &intent));
            let streamed = t.chat_stream_reasoned(client, ask(model, &intent));
            if !exists {
                let s = status_of(whole.unwrap_err());
                assert_eq!(s.status, 404, "{cell}: {s:?}");
                let s = status_of(streamed.unwrap_err());
                assert_eq!(s.status, 404, "{cell}: {s:?}");
                continue;
            }
            let whole = whole.unwrap_or_else(|e| panic!("{cell}: {e:?}"));
            let (outcome, applied) = streamed.unwrap_or_else(|e| panic!("{cell}: {e:?}"));
            assert_eq!(outcome.failure, None, "{cell}");
            let (thinking, content) = texts(&outcome.events);
            assert_eq!(content, ANSWER, "{cell}: streamed answer");
            assert_eq!(whole.message.content, ANSWER, "{cell}: answer");
            let applied = applied.unwrap_or_else(|| panic!("{cell}: nothing applied"));
            if negotiated {
                assert_eq!(whole.reasoning.as_ref(), Some(&applied), "{cell}");
                assert_eq!(applied.fallback, None, "{cell}: no retry with known facts");
            }
            if intent == Reasoning::Off {
                assert!(applied.reasoning_hidden, "{cell}");
                assert_eq!(thinking, "", "{cell}: streamed reasoning");
                assert_eq!(whole.message.thinking, None, "{cell}: reasoning");
            } else if reasons {
                assert_eq!(thinking.trim_end(), REASONING, "{cell}: streamed reasoning");
                let got = whole.message.thinking.as_deref().map(str::trim_end);
                assert_eq!(got, Some(REASONING), "{cell}: reasoning");
            } else {
                assert_eq!(thinking, "", "{cell}");
                if negotiated {
                    assert_eq!(applied.think, None, "{cell}: nothing a 400 answers");
                }
            }
            let budgets = parse_version(era) >= (0, 35, 0);
            if negotiated && budgets && matches!(intent, Reasoning::Budget(_)) && reasons {
                assert_eq!(applied.think, Some(Think::Budget(512)), "{cell}");
                assert_eq!(whole.think_budget, Some(Think::Budget(512)), "{cell}");
                assert_eq!(whole.think_budget_tokens, Some(512), "{cell}");
            }
        }
    }
    calls
}

/// Without negotiation (nothing learned), a value the server rejects gets ONE retry with the
/// fallback the message allows, before any event; the lesson is kept, so the next call sends
/// the fallback at once; a model that cannot think gets no `think` after its 400.
pub fn reasoning_fallback_retries_once<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.emulate(Emulation::new("0.10.1"));
    let mut config = config_for(&server);
    config.negotiate_reasoning = false;
    let client = t.client(config);
    let high = Reasoning::Effort(ThinkLevel::High);

    let (outcome, applied) = t
        .chat_stream_reasoned(&client, ask("qwen3:8b", &high))
        .unwrap();
    let applied = applied.unwrap();
    let fallback = applied.fallback.clone().unwrap();
    assert_eq!(fallback.rejected, Think::Level(ThinkLevel::High));
    assert_eq!(
        fallback.message,
        "json: cannot unmarshal string into Go struct field ChatRequest.think of type bool"
    );
    assert_eq!(applied.think, Some(Think::Enabled(true)));
    assert_eq!(texts(&outcome.events).0.trim_end(), REASONING);
    assert_eq!(count(&server, "/api/chat"), 2);
    let sent: Vec<_> = server.requests().iter().filter_map(|r| r.json()).collect();
    assert_eq!(sent[0]["think"], "high");
    assert_eq!(sent[1]["think"], true);

    // The lesson: the next call sends `true` at once.
    let answer = t.chat(&client, ask("qwen3:8b", &high)).unwrap();
    assert_eq!(answer.reasoning.unwrap().fallback, None);
    assert_eq!(count(&server, "/api/chat"), 3);

    // A model without thinking: `true` is refused, then sent without `think`.
    let answer = t.chat(&client, ask("gemma3:4b", &Reasoning::On)).unwrap();
    let applied = answer.reasoning.unwrap();
    assert_eq!(applied.think, None);
    assert_eq!(
        applied.fallback.unwrap().message,
        "registry.ollama.ai/library/gemma3:4b does not support thinking"
    );
    assert_eq!(answer.message.content, ANSWER);
    assert_eq!(count(&server, "/api/chat"), 5);
    assert_eq!(
        count(&server, "/api/show") + count(&server, "/api/version"),
        0
    );

    // A second rejection is reported as it is: never a loop.
    server.push_reply(
        Reply::status_json(400, "think value \"x\" is not supported for this model")
            .for_path("/api/chat")
            .times(2),
    );
    let error = t.chat(&client, ask("deepseek-r1:8b", &high)).unwrap_err();
    assert_eq!(status_of(error).status, 400);
    assert_eq!(count(&server, "/api/chat"), 7);
}

/// An explicit `think` is sent exactly as set: no facts fetched, no retry, the server's 400 is
/// the caller's.
pub fn reasoning_explicit_think_is_sent_as_is<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.emulate(Emulation::new("0.10.1"));
    let client = t.client(config_for(&server));
    let request = ask("qwen3:8b", &Reasoning::Off).think(ThinkLevel::High);
    let s = status_of(t.chat(&client, request).unwrap_err());
    assert_eq!(
        (s.status, s.message.as_str()),
        (
            400,
            "json: cannot unmarshal string into Go struct field ChatRequest.think of type bool"
        )
    );
    assert_eq!(server.requests().len(), 1);
}

/// The request span says what the intent applied: the `think` the answer was made with,
/// whether reasoning was hidden, whether the fallback retry ran (and the attempts it took).
pub fn reasoning_is_on_the_span<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = crate::telemetry::SpanWatch::new(&server);
    server.emulate(Emulation::new("0.10.1"));
    let mut config = config_for(&server);
    config.negotiate_reasoning = false;
    let client = t.client(config);
    let request = ask("qwen3:8b", &Reasoning::Effort(ThinkLevel::High));
    let (outcome, _) = t.chat_stream_reasoned(&client, request).unwrap();
    assert_eq!(outcome.failure, None);
    let spans = watch.spans(1);
    assert_eq!(spans.len(), 1, "{spans:#?}");
    let span = &spans[0];
    assert_eq!(span.str("ollama.reasoning.think"), "true");
    assert!(!span.bool("ollama.reasoning.hidden"));
    assert!(span.bool("ollama.reasoning.fallback"));
    assert_eq!(span.int("ollama.attempts"), 2);
}

/// Bytes of a request as it crossed the wire (request line, headers, body; HTTP/1.1 framing).
fn wire_bytes(r: &crate::ReceivedRequest) -> usize {
    let head: usize = r.headers.iter().map(|(k, v)| k.len() + v.len() + 4).sum();
    r.method.len() + r.path.len() + " HTTP/1.1\r\n".len() + 1 + head + 2 + r.body.len()
}

/// Bytes of the body the emulated server answers `request` with.
fn answer_bytes(emulation: &Emulation, request: &crate::ReceivedRequest) -> usize {
    let reply = emulation.reply(&request.method, &request.path, &request.body);
    reply.and_then(|r| r.body_len()).unwrap_or(0)
}

/// What negotiation costs: the first call with an intent learns the version and the model at
/// once (two small requests, one round trip on the async transports); a later call to the same
/// model costs nothing; a new model costs one `/api/show`. Prints the measured bytes.
pub fn reasoning_costs_one_round_trip_per_model<T: Transport>(t: &T) {
    let emulation = Emulation::new("0.30.0");
    let server = TestServer::start();
    server.emulate(emulation.clone());
    let client = t.client(config_for(&server));
    let extra = |from: usize| -> (usize, usize, usize) {
        let requests = server.requests();
        let extra: Vec<_> = requests[from..]
            .iter()
            .filter(|r| r.path != "/api/chat")
            .collect();
        let sent = extra.iter().map(|r| wire_bytes(r)).sum();
        let received = extra.iter().map(|r| answer_bytes(&emulation, r)).sum();
        (extra.len(), sent, received)
    };
    let mut seen = 0;
    let mut costs = Vec::new();
    for (label, model) in [
        ("first call", "qwen3:8b"),
        ("same model", "qwen3:8b"),
        ("new model", "gpt-oss:20b"),
    ] {
        t.chat(&client, ask(model, &Reasoning::Off)).unwrap();
        let cost = extra(seen);
        let requests = server.requests();
        let conns: std::collections::BTreeSet<_> =
            requests[seen..].iter().map(|r| r.connection_id).collect();
        eprintln!("{label}: over {} connection(s)", conns.len());
        seen = requests.len();
        eprintln!(
            "{label}: {} extra requests, {} bytes sent, {} body bytes received",
            cost.0, cost.1, cost.2
        );
        costs.push(cost);
    }
    assert_eq!(costs.iter().map(|c| c.0).collect::<Vec<_>>(), [2, 0, 1]);
    assert!(costs[0].1 + costs[0].2 < 2048, "{costs:?}");
    assert_eq!((costs[1].1, costs[1].2), (0, 0));
}

/// Generate too: before v0.9, `Off` puts `/no_think` on a Qwen3 prompt and hides the inline
/// block; `On` splits DeepSeek-R1's inline reasoning into thinking events; on a current server
/// a budget is sent as such.
pub fn reasoning_on_generate<T: Transport>(t: &T) {
    use ollama_proto::types::GenerateRequest;
    for (era, model, intent) in [
        ("0.8.0", "qwen3:8b", Reasoning::Off),
        ("0.8.0", "deepseek-r1:8b", Reasoning::On),
        ("0.35.0", "qwen3:8b", Reasoning::Budget(300)),
        ("0.12.4", "gemma3:4b", Reasoning::Off),
    ] {
        let server = TestServer::start();
        server.emulate(Emulation::new(era));
        let client = t.client(config_for(&server));
        let request = || GenerateRequest::new(model, "What is 2 + 2?").reasoning(intent.clone());
        let whole = t.generate(&client, request()).unwrap();
        let streamed = t.generate_stream(&client, request()).unwrap();
        let (thinking, content) = texts(&streamed.events);
        assert_eq!(
            (whole.response.as_str(), content.as_str()),
            (ANSWER, ANSWER),
            "{era} {model}"
        );
        let want = intent.wants_reasoning() && !model.starts_with("gemma3");
        let want = want.then_some(REASONING);
        assert_eq!(
            whole.thinking.as_deref().map(str::trim_end),
            want,
            "{era} {model}"
        );
        assert_eq!(
            (!thinking.is_empty()).then(|| thinking.trim_end()),
            want,
            "{era} {model}"
        );
        let sent = server
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/generate");
        for body in sent.filter_map(|r| r.json()) {
            let prompt = body["prompt"].as_str().unwrap_or_default();
            assert_eq!(
                prompt.ends_with("/no_think"),
                era == "0.8.0" && model == "qwen3:8b"
            );
            let think = if era == "0.35.0" {
                serde_json::json!(300)
            } else {
                serde_json::Value::Null
            };
            assert_eq!(
                body.get("think").cloned().unwrap_or_default(),
                think,
                "{era} {model}"
            );
        }
    }
}
