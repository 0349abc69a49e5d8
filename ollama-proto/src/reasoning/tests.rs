use super::*;
use crate::types::{Capability, ShowResponse, Think, ThinkLevel};

const OLD: ServerVersion = ServerVersion(0, 8, 0);
const BOOL: ServerVersion = ServerVersion(0, 10, 1);
const LEVELS: ServerVersion = ServerVersion(0, 13, 0);
const EVERYWHERE: ServerVersion = ServerVersion(0, 20, 0);
const MAX: ServerVersion = ServerVersion(0, 30, 0);
const NOW: ServerVersion = ServerVersion(0, 35, 0);

fn facts(family: ModelFamily, can_think: bool) -> ModelFacts {
    ModelFacts {
        family,
        can_think: Some(can_think),
    }
}

fn run(intent: Reasoning, version: ServerVersion, model: ModelFacts) -> Resolution {
    let lessons = Lessons::default();
    let f = Facts {
        version: Some(version),
        model,
        lessons: &lessons,
        window: 4096,
    };
    resolve(&intent, &f)
}

fn sent(think: Option<Think>, switch: Option<bool>, hide: bool) -> Resolution {
    Resolution {
        think,
        soft_switch: switch,
        hide_reasoning: hide,
    }
}

#[test]
#[allow(clippy::redundant_clone)] // one value per row reads better
fn resolution_table() {
    use ModelFamily::{DeepSeekR1, GptOss, Other, Qwen3};
    let t = |b| Some(Think::Enabled(b));
    let l = |l| Some(Think::Level(l));
    let qwen = facts(Qwen3, true);
    let qwen_old = ModelFacts {
        family: Qwen3,
        can_think: Some(false),
    };
    let r1 = facts(DeepSeekR1, true);
    let oss = facts(GptOss, true);
    let plain = facts(Other, false);
    let high = Reasoning::Effort(ThinkLevel::High);
    let max = Reasoning::Effort(ThinkLevel::Max);
    let cases = [
        // Off
        (Reasoning::Off, NOW, qwen, sent(t(false), None, true)),
        (Reasoning::Off, BOOL, r1, sent(t(false), None, true)),
        (
            Reasoning::Off,
            NOW,
            oss,
            sent(l(ThinkLevel::Low), None, true),
        ),
        (
            Reasoning::Off,
            LEVELS,
            oss,
            sent(l(ThinkLevel::Low), None, true),
        ),
        (Reasoning::Off, OLD, qwen_old, sent(None, Some(false), true)),
        (Reasoning::Off, OLD, r1, sent(None, None, true)),
        (Reasoning::Off, NOW, plain, sent(None, None, true)),
        // On
        (Reasoning::On, NOW, qwen, sent(t(true), None, false)),
        (Reasoning::On, OLD, qwen_old, sent(None, None, false)),
        (Reasoning::On, NOW, plain, sent(None, None, false)),
        (Reasoning::On, LEVELS, oss, sent(t(true), None, false)),
        // Effort
        (high.clone(), BOOL, qwen, sent(t(true), None, false)),
        (high.clone(), LEVELS, qwen, sent(t(true), None, false)),
        (
            high.clone(),
            LEVELS,
            oss,
            sent(l(ThinkLevel::High), None, false),
        ),
        (
            high.clone(),
            EVERYWHERE,
            r1,
            sent(l(ThinkLevel::High), None, false),
        ),
        (
            max.clone(),
            EVERYWHERE,
            oss,
            sent(l(ThinkLevel::High), None, false),
        ),
        (
            max.clone(),
            MAX,
            qwen,
            sent(l(ThinkLevel::Max), None, false),
        ),
        (
            Reasoning::Effort(ThinkLevel::Minimal),
            MAX,
            oss,
            sent(l(ThinkLevel::Low), None, false),
        ),
        (
            Reasoning::Effort(ThinkLevel::Minimal),
            NOW,
            oss,
            sent(l(ThinkLevel::Minimal), None, false),
        ),
        (
            Reasoning::Effort(ThinkLevel::XHigh),
            MAX,
            oss,
            sent(l(ThinkLevel::Max), None, false),
        ),
        (high.clone(), NOW, plain, sent(None, None, false)),
        // Budget (4096-token window): 512 is an eighth, "low".
        (
            Reasoning::Budget(512),
            NOW,
            qwen,
            sent(Some(Think::Budget(512)), None, false),
        ),
        (
            Reasoning::Budget(512),
            MAX,
            oss,
            sent(l(ThinkLevel::Low), None, false),
        ),
        (
            Reasoning::Budget(4000),
            EVERYWHERE,
            oss,
            sent(l(ThinkLevel::High), None, false),
        ),
        (
            Reasoning::Budget(512),
            LEVELS,
            qwen,
            sent(t(true), None, false),
        ),
        (Reasoning::Budget(512), OLD, r1, sent(None, None, false)),
        (Reasoning::Budget(512), NOW, plain, sent(None, None, false)),
    ];
    for (intent, version, model, want) in cases {
        assert_eq!(
            run(intent.clone(), version, model),
            want,
            "{intent:?} {version} {model:?}"
        );
    }
}

