//! Typed tool arguments and structured answers: JSON into a Rust type, with a [`DecodeError`]
//! that carries the raw text and says what did not match, and where.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::types::{ChatResponse, ToolCall};

/// How much of the raw text a [`DecodeError`]'s message shows (the whole text stays in
/// [`DecodeError::raw`]).
const EXCERPT_CHARS: usize = 160;

/// A tool call's arguments or a structured answer that does not fit the Rust type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// What was decoded: `arguments of get_weather` or `the answer`.
    pub what: String,
    /// The Rust type asked for (`std::any::type_name`).
    pub target: &'static str,
    /// Where in the JSON it failed, as serde saw it: `.` for the top level, `days[2]`, `city`.
    pub path: String,
    /// serde's message (`missing field `city``, `invalid type: string "x", expected u8`…).
    pub message: String,
    /// The whole text that was decoded (the answer's content, or the arguments as JSON).
    pub raw: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} do not match {} at `{}`: {}; the text was ",
            self.what, self.target, self.path, self.message
        )?;
        let mut chars = self.raw.char_indices();
        match chars.nth(EXCERPT_CHARS) {
            Some((cut, _)) => write!(f, "{:?}… ({} bytes)", &self.raw[..cut], self.raw.len()),
            None => write!(f, "{:?}", self.raw),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `text` (a model's answer) into `T`.
///
/// Whitespace around the JSON is ignored (grammar-constrained output can end in a run of
/// spaces and tabs), and so is one Markdown code fence around it (` ```json … ``` `), which some
/// cloud models add even with `format` set.
///
/// # Errors
/// A [`DecodeError`] naming the path, serde's message and the raw text.
pub fn decode_answer<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let json = unfence(text.trim());
    let error = |path: String, message: String| DecodeError {
        what: "the answer's contents".to_owned(),
        target: std::any::type_name::<T>(),
        path,
        message,
        raw: text.to_owned(),
    };
    let mut de = serde_json::Deserializer::from_str(json);
    let value: T = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| error(e.path().to_string(), e.inner().to_string()))?;
    de.end().map_err(|e| error(".".to_owned(), e.to_string()))?;
    Ok(value)
}

/// Decodes a tool call's arguments into `T`.
///
/// # Errors
/// A [`DecodeError`] naming the function, the path and serde's message, with the arguments as
/// JSON in [`DecodeError::raw`].
pub fn decode_arguments<T: DeserializeOwned>(call: &ToolCall) -> Result<T, DecodeError> {
    let value = Value::Object(call.function.arguments.clone());
    serde_path_to_error::deserialize(&value).map_err(|e| DecodeError {
        what: format!("the arguments of {}", call.function.name),
        target: std::any::type_name::<T>(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
        raw: value.to_string(),
    })
}

/// The JSON inside one Markdown code fence, or `text` when it is not fenced.
fn unfence(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let Some(body) = rest.strip_suffix("```") else {
        return text;
    };
    // The info string (`json`) runs to the first line break.
    match body.split_once('\n') {
        Some((_info, inner)) => inner.trim(),
        None => text,
    }
}

impl ToolCall {
    /// The arguments as `T` (see [`decode_arguments`]).
    ///
    /// ```
    /// use ollama_proto::types::ToolCall;
    ///
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Weather { city: String }
    ///
    /// let call: ToolCall = serde_json::from_str(
    ///     r#"{"function":{"name":"get_weather","arguments":{"city":7}}}"#,
    /// ).unwrap();
    /// let err = call.arguments_as::<Weather>().unwrap_err();
    /// assert_eq!(err.path, "city");
    /// assert_eq!(err.raw, r#"{"city":7}"#);
    /// assert!(err.message.starts_with("invalid type: integer `7`, expected a string"));
    /// ```
    ///
    /// # Errors
    /// When the arguments do not fit `T`.
    pub fn arguments_as<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        decode_arguments(self)
    }
}

impl ChatResponse {
    /// The answer's content as `T` (see [`decode_answer`]): the structured answer asked for with
    /// `format`.
    ///
    /// # Errors
    /// When the content is not JSON of type `T`.
    pub fn answer_as<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        decode_answer(&self.message.content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Capital {
        capital: String,
        population: Option<u32>,
    }

    #[test]
    fn answers_with_whitespace_or_a_fence_decode() {
        let want = Capital {
            capital: "Paris".to_owned(),
            population: None,
        };
        for text in [
            r#"{"capital": "Paris"}"#,
            "{\"capital\": \"Paris\"}\n  \t\t\t\n",
            "```json\n{\"capital\": \"Paris\"}\n```",
            "```\n{\"capital\":\"Paris\"}```",
        ] {
            assert_eq!(
                decode_answer::<Capital>(text).as_ref(),
                Ok(&want),
                "{text:?}"
            );
        }
    }

    #[test]
    fn mismatches_say_what_and_where() {
        let e = decode_answer::<Capital>(r#"{"capital":"Paris","population":-3}"#).unwrap_err();
        assert_eq!(e.path, "population");
        assert_eq!(
            e.message,
            "invalid value: integer `-3`, expected u32 at line 1 column 34"
        );
        assert_eq!(e.raw, r#"{"capital":"Paris","population":-3}"#);
        let e = decode_answer::<Capital>(r#"{"city":"Paris"}"#).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            (".", "missing field `capital` at line 1 column 16")
        );
        let e = decode_answer::<Capital>("Paris is the capital.").unwrap_err();
        assert_eq!(e.path, ".");
        assert_eq!(e.message, "expected value at line 1 column 1");
        let e = decode_answer::<Capital>(r#"{"capital":"Paris"} and more"#).unwrap_err();
        assert_eq!(e.message, "trailing characters at line 1 column 21");
        assert_eq!(
            e.to_string(),
            "the answer's contents do not match ollama_proto::tools::typed::tests::Capital at `.`: \
             trailing characters at line 1 column 21; the text was \"{\\\"capital\\\":\\\"Paris\\\"} and more\""
        );
    }

    #[test]
    fn long_raw_text_is_cut_in_the_message_only() {
        let raw = format!("\"{}\"", "é".repeat(400));
        let e = decode_answer::<Capital>(&raw).unwrap_err();
        assert_eq!(e.raw, raw);
        let shown = e.to_string();
        assert!(shown.ends_with("… (802 bytes)"), "{shown}");
        let excerpt = shown.rsplit_once("the text was ").unwrap().1;
        assert_eq!(excerpt.matches('é').count(), 159);
    }
}
