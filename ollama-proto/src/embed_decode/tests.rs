//! `decode_embed` against serde_json: the recordings bit for bit, shapes, error tables, and
//! properties on random floats.

use std::time::Duration;

use proptest::prelude::*;
use serde::Deserialize;

use super::*;
use crate::error::ErrorKind;

/// What serde_json makes of an embed body (the reference).
#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(default)]
    model: Option<String>,
    embeddings: Vec<Vec<f32>>,
    #[serde(default)]
    total_duration: Option<i64>,
    #[serde(default)]
    load_duration: Option<i64>,
    #[serde(default)]
    prompt_eval_count: Option<u64>,
}

fn bits(v: &[Vec<f32>]) -> Vec<Vec<u32>> {
    v.iter()
        .map(|row| row.iter().map(|f| f.to_bits()).collect())
        .collect()
}

/// The number tokens of the `embeddings` array, in order (bodies here have no strings in it).
fn number_tokens(body: &str) -> Vec<&str> {
    let key = ["\"embeddings\"", "\"embed\\u0064ings\""]
        .into_iter()
        .find(|k| body.contains(k))
        .unwrap();
    let start = body.find(key).unwrap() + key.len();
    let mut depth = 0;
    let mut end = start;
    for (i, c) in body[start..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    end = start + i;
                    break;
                }
            }
            _ => {}
        }
    }
    body[start..end]
        .split(|c: char| c == ',' || c == '[' || c == ']' || c == ':' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect()
}

fn assert_same_as_serde(body: &[u8]) {
    let ours = decode_embed(body).unwrap();
    let reference: Reference = serde_json::from_slice(body).unwrap();
    assert_eq!(bits(&ours.embeddings), bits(&reference.embeddings));
    assert_eq!(ours.model, reference.model.unwrap_or_default());
    let nanos = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok()).filter(|&n| n > 0);
    assert_eq!(
        ours.total_duration,
        nanos(reference.total_duration).map(Duration::from_nanos)
    );
    assert_eq!(
        ours.load_duration,
        nanos(reference.load_duration).map(Duration::from_nanos)
    );
    assert_eq!(ours.prompt_eval_count, reference.prompt_eval_count);
    // And every float is the correctly rounded f32 of its text.
    let text = std::str::from_utf8(body).unwrap();
    let flat: Vec<f32> = ours.embeddings.concat();
    let tokens = number_tokens(text);
    assert_eq!(flat.len(), tokens.len());
    for (f, t) in flat.iter().zip(tokens) {
        assert_eq!(f.to_bits(), t.parse::<f32>().unwrap().to_bits(), "{t}");
    }
}

#[test]
fn recordings_match_serde_json_bit_for_bit() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/recorded"
    );
    let names = [
        "lcg-embed-nomic.json",
        "prism-embed-multiple-inputs.json",
        "prism-embed-mxbai-dimensions.json",
        "oscar-embed-batch-mxbai.json",
    ];
    for name in names {
        let body = std::fs::read(format!("{dir}/{name}")).unwrap();
        assert_same_as_serde(&body);
        let v = decode_embed(&body).unwrap();
        assert!(!v.embeddings.is_empty() && !v.model.is_empty(), "{name}");
    }
    let batch = decode_embed(&std::fs::read(format!("{dir}/{}", names[3])).unwrap()).unwrap();
    assert_eq!(batch.embeddings.len(), 6);
    assert!(batch.embeddings.iter().all(|e| e.len() == 1024));
    assert_eq!(batch.total_duration, None);
}

