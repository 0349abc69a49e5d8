//! Turning a complete HTTP response body into a typed value or an [`Error`].
//!
//! Check the status first ([`is_success`]); for an error status, [`status_error`] classifies the
//! body whatever it is (the server's JSON, gin's plain text, a proxy's HTML page, nothing at
//! all, or bytes that are not UTF-8). For a success, [`decode_json`] parses it and says where it
//! failed.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{BodyKind, Error, JsonError, Position, StatusError};

/// Longest error message kept from a body, in bytes (cut on a char boundary, then `…` added).
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// Longest excerpt in a JSON error, in bytes.
const EXCERPT_BYTES: usize = 80;

/// `true` for a 2xx status.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Classifies an error response (status ≥ 400) into [`Error::Unauthorized`] (401),
/// [`Error::UsageLimit`] (a 429 or 402 saying a cloud quota is spent, see
/// [`usage_limit`](crate::usage_limit)), [`Error::ModelRetired`] (a 4xx saying the model is
/// retired, see [`model_retired`](crate::model_retired)) or [`Error::Status`]. Never panics, whatever the bytes.
///
/// Body shapes, tried in order:
/// - empty or whitespace → [`BodyKind::Empty`] with an empty message (e.g. the host check's 403);
/// - a JSON object → [`BodyKind::Json`]; the message is `error` when it is a string, or
///   `error.message` (OpenAI-style bodies), else `Status` (Go's `StatusError` struct), else the
///   body text; `signin_url` is kept;
/// - HTML (starts with `<!doctype` or `<html`, or has `<html` near the start) →
///   [`BodyKind::Html`]; the message is the page's `<title>`, else `HTML error page`;
/// - anything else → [`BodyKind::Text`] with the trimmed text (invalid UTF-8 replaced).
///
/// Messages are bounded to [`MAX_MESSAGE_BYTES`].
pub fn status_error(status: u16, body: &[u8]) -> Error {
    let (message, signin_url, kind) = classify(body);
    let error = StatusError {
        status,
        message,
        signin_url,
        body: kind,
        retry_after: None,
    };
    if status == 401 {
        Error::Unauthorized(error)
    } else if let Some(quota) = crate::usage_limit::from_status(&error) {
        Error::UsageLimit(quota)
    } else if let Some(retired) = crate::model_retired::from_status(&error) {
        Error::ModelRetired(retired)
    } else {
        Error::Status(error)
    }
}

/// `Ok` when a response body is sent as is (`Content-Encoding` absent or `identity`), else
/// [`Error::ContentEncoding`] naming the encoding: this client asks for `identity` and does not
/// decompress, so a compressed body would only show up as bad UTF-8.
pub fn check_content_encoding(headers: &http::HeaderMap) -> Result<(), Error> {
    let Some(value) = headers.get(http::header::CONTENT_ENCODING) else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    if text.trim().is_empty() || text.trim().eq_ignore_ascii_case("identity") {
        return Ok(());
    }
    Err(Error::ContentEncoding {
        encoding: text.trim().chars().take(64).collect(),
    })
}

/// Parses a whole JSON body into `T`.
///
/// A parse failure is [`Error::Json`] with its line and byte offset in the body and an excerpt
/// of up to 80 bytes around it, or [`Error::Utf8`] when an invalid UTF-8 byte comes first. An
/// empty or all-whitespace body is a JSON error at offset 0.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    match serde_json::from_slice::<T>(body) {
        Ok(value) => Ok(value),
        Err(e) => Err(json_error(body, &e)),
    }
}

fn json_error(body: &[u8], e: &serde_json::Error) -> Error {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Error::Json {
            at: Position { line: 1, offset: 0 },
            excerpt: String::new(),
            source: JsonError::new(e),
        };
    }
    let offset = error_offset(body, e);
    if let Err(bad) = std::str::from_utf8(body) {
        let at = bad.valid_up_to();
        if at <= offset {
            return Error::Utf8 {
                at: position(body, at),
            };
        }
    }
    Error::Json {
        at: position(body, offset),
        excerpt: excerpt(body, offset),
        source: JsonError::new(e),
    }
}

