//! The documented request and answer (docs.ollama.com `api/systemone`, as third-party mirrors
//! show it) and the variations other System One servers send.

use serde_json::json;

use super::*;

/// The documented request.
const REQUEST: &str = r#"{"model":"nimble","state":"Our checkout has returned 500 errors since 9am.","questions":{"label":{"type":"choice","instructions":"Which label fits this ticket?","criteria":{"billing":"Payments and refunds","bug":"Software errors","account":"Login and account access"}}}}"#;

/// The documented answer.
const ANSWER: &str = r#"{"model":"nimble","answers":{"label":{"type":"choice","choice":"bug","probabilities":{"billing":0.0125,"bug":0.9781,"account":0.0093},"confidence":0.8906}},"usage":{"input_tokens":174,"output_tokens":1}}"#;

#[test]
fn the_documented_request_is_what_the_builder_makes() {
    let built = SystemOneRequest::new("nimble", "Our checkout has returned 500 errors since 9am.")
        .question(
            "label",
            Question::choice(
                "Which label fits this ticket?",
                [
                    ("billing", "Payments and refunds"),
                    ("bug", "Software errors"),
                    ("account", "Login and account access"),
                ],
            ),
        );
    // Byte for byte: the order of questions and options is kept.
    assert_eq!(serde_json::to_string(&built).unwrap(), REQUEST);
    let decoded: SystemOneRequest = serde_json::from_str(REQUEST).unwrap();
    assert_eq!(decoded, built);
}

#[test]
fn the_documented_answer_decodes_and_round_trips() {
    let answer: SystemOneResponse = serde_json::from_str(ANSWER).unwrap();
    assert_eq!(serde_json::to_string(&answer).unwrap(), ANSWER);
    let label = answer.answer("label").unwrap();
    assert_eq!(label.kind, Some(QuestionType::Choice));
    assert_eq!(label.choice.as_deref(), Some("bug"));
    assert_eq!(label.confidence, Some(0.8906));
    let options: Vec<_> = label.probabilities.as_ref().unwrap().names().collect();
    assert_eq!(options, ["billing", "bug", "account"]);
    assert_eq!(label.probability("account"), Some(0.0093));
    let usage = answer.usage.unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens),
        (Some(174), Some(1))
    );
    assert_eq!(answer.model.as_deref(), Some("nimble"));
}

#[test]
fn every_question_type_and_unknown_ones_encode_as_documented() {
    let table: &[(Question, Value)] = &[
        (
            Question::noul("Is the customer angry?"),
            json!({"type": "noul", "instructions": "Is the customer angry?"}),
        ),
        (
            Question::score("How urgent?", ["can wait", "today", "now"]),
            json!({"type": "score", "instructions": "How urgent?", "criteria": ["can wait", "today", "now"]}),
        ),
        (
            Question::with_criteria(
                QuestionType::Choice,
                "Team?",
                json!({"billing": "payments", "shipping": null}),
            ),
            json!({"type": "choice", "instructions": "Team?", "criteria": {"billing": "payments", "shipping": null}}),
        ),
        (
            Question::with_criteria(QuestionType::from("rank"), "Order them", json!(["a", "b"])),
            json!({"type": "rank", "instructions": "Order them", "criteria": ["a", "b"]}),
        ),
    ];
    for (question, wire) in table {
        assert_eq!(&serde_json::to_value(question).unwrap(), wire);
        assert_eq!(
            &serde_json::from_value::<Question>(wire.clone()).unwrap(),
            question
        );
    }
}

#[test]
fn answers_of_other_servers_decode_leniently() {
    let table = [
        // Jev-style noul and score with their own fields; a legend and calibration kept in extra.
        r#"{"answers":{"angry":{"type":"noul","noul":0.81,"temperature":1.2,"option_mass":0.97},
            "urgency":{"type":"score","score":2.4,"legend":{"0":"can wait","1":"this week","2":"today","3":"right now"},
            "probabilities":{"0":0.05,"1":0.1,"2":0.25,"3":0.6},"confidence":0.41}},"latency_ms":12}"#,
        // A question type this client does not know, and no usage.
        r#"{"answers":{"x":{"type":"rank","order":["a","b"]}}}"#,
        // A model that answered nothing.
        r#"{"answers":null}"#,
        r#"{}"#,
    ];
    for text in table {
        let answer: SystemOneResponse =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let again: SystemOneResponse =
            serde_json::from_str(&serde_json::to_string(&answer).unwrap()).unwrap();
        assert_eq!(again, answer, "{text}");
    }
    let jev: SystemOneResponse = serde_json::from_str(table[0]).unwrap();
    let angry = jev.answer("angry").unwrap();
    assert_eq!(
        (angry.kind.clone(), angry.noul),
        (Some(QuestionType::Noul), Some(0.81))
    );
    assert_eq!(angry.extra["option_mass"], json!(0.97));
    let urgency = jev.answer("urgency").unwrap();
    assert_eq!(urgency.score, Some(2.4));
    assert_eq!(urgency.probability("3"), Some(0.6));
    assert_eq!(urgency.extra["legend"]["3"], json!("right now"));
    assert_eq!(jev.extra["latency_ms"], json!(12));
    let unknown: SystemOneResponse = serde_json::from_str(table[1]).unwrap();
    assert_eq!(
        unknown.answer("x").unwrap().kind,
        Some(QuestionType::Other("rank".to_owned()))
    );
    assert!(
        serde_json::from_str::<SystemOneResponse>(table[2])
            .unwrap()
            .answers
            .is_empty()
    );
    // An answer without a type still decodes.
    let bare: SystemOneResponse =
        serde_json::from_str(r#"{"answers":{"x":{"choice":"a"}}}"#).unwrap();
    assert_eq!(bare.answer("x").unwrap().kind, None);
    // A probability that is not a number is a decode error, not a silent zero.
    assert!(
        serde_json::from_str::<SystemOneResponse>(
            r#"{"answers":{"x":{"probabilities":{"a":"high"}}}}"#
        )
        .is_err()
    );
}

#[test]
fn state_may_be_any_json_and_images_are_base64() {
    let png = b"\x89PNG\r\n\x1a\n....".to_vec();
    let request = SystemOneRequest::new("clef", json!({"ticket": 7, "tags": ["a"]}))
        .question("ok", Question::noul("ok?"))
        .image(Image::from_bytes(png).unwrap());
    let wire = serde_json::to_value(&request).unwrap();
    assert_eq!(wire["state"], json!({"ticket": 7, "tags": ["a"]}));
    assert_eq!(wire["images"], json!(["iVBORw0KGgouLi4u"]));
    assert_eq!(
        serde_json::from_value::<SystemOneRequest>(wire).unwrap(),
        request
    );
}