#[test]
fn shapes() {
    let cases: &[&str] = &[
        r#"{"embeddings":[]}"#,
        r#"{"embeddings":[[]]}"#,
        r#"{"embeddings":[[],[1]],"model":null}"#,
        r#"{"prompt_eval_count":3,"embeddings":[[0,-0,1e2,1E-2,-5e+3,0.5]],"model":"m"}"#,
        "\n{ \"model\" : \"a\\\"b\\u00e9\" ,\r\n \"embeddings\" : [ [ 1.5 , -2 ] ,\n [ 3 ] ] }\n",
        r#"{"extra":{"a":[1,{"b":null}],"c":"\u0022"},"embed\u0064ings":[[1]],"total_duration":0}"#,
        r#"{"embeddings":[[1.000000059604644775390625]],"load_duration":-1}"#,
        r#"{"embeddings":[[3.4028235e38,-1.17549435e-38,1e-45,7e-46,1e-50,123456789012345678901234567890]]}"#,
        r#"{"embeddings":[[0.000000000000000000000000000000000000000000001]]}"#,
    ];
    for body in cases {
        assert_same_as_serde(body.as_bytes());
    }
    let v = decode_embed(cases[4].as_bytes()).unwrap();
    assert_eq!(v.model, "a\"b\u{e9}");
    let v = decode_embed(cases[3].as_bytes()).unwrap();
    assert!(v.embeddings[0][1].is_sign_negative());
    assert_eq!(v.prompt_eval_count, Some(3));
    // Zero and negative durations mean "not reported", like the stream decoder's metrics.
    assert_eq!(
        decode_embed(cases[5].as_bytes()).unwrap().total_duration,
        None
    );
    assert_eq!(
        decode_embed(cases[6].as_bytes()).unwrap().load_duration,
        None
    );
}

#[test]
fn correctly_rounded_where_serde_json_rounds_twice() {
    // Just above the midpoint between 1.0 and the next f32: the nearest f64 *is* the midpoint,
    // so serde_json's f64-then-f32 rounds to even (1.0); the correct f32 is the upper one.
    let text = "1.00000005960464477539062500000000001";
    let body = format!("{{\"embeddings\":[[{text}]]}}");
    let ours = decode_embed(body.as_bytes()).unwrap().embeddings[0][0];
    assert_eq!(ours.to_bits(), text.parse::<f32>().unwrap().to_bits());
    assert_eq!(ours.to_bits(), 1.0_f32.to_bits() + 1);
    let reference: Reference = serde_json::from_slice(body.as_bytes()).unwrap();
    assert_eq!(reference.embeddings[0][0], 1.0);
}