/// serde_json reports a 1-based line and a column counting the bytes consumed on that line;
/// the byte it stopped at is the last one consumed.
fn error_offset(body: &[u8], e: &serde_json::Error) -> usize {
    let line = e.line().max(1);
    let mut start = 0;
    if line > 1 {
        let mut seen = 1;
        for (i, &b) in body.iter().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == line {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    (start + e.column().saturating_sub(1)).min(body.len().saturating_sub(1))
}

fn position(body: &[u8], offset: usize) -> Position {
    let end = offset.min(body.len());
    let newlines = memchr::memchr_iter(b'\n', &body[..end]).count();
    Position {
        line: newlines as u64 + 1,
        offset: offset as u64,
    }
}

/// Up to [`EXCERPT_BYTES`] around `offset`, moved inwards to UTF-8 boundaries, lossy.
fn excerpt(body: &[u8], offset: usize) -> String {
    let half = EXCERPT_BYTES / 2;
    let mut start = offset.saturating_sub(half);
    let mut end = (start + EXCERPT_BYTES).min(body.len());
    if end - start < EXCERPT_BYTES {
        start = end.saturating_sub(EXCERPT_BYTES);
    }
    while start < end && is_continuation(body[start]) {
        start += 1;
    }
    while end > start && end < body.len() && is_continuation(body[end]) {
        end -= 1;
    }
    String::from_utf8_lossy(&body[start..end]).into_owned()
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

fn classify(body: &[u8]) -> (String, Option<String>, BodyKind) {
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return (String::new(), None, BodyKind::Empty);
    }
    if trimmed[0] == b'{' {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(trimmed) {
            let error = map.get("error");
            let message = text(error)
                .or_else(|| text(error.and_then(|e| e.get("message"))))
                .or_else(|| text(map.get("Status")))
                .map_or_else(|| bounded(trimmed), bounded_str);
            let signin_url = text(map.get("signin_url")).map(str::to_owned);
            return (message, signin_url, BodyKind::Json);
        }
    }
    if looks_like_html(trimmed) {
        let message = html_title(trimmed).unwrap_or_else(|| "HTML error page".to_owned());
        return (message, None, BodyKind::Html);
    }
    (bounded(trimmed), None, BodyKind::Text)
}

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype")
        || lower.starts_with(b"<html")
        || find(&lower, b"<html").is_some()
}

/// The text of the first `<title>` in the first 64 KiB, whitespace collapsed.
fn html_title(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(64 * 1024)];
    let lower = head.to_ascii_lowercase();
    let open = find(&lower, b"<title")?;
    let start = open + find(&lower[open..], b">")? + 1;
    let end = start + find(&lower[start..], b"</title")?;
    let text = String::from_utf8_lossy(&head[start..end]);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then(|| bounded_str(&collapsed))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Lossy text of at most [`MAX_MESSAGE_BYTES`] (plus `…` when cut); only the head of a huge
/// body is ever converted.
fn bounded(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(MAX_MESSAGE_BYTES + 4)];
    let text = String::from_utf8_lossy(head);
    let mut s = bounded_str(text.trim_end());
    if head.len() < bytes.len() && !s.ends_with('…') {
        s.push('…');
    }
    s
}