#[test]
fn fallback_table() {
    use ModelFamily::{GptOss, Qwen3};
    let cases: [(Think, &str, ModelFamily, Option<Option<Think>>); 8] = [
        (
            Think::Enabled(true),
            "\"gemma3:4b\" does not support thinking",
            Qwen3,
            Some(None),
        ),
        (
            Think::Enabled(false),
            "registry.ollama.ai/library/gemma3:4b does not support thinking",
            Qwen3,
            Some(None),
        ),
        (
            Think::Level(ThinkLevel::High),
            "json: cannot unmarshal string into Go struct field ChatRequest.think of type bool",
            Qwen3,
            Some(Some(Think::Enabled(true))),
        ),
        (
            Think::Level(ThinkLevel::High),
            "think value \"high\" is not supported for this model",
            Qwen3,
            Some(Some(Think::Enabled(true))),
        ),
        (
            Think::Level(ThinkLevel::Max),
            "invalid think value: \"max\" (must be \"high\", \"medium\", \"low\", true, or false)",
            GptOss,
            Some(Some(Think::Level(ThinkLevel::High))),
        ),
        (
            Think::Budget(512),
            "think must be a boolean or string (\"high\", \"medium\", \"low\", \"max\", true, or false)",
            Qwen3,
            Some(Some(Think::Enabled(true))),
        ),
        (Think::Enabled(true), "model 'x' not found", Qwen3, None),
        // The same value again would meet the same 400: no retry.
        (
            Think::Enabled(true),
            "think value \"high\" is not supported for this model",
            Qwen3,
            None,
        ),
    ];
    for (sent, message, family, want) in cases {
        let got = fallback(&sent, message, family).map(|(next, _)| next);
        assert_eq!(got, want, "{sent:?} {message}");
    }
}

fn show(family: &str, caps: &[Capability]) -> ShowResponse {
    let mut value = serde_json::json!({"details": {"family": family}});
    value["capabilities"] = caps.iter().map(|c| c.as_str()).collect();
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_cache_plans_learns_and_stays_bounded() {
    let mut cache = ReasoningCache::new();
    assert_eq!(
        cache.needs("qwen3:8b"),
        Needs {
            version: true,
            show: Some("qwen3:8b".into())
        }
    );
    cache.learn_version(Some("0.11.4"));
    cache.learn_show(
        "qwen3:8b",
        Ok(&show(
            "qwen3",
            &[Capability::Completion, Capability::Thinking],
        )),
    );
    assert!(cache.needs("qwen3:8b").is_empty());
    let mut call = cache.plan(&Reasoning::Effort(ThinkLevel::High), "qwen3:8b", 4096);
    assert_eq!(call.applied().think, Some(Think::Enabled(true)));
    // A 400 with nothing to change: no retry, nothing learned.
    let mut req = crate::types::ChatRequest::new("qwen3:8b", []);
    call.apply_chat(&mut req);
    call = call.with_retry(&req);
    assert_eq!(
        call.on_rejected("think value \"high\" is not supported for this model"),
        None
    );

    // A model without thinking: a rejected `false` (v0.12.4) teaches "send nothing".
    cache.learn_show("gemma3:4b", Ok(&show("gemma3", &[Capability::Completion])));
    let mut off = cache.plan(&Reasoning::Off, "gemma3:4b", 4096);
    assert_eq!(off.applied().think, None);
    cache.learn_show("gemma3:4b", Err(Some(500)));
    off = cache.plan(&Reasoning::Off, "gemma3:4b", 4096);
    assert_eq!(off.applied().think, Some(Think::Enabled(false)));
    let mut req = crate::types::ChatRequest::new("gemma3:4b", []);
    off.apply_chat(&mut req);
    off = off.with_retry(&req);
    let body = off
        .on_rejected("\"gemma3:4b\" does not support thinking")
        .unwrap();
    assert!(!String::from_utf8_lossy(&body).contains("think"));
    assert_eq!(
        off.on_rejected("\"gemma3:4b\" does not support thinking"),
        None,
        "once"
    );
    cache.after_call(&off, Some(200));
    assert_eq!(
        cache
            .plan(&Reasoning::Off, "gemma3:4b", 4096)
            .applied()
            .think,
        None
    );
    let plain = cache.plan(&Reasoning::On, "gemma3:4b", 4096);
    cache.after_call(&plain, Some(404));
    assert!(
        cache.needs("gemma3:4b").show.is_none(),
        "no facts to be stale"
    );
    cache.learn_show("gemma3:4b", Ok(&show("gemma3", &[Capability::Completion])));
    cache.after_call(&plain, Some(404));
    assert_eq!(cache.needs("gemma3:4b").show.as_deref(), Some("gemma3:4b"));

    // A 404 on show is asked once; the bound holds.
    cache.learn_show("gone", Err(Some(404)));
    assert!(cache.needs("gone").show.is_none());
    for i in 0..MAX_MODELS + 5 {
        cache.learn_show(&format!("m{i}"), Err(None));
    }
    assert_eq!(cache.models(), MAX_MODELS);
    assert!(cache.needs("m0").show.is_some(), "the oldest is forgotten");
    assert!(cache.needs(&format!("m{}", MAX_MODELS + 4)).show.is_none());
}

#[test]
fn soft_switch_goes_on_the_prompt() {
    let mut cache = ReasoningCache::new();
    cache.learn_version(Some("0.7.0"));
    let call = cache.plan(&Reasoning::Off, "qwen3:8b", 4096);
    let mut generate = crate::types::GenerateRequest::new("qwen3:8b", "Hi");
    call.apply_generate(&mut generate);
    call.apply_generate(&mut generate);
    assert_eq!(generate.prompt, "Hi /no_think");
    assert_eq!(generate.think, None);
    let mut chat = crate::types::ChatRequest::new("qwen3:8b", [crate::types::Message::user("Hi")]);
    call.apply_chat(&mut chat);
    assert_eq!(chat.messages[0].content, "Hi /no_think");
}

#[test]
fn output_windows() {
    use crate::types::Options;
    assert_eq!(output_window(None), 4096);
    assert_eq!(output_window(Some(&Options::new().num_ctx(8192))), 8192);
    assert_eq!(
        output_window(Some(&Options::new().num_ctx(8192).num_predict(100))),
        100
    );
    assert_eq!(output_window(Some(&Options::new().num_predict(-1))), 4096);
}