#[test]
fn errors() {
    // (body, kind, byte offset of the error, part of the message)
    let cases: &[(&[u8], ErrorKind, u64, &str)] = &[
        (b"", ErrorKind::Json, 0, "EOF"),
        (b"[1]", ErrorKind::Json, 0, "invalid type"),
        (b"{", ErrorKind::Json, 1, "EOF"),
        (
            b"{\"embeddings\":[[1,2",
            ErrorKind::Json,
            19,
            "EOF while parsing a list",
        ),
        (b"{\"embeddings\":[[1,2]", ErrorKind::Json, 20, "EOF"),
        (b"{\"embeddings\":[[1,2]]", ErrorKind::Json, 21, "EOF"),
        (b"{\"embeddings\":[[1,", ErrorKind::Json, 18, "EOF"),
        (
            b"{\"embeddings\":[[1.]]}",
            ErrorKind::Json,
            18,
            "invalid number",
        ),
        (
            b"{\"embeddings\":[[01]]}",
            ErrorKind::Json,
            17,
            "invalid number",
        ),
        (
            b"{\"embeddings\":[[1e]]}",
            ErrorKind::Json,
            18,
            "invalid number",
        ),
        (
            b"{\"embeddings\":[[-]]}",
            ErrorKind::Json,
            17,
            "invalid number",
        ),
        (b"{\"embeddings\":[[.5]]}", ErrorKind::Json, 16, ""),
        (b"{\"embeddings\":[[+1]]}", ErrorKind::Json, 16, ""),
        (b"{\"embeddings\":[[NaN]]}", ErrorKind::Json, 16, ""),
        (b"{\"embeddings\":[[Infinity]]}", ErrorKind::Json, 16, ""),
        (b"{\"embeddings\":[[-Infinity]]}", ErrorKind::Json, 17, ""),
        (
            b"{\"embeddings\":[[1,2]x]}",
            ErrorKind::Json,
            20,
            "expected `,` or `]`",
        ),
        (
            b"{\"embeddings\":[[1 2]]}",
            ErrorKind::Json,
            18,
            "expected `,` or `]`",
        ),
        (
            b"{\"embeddings\":[[\"1\"]]}",
            ErrorKind::Json,
            18,
            "invalid type: string",
        ),
        (
            b"{\"embeddings\":[[null]]}",
            ErrorKind::Json,
            19,
            "invalid type: null",
        ),
        (
            b"{\"embeddings\":[[[1]]]}",
            ErrorKind::Json,
            16,
            "invalid type",
        ),
        (b"{\"embeddings\":[1]}", ErrorKind::Json, 15, "invalid type"),
        (b"{\"embeddings\":{}}", ErrorKind::Json, 14, "invalid type"),
        (
            b"{\"embeddings\":nul}",
            ErrorKind::Json,
            17,
            "expected ident",
        ),
        (
            b"{\"embedding\":[1e39]}",
            ErrorKind::Json,
            20,
            "missing field `embeddings`",
        ),
        (
            b"{\"model\":\"m\"}",
            ErrorKind::Json,
            13,
            "missing field `embeddings`",
        ),
        (
            b"{\"model\":5,\"embeddings\":[]}",
            ErrorKind::Json,
            9,
            "invalid type",
        ),
        (
            b"{\"embeddings\":[],\"embeddings\":[]}",
            ErrorKind::Json,
            30,
            "duplicate field",
        ),
        (
            b"{\"embeddings\":[]} x",
            ErrorKind::Json,
            18,
            "trailing characters",
        ),
        (
            b"{\"embeddings\":[]}}",
            ErrorKind::Json,
            17,
            "trailing characters",
        ),
        (b"{\"embeddings\" []}", ErrorKind::Json, 14, "expected `:`"),
        (
            b"{\"embeddings\":[] \"x\":1}",
            ErrorKind::Json,
            17,
            "expected `,` or `}`",
        ),
        (
            b"{embeddings:[]}",
            ErrorKind::Json,
            1,
            "key must be a string",
        ),
        (b"{\"x\":tru,\"embeddings\":[]}", ErrorKind::Json, 8, ""),
        (
            b"{\"x\":\"\x01\",\"embeddings\":[]}",
            ErrorKind::Json,
            5,
            "control character",
        ),
        (
            b"{\"model\":\"\xff\",\"embeddings\":[]}",
            ErrorKind::Utf8,
            10,
            "",
        ),
        (b"{\"\xfe\":1,\"embeddings\":[]}", ErrorKind::Utf8, 2, ""),
        (
            b"{\"total_duration\":1.5,\"embeddings\":[]}",
            ErrorKind::Json,
            20,
            "invalid type",
        ),
    ];
    let mut wrong = Vec::new();
    for &(body, kind, offset, message) in cases {
        let shown = String::from_utf8_lossy(body);
        let Err(err) = decode_embed(body) else {
            wrong.push(format!("{shown}: no error"));
            continue;
        };
        let (at, text) = match &err {
            Error::Json { at, source, .. } => (at, source.message().to_owned()),
            Error::Utf8 { at } => (at, String::new()),
            other => panic!("unexpected {other:?}"),
        };
        if err.kind() != kind || at.offset != offset || !text.contains(message) {
            wrong.push(format!(
                "{shown}: {:?} at {}: {text}",
                err.kind(),
                at.offset
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn out_of_range_numbers_are_typed_errors_naming_the_position() {
    // Issue 10: serde's f64 → f32 cast made `1e39` an infinity, silently.
    let cases: &[(&[u8], u64, usize, usize, &str)] = &[
        (b"{\"embeddings\":[[1e39]]}", 16, 0, 0, "1e39"),
        (b"{\"embeddings\":[[0.5,-1e39]]}", 20, 0, 1, "-1e39"),
        (b"{\"embeddings\":[[1,2],[3,4,3.5e38]]}", 26, 1, 2, "3.5e38"),
        (
            b"{\"embeddings\":[[340282356779733661637539395458142568448]]}",
            16,
            0,
            0,
            "340282356779733661637539395458142568448",
        ),
        (
            b"{\"embeddings\":[[],[],[1e99999999999]]}",
            22,
            2,
            0,
            "1e99999999999",
        ),
    ];
    for &(body, offset, vector, index, number) in cases {
        let err = decode_embed(body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EmbeddingOutOfRange);
        assert_eq!(
            err,
            Error::EmbeddingOutOfRange {
                at: Position { line: 1, offset },
                vector,
                index,
                number: number.get(..40).unwrap_or(number).to_owned(),
                float: "f32",
            },
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(
        decode_embed(b"{\"embeddings\":[[1e39]]}")
            .unwrap_err()
            .to_string(),
        "embedding 0, element 0 at line 1, byte 16 is out of the f32 range: 1e39"
    );
    // The largest f32 and numbers that round to zero are in range.
    let v = decode_embed(b"{\"embeddings\":[[3.4028235e38,1e-99999]]}").unwrap();
    assert_eq!(v.embeddings, [vec![f32::MAX, 0.0]]);
}

#[test]
fn null_vectors_read_as_none() {
    let v = decode_embed(br#"{"model":"m","embeddings":null}"#).unwrap();
    assert_eq!((v.model.as_str(), v.embeddings.len()), ("m", 0));
    let v = decode_embeddings(br#"{"embedding":null}"#).unwrap();
    assert!(v.embedding.is_empty());
}

#[test]
fn the_legacy_single_vector_is_exact_f64() {
    let v = decode_embeddings(
        br#"{"embedding":[0.1,-2.5e-3,1e39,1.7976931348623157e308,5e-324,0,-0.0,123456789012345678901234567890],"model":"ignored","embedding_extra":[1]}"#,
    )
    .unwrap();
    let want: [f64; 8] = [
        0.1,
        -2.5e-3,
        1e39,
        f64::MAX,
        5e-324,
        0.0,
        -0.0,
        123456789012345678901234567890.0,
    ];
    let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&v.embedding), bits(&want));
    let err = decode_embeddings(br#"{"embedding":[1,2,1e309]}"#).unwrap_err();
    assert_eq!(
        err,
        Error::EmbeddingOutOfRange {
            at: Position {
                line: 1,
                offset: 18
            },
            vector: 0,
            index: 2,
            number: "1e309".into(),
            float: "f64",
        }
    );
    for (body, message) in [
        (&br#"{"model":"m"}"#[..], "missing field `embedding`"),
        (
            br#"{"embedding":[],"embedding":[]}"#,
            "duplicate field `embedding`",
        ),
        (br#"{"embedding":[[1]]}"#, "invalid type"),
        (br#"{"embedding":{}}"#, "invalid type"),
    ] {
        match decode_embeddings(body).unwrap_err() {
            Error::Json { source, .. } => assert!(source.message().contains(message), "{source}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn positions_count_lines() {
    let err = decode_embed(b"{\n\"embeddings\":\n[[1,\nx]]}").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Json {
                at: Position {
                    line: 4,
                    offset: 21
                },
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    for depth in [200, 100_000] {
        // Unknown values are skipped by serde_json without recursion, like `from_slice` does.
        let mut body = String::from("{\"x\":");
        body.push_str(&"[".repeat(depth));
        body.push_str(&"]".repeat(depth));
        body.push_str(",\"embeddings\":[[2]]}");
        assert_same_as_serde(body.as_bytes());
        // Unbalanced: an error.
        let body = format!("{{\"x\":{},\"embeddings\":[]}}", "[".repeat(depth));
        assert_eq!(
            decode_embed(body.as_bytes()).unwrap_err().kind(),
            ErrorKind::Json
        );
        // Too deep where numbers belong: a type error at the third bracket.
        let body = format!("{{\"embeddings\":{}", "[".repeat(depth));
        let err = decode_embed(body.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Json {
                    at: Position { offset: 16, .. },
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn truncation_anywhere_is_an_error() {
    let body = br#"{"model":"m","embeddings":[[0.25,-1.5e-3],[3]],"total_duration":7}"#;
    for end in 0..body.len() {
        assert!(decode_embed(&body[..end]).is_err(), "{end}");
    }
    assert!(decode_embed(body).is_ok());
}

#[test]
fn fast_path_halfway_cases_fall_back() {
    // Decimal texts whose nearest f64 is exactly halfway between two f32s: the f64 fast path
    // must not round them a second time.
    for x in [1.0_f32, 0.1, 3.0e-5, 0.012_345_679, 1.5e7] {
        let next = f32::from_bits(x.to_bits() + 1);
        let mid = (f64::from(x) + f64::from(next)) / 2.0;
        for text in [format!("{mid:e}"), format!("{mid}"), format!("{:.30}", mid)] {
            let body = format!("{{\"embeddings\":[[{text},-{text}]]}}");
            let v = decode_embed(body.as_bytes()).unwrap();
            let want: f32 = text.parse().unwrap();
            assert_eq!(v.embeddings[0][0].to_bits(), want.to_bits(), "{text}");
            assert_eq!(v.embeddings[0][1].to_bits(), (-want).to_bits(), "-{text}");
        }
    }
}

proptest! {
    #[test]
    fn random_f32_round_trip(values in prop::collection::vec(any::<f32>().prop_filter("finite", |f| f.is_finite()), 0..64)) {
        #[derive(serde::Serialize)]
        struct Body<'a> { model: &'a str, embeddings: [&'a [f32]; 2] }
        let body = serde_json::to_vec(&Body { model: "m", embeddings: [&values, &values[..values.len() / 2]] }).unwrap();
        let v = decode_embed(&body).unwrap();
        prop_assert_eq!(bits(&v.embeddings), bits(&[values.clone(), values[..values.len() / 2].to_vec()]));
        let reference: Reference = serde_json::from_slice(&body).unwrap();
        prop_assert_eq!(bits(&v.embeddings), bits(&reference.embeddings));
    }

    #[test]
    fn random_decimals_are_correctly_rounded(
        mantissa in any::<u64>(),
        digits in 1_usize..25,
        point in 0_usize..25,
        exp in -60_i32..60,
        negative in any::<bool>(),
    ) {
        let mut m = mantissa.to_string();
        while m.len() < digits { m.push_str(&mantissa.to_string()); }
        m.truncate(digits);
        let m = m.trim_start_matches('0');
        let m = if m.is_empty() { "0" } else { m };
        let text = if point > 0 && point < m.len() {
            format!("{}{}.{}e{exp}", if negative { "-" } else { "" }, &m[..point], &m[point..])
        } else {
            format!("{}{m}e{exp}", if negative { "-" } else { "" })
        };
        let want: f32 = text.parse().unwrap();
        let body = format!("{{\"embeddings\":[[{text}]]}}");
        match decode_embed(body.as_bytes()) {
            Ok(v) => prop_assert_eq!(v.embeddings[0][0].to_bits(), want.to_bits(), "{}", text),
            Err(e) => prop_assert!(!want.is_finite(), "{} failed: {}", text, e),
        }
    }

    #[test]
    fn random_f64_texts_are_correctly_rounded(x in any::<f64>().prop_filter("finite", |f| f.is_finite() && f.abs() < 1e38)) {
        let text = serde_json::to_string(&x).unwrap();
        let body = format!("{{\"embeddings\":[[{text}]]}}");
        let v = decode_embed(body.as_bytes()).unwrap();
        prop_assert_eq!(v.embeddings[0][0].to_bits(), text.parse::<f32>().unwrap().to_bits());
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_embed(&body);
    }

    #[test]
    fn mutated_bodies_never_panic(cut in 0_usize..80, byte in any::<u8>()) {
        let mut body = br#"{"model":"m","embeddings":[[0.25,-1.5e-3,7],[3,1e-7]],"x":[{"y":null}]}"#.to_vec();
        let i = cut.min(body.len() - 1);
        body[i] = byte;
        if let Ok(v) = decode_embed(&body) {
            let reference: Reference = serde_json::from_slice(&body).unwrap();
            prop_assert_eq!(bits(&v.embeddings), bits(&reference.embeddings));
        }
    }
}
