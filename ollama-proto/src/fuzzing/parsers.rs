//! Harnesses for the single-value parsers: headers and numbers (`header_parsers`) and the
//! embed body scanner (`embed_decode`).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue};

use crate::embed_decode::{decode_embed, decode_embeddings};
use crate::error::Error;
use crate::retry::{Failure, RetryPolicy, parse_http_date, parse_retry_after};
use crate::types::{EmbedResponse, EmbeddingsResponse, KeepAlive, Metrics};

/// Eight bytes of `data` from `at` (zero-padded), little-endian.
fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    for (i, slot) in b.iter_mut().enumerate() {
        *slot = data.get(at + i).copied().unwrap_or(0);
    }
    u64::from_le_bytes(b)
}

/// Every header and number parser of the core on arbitrary text (and numbers taken from the
/// input): `Retry-After` in both forms, HTTP dates, the exchange's reading of a response's
/// `Retry-After` and `Date`, backoff at any retry number, `Content-Encoding`, `keep_alive` as
/// a JSON number or a Go duration string, metrics rates, and `OLLAMA_HOST` ports. None may
/// panic (the fuzz build has overflow checks on) and each keeps its invariants.
pub fn header_parsers(data: &[u8]) {
    // 24 bytes of numbers, then text (lossy: headers are bytes, parsers take text).
    let (numbers, text) = data.split_at(data.len().min(24));
    let text = String::from_utf8_lossy(text);
    let text = text.as_ref();
    let (n0, n1, n2) = (u64_at(numbers, 0), u64_at(numbers, 8), u64_at(numbers, 16));

    // Retry-After and HTTP dates.
    let now = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(n0 % 400_000_000_000))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    if let Some(at) = parse_http_date(text) {
        // Four-digit years: never past the end of 9999.
        assert!(at <= SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_800));
        assert_eq!(parse_retry_after(text, at), Some(Duration::ZERO));
    }
    if let (Ok(secs), Some(wait)) = (text.trim().parse::<u64>(), parse_retry_after(text, now)) {
        assert_eq!(wait, Duration::from_secs(secs));
    }
    let (first, second) = text.split_once('\n').unwrap_or((text, text));
    let mut headers = HeaderMap::new();
    for (name, value) in [("retry-after", first), ("date", second)] {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    let _ = crate::exchange::status::retry_after(&headers);
    if let Ok(v) = HeaderValue::from_str(first) {
        headers.insert(http::header::CONTENT_ENCODING, v);
    }
    let _ = crate::response::check_content_encoding(&headers);

    // Backoff at any retry number, with any durations: never above the cap.
    let policy = RetryPolicy::retries(u32::MAX)
        .initial_backoff(Duration::from_nanos(n1))
        .max_backoff(Duration::from_secs(n2));
    let retry = u32::try_from(n0 >> 32).unwrap_or(u32::MAX);
    let failure = Failure::Status {
        status: 503,
        retry_after: parse_retry_after(first, now),
    };
    for f in [Failure::BeforeResponse, failure] {
        if let Some(d) = policy.next_delay(retry, true, f) {
            assert!(d <= policy.max_backoff, "{d:?} over the cap");
        }
    }

    // keep_alive as a JSON value (a number, a string) and as a Go duration string.
    let quoted = serde_json::to_string(text).unwrap_or_default();
    for json in [text, quoted.as_str()] {
        if let Ok(k) = serde_json::from_str::<KeepAlive>(json) {
            let again = serde_json::to_string(&k).expect("a keep_alive serializes");
            let back: KeepAlive = serde_json::from_str(&again).expect("our own form parses");
            assert_eq!(back, k, "{json} → {again}");
            let _ = (k.duration(), k.is_forever());
        }
    }
    let _ = serde_json::from_str::<KeepAlive>(&n0.to_string());
    let _ = serde_json::from_str::<KeepAlive>(&f64::from_bits(n1).to_string());

    // Metrics rates from any counts and durations.
    let metrics: Metrics = serde_json::from_value(serde_json::json!({
        "eval_count": n0, "eval_duration": n1 >> 1,
        "prompt_eval_count": n2, "prompt_eval_duration": n0 >> 1,
    }))
    .expect("metrics in range");
    for rate in [
        metrics.tokens_per_second(),
        metrics.prompt_tokens_per_second(),
    ] {
        assert!(rate.is_none_or(|r| r.is_finite() && r >= 0.0));
    }

    // OLLAMA_HOST, ports included.
    let _ = crate::host::BaseUrl::parse(text);
}

/// The embed scanner on arbitrary bytes: never panics, and where serde_json also reads the
/// body into the same type, both agree (floats to the last bit, or one ulp where serde_json
/// rounds twice); a number reported out of range is infinite in serde_json's reading.
pub fn embed_decode(data: &[u8]) {
    match (
        decode_embed(data),
        serde_json::from_slice::<EmbedResponse>(data),
    ) {
        (Ok(ours), Ok(serde)) => {
            assert_eq!(ours.model, serde.model);
            assert_eq!(ours.total_duration, serde.total_duration);
            assert_eq!(ours.load_duration, serde.load_duration);
            assert_eq!(ours.prompt_eval_count, serde.prompt_eval_count);
            assert_eq!(ours.embeddings.len(), serde.embeddings.len());
            for (a, b) in ours.embeddings.iter().zip(&serde.embeddings) {
                assert_eq!(a.len(), b.len());
                for (&x, &y) in a.iter().zip(b) {
                    let near = x.to_bits().abs_diff(y.to_bits()) <= 1
                        || (x == 0.0 && y == 0.0)
                        || (x.abs() == f32::MAX && y.is_infinite());
                    assert!(near, "ours {x:e}, serde_json {y:e}");
                }
            }
        }
        (Err(Error::EmbeddingOutOfRange { vector, index, .. }), Ok(serde)) => {
            let y = serde.embeddings.get(vector).and_then(|v| v.get(index));
            assert!(
                y.is_some_and(|y| y.is_infinite() || y.abs() == f32::MAX),
                "{y:?} at [{vector}][{index}]"
            );
        }
        _ => {}
    }
    match (
        decode_embeddings(data),
        serde_json::from_slice::<EmbeddingsResponse>(data),
    ) {
        (Ok(ours), Ok(serde)) => {
            assert_eq!(ours.embedding.len(), serde.embedding.len());
            for (&x, &y) in ours.embedding.iter().zip(&serde.embedding) {
                // serde_json's default f64 parser may be off by an ulp.
                assert!(x.to_bits().abs_diff(y.to_bits()) <= 1 || (x == 0.0 && y == 0.0));
            }
        }
        (Err(Error::EmbeddingOutOfRange { .. }), Ok(serde)) => {
            panic!("out of range for us, {:?} for serde_json", serde.embedding)
        }
        _ => {}
    }
}