fn bounded_str(s: &str) -> String {
    if s.len() <= MAX_MESSAGE_BYTES {
        return s.to_owned();
    }
    let mut cut = MAX_MESSAGE_BYTES;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &s[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(e: Error) -> StatusError {
        match e {
            Error::Status(s) | Error::Unauthorized(s) => s,
            other => panic!("not a status error: {other:?}"),
        }
    }

    #[test]
    fn classification_table() {
        type Row<'a> = (u16, &'a [u8], &'a str, Option<&'a str>, BodyKind);
        let table: &[Row<'_>] = &[
            (400, br#"{"error":"invalid model name"}"#, "invalid model name", None, BodyKind::Json),
            (
                401,
                br#"{"error":"unauthorized","signin_url":"https://ollama.com/connect?name=x&key=y"}"#,
                "unauthorized",
                Some("https://ollama.com/connect?name=x&key=y"),
                BodyKind::Json,
            ),
            (
                400,
                br#"{"StatusCode":400,"Status":"400 Bad Request","error":"boom"}"#,
                "boom",
                None,
                BodyKind::Json,
            ),
            (502, br#"{"StatusCode":502,"Status":"502 Bad Gateway"}"#, "502 Bad Gateway", None, BodyKind::Json),
            (
                401,
                br#"{"error":{"message":"Unauthorized","type":"api_error","param":null,"code":null}}"#,
                "Unauthorized",
                None,
                BodyKind::Json,
            ),
            (500, br#"{"detail":"x"}"#, r#"{"detail":"x"}"#, None, BodyKind::Json),
            (404, b"404 page not found", "404 page not found", None, BodyKind::Text),
            (405, b"405 method not allowed\n", "405 method not allowed", None, BodyKind::Text),
            (403, b"", "", None, BodyKind::Empty),
            (403, b" \r\n\t", "", None, BodyKind::Empty),
            (
                502,
                b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
                "502 Bad Gateway",
                None,
                BodyKind::Html,
            ),
            (
                503,
                b"<!DOCTYPE html><html><head><TITLE>\n  Service\n  Unavailable </TITLE></head></html>",
                "Service Unavailable",
                None,
                BodyKind::Html,
            ),
            (500, b"<!doctype html><p>oops</p>", "HTML error page", None, BodyKind::Html),
            (500, b"bad \xff\xfe bytes", "bad \u{fffd}\u{fffd} bytes", None, BodyKind::Text),
            (400, b"{\"error\":\"x\xff\"}", "{\"error\":\"x\u{fffd}\"}", None, BodyKind::Text),
        ];
        for &(code, body, message, signin, kind) in table {
            let e = status_error(code, body);
            assert_eq!(code == 401, matches!(e, Error::Unauthorized(_)), "{e:?}");
            let s = status(e);
            assert_eq!(s.status, code);
            assert_eq!(s.message, message, "{}", String::from_utf8_lossy(body));
            assert_eq!(s.signin_url.as_deref(), signin);
            assert_eq!(s.body, kind);
        }
    }

    #[test]
    fn huge_bodies_are_bounded() {
        let body = "é".repeat(100_000);
        let s = status(status_error(500, body.as_bytes()));
        assert_eq!(s.message, format!("{}…", "é".repeat(512)));
        let json = format!(r#"{{"error":"{}"}}"#, "x".repeat(5000));
        let s = status(status_error(500, json.as_bytes()));
        assert_eq!(s.message, format!("{}…", "x".repeat(1024)));
        let s = status(status_error(500, &[0xff; 10_000]));
        assert_eq!(s.message.len(), 1023 / 3 * 3 + 3);
        assert!(s.message.ends_with('…'));
    }

    #[test]
    fn json_errors_say_where() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            a: u32,
        }
        let cases: &[(&[u8], u64, u64, &str)] = &[
            (b"", 1, 0, ""),
            (b"  \n ", 1, 0, ""),
            (br#"{"a":x}"#, 1, 5, r#"{"a":x}"#),
            (b"{\n  \"a\": \"s\"\n}", 2, 11, "{\n  \"a\": \"s\"\n}"),
            (br#"{"a":1"#, 1, 5, r#"{"a":1"#),
        ];
        for &(body, line, offset, excerpt) in cases {
            match decode_json::<T>(body) {
                Err(Error::Json {
                    at, excerpt: got, ..
                }) => {
                    assert_eq!(
                        (at.line, at.offset),
                        (line, offset),
                        "{}",
                        String::from_utf8_lossy(body)
                    );
                    assert_eq!(got, excerpt);
                }
                other => panic!("{other:?}"),
            }
        }
        match decode_json::<T>(b"{\"a\":1,\n\"b\xff\":2}") {
            Err(Error::Utf8 { at }) => assert_eq!((at.line, at.offset), (2, 10)),
            other => panic!("{other:?}"),
        }
        assert_eq!(decode_json::<T>(br#"{"a":7}"#).unwrap().a, 7);
    }

    #[test]
    fn excerpt_is_bounded_on_char_boundaries() {
        let body = format!("[{}x]", "é".repeat(100));
        match decode_json::<Vec<u32>>(body.as_bytes()) {
            Err(Error::Json { at, excerpt, .. }) => {
                assert_eq!(at.offset, 1);
                assert!(excerpt.len() <= EXCERPT_BYTES);
                assert!(excerpt.starts_with("[é"));
            }
            other => panic!("{other:?}"),
        }
    }
}
