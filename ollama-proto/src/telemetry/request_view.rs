//! What the span records of a request: its options and (opted in) its messages, read back from
//! the request body the core built. Read only when a span listens.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The parts of a chat, generate or embed request body the conventions record.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RequestView {
    #[serde(default)]
    pub(super) options: Option<Options>,
    #[serde(default)]
    pub(super) format: Option<IgnoredAny>,
    #[serde(default)]
    pub(super) stream: Option<bool>,
}

/// The sampling options the conventions name.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Options {
    pub(super) temperature: Option<f64>,
    pub(super) top_p: Option<f64>,
    pub(super) top_k: Option<f64>,
    pub(super) num_predict: Option<i64>,
    pub(super) seed: Option<i64>,
    pub(super) stop: Option<Vec<String>>,
    pub(super) frequency_penalty: Option<f64>,
    pub(super) presence_penalty: Option<f64>,
}

/// The text a request sends, for opted-in content capture.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RequestText {
    #[serde(default)]
    pub(super) messages: Vec<MessageText>,
    #[serde(default)]
    pub(super) prompt: Option<String>,
    #[serde(default)]
    pub(super) system: Option<String>,
    #[serde(default)]
    pub(super) input: Option<EmbedInput>,
}

/// One chat message's role and text.
#[derive(Debug, Default, Deserialize)]
pub(super) struct MessageText {
    #[serde(default)]
    pub(super) role: String,
    #[serde(default)]
    pub(super) content: String,
}

/// `input` of `/api/embed`: one text or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum EmbedInput {
    One(String),
    Many(Vec<String>),
}

impl RequestView {
    /// The options of `body`; a body that is not such an object gives nothing.
    pub(super) fn parse(body: &[u8]) -> Self {
        if body.first() != Some(&b'{') {
            return Self::default();
        }
        serde_json::from_slice(body).unwrap_or_default()
    }
}

impl RequestText {
    /// The texts of `body`; a body that is not such an object gives nothing.
    pub(super) fn parse(body: &[u8]) -> Self {
        if body.first() != Some(&b'{') {
            return Self::default();
        }
        serde_json::from_slice(body).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_options_the_conventions_name() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":"hi","images":["AAAA"]}],
            "options":{"temperature":0.2,"top_p":0.9,"top_k":40,"num_predict":64,"seed":7,
            "stop":["\n\n","END"],"num_ctx":4096},"format":{"type":"object"},"stream":true}"#;
        let v = RequestView::parse(body);
        let o = v.options.expect("options");
        assert_eq!(o.temperature, Some(0.2));
        assert_eq!(o.top_p, Some(0.9));
        assert_eq!(o.top_k, Some(40.0));
        assert_eq!(o.num_predict, Some(64));
        assert_eq!(o.seed, Some(7));
        assert_eq!(o.stop, Some(vec!["\n\n".to_owned(), "END".to_owned()]));
        assert!(v.format.is_some());
        assert_eq!(v.stream, Some(true));
    }

    #[test]
    fn anything_else_reads_as_nothing() {
        for body in [&b""[..], b"[1]", b"{\"options\":5}", b"{nope"] {
            let v = RequestView::parse(body);
            assert!(v.options.is_none() && v.stream.is_none(), "{body:?}");
        }
    }

    #[test]
    fn reads_every_kind_of_text() {
        let t = RequestText::parse(br#"{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}"#);
        assert_eq!(t.messages.len(), 2);
        assert_eq!(
            (t.messages[1].role.as_str(), t.messages[1].content.as_str()),
            ("user", "hi")
        );
        let t = RequestText::parse(br#"{"prompt":"why","system":"sys"}"#);
        assert_eq!(
            (t.prompt.as_deref(), t.system.as_deref()),
            (Some("why"), Some("sys"))
        );
        let t = RequestText::parse(br#"{"input":["a","b"]}"#);
        assert!(matches!(t.input, Some(EmbedInput::Many(v)) if v == ["a", "b"]));
    }
}
