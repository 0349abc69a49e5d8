//! Tool definitions (request side) and tool calls (response side).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A tool the model may call, as sent in `tools` on a chat request.
///
/// `parameters` is kept as a JSON value with its key order (the server keeps property order
/// since v0.14.0, and a stable order keeps the server's prompt cache warm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tool {
    /// Always `"function"`.
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    /// The function's name, description and JSON-Schema parameters.
    pub function: ToolFunction,
}

fn function_type() -> String {
    "function".to_owned()
}

impl Tool {
    /// A function tool with a name, a description and a JSON Schema for its parameters.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Self {
        Self {
            kind: function_type(),
            function: ToolFunction {
                name: name.into(),
                description: Some(description.into()),
                parameters,
            },
        }
    }
}

/// The function part of a [`Tool`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolFunction {
    /// Function name the model uses to call it.
    pub name: String,
    /// What the function does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments (`{"type":"object","properties":{…},"required":[…]}`).
    #[serde(default)]
    pub parameters: Value,
}

/// One tool call made by the model (`message.tool_calls[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCall {
    /// Call id (`call_xxxxxxxx`), sent by servers since v0.12.10; echo it back as
    /// `tool_call_id` on the tool result message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The function called and its arguments.
    pub function: ToolCallFunction,
}

/// The function part of a [`ToolCall`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCallFunction {
    /// 0-based position of the call in the response (servers since v0.12.6; absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Name of the function to call.
    pub name: String,
    /// Arguments as a JSON object, in the order the model produced them. Empty on a partial
    /// call.
    #[serde(default, deserialize_with = "super::models::null_as_default")]
    pub arguments: Map<String, Value>,
    /// On a partial call (a stream asked for with
    /// [`stream_tool_calls`](super::ChatRequest::stream_tool_calls)): the **whole** raw argument
    /// text generated so far, in the model's own format (not JSON, and not an increment: each
    /// partial entry replaces the last one of the same `index`). `None` on a complete call.
    /// Only in an open upstream pull request (ollama/ollama#17658), so read leniently: a
    /// value that is not a string is kept as its JSON text, `null` is `None`.
    #[serde(
        default,
        deserialize_with = "text_or_json",
        skip_serializing_if = "Option::is_none"
    )]
    pub arguments_delta: Option<String>,
}

/// A string as it is, any other JSON value as its JSON text, `null` as `None`.
fn text_or_json<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

impl ToolCall {
    /// A tool call, e.g. to build assistant history by hand.
    pub fn new(name: impl Into<String>, arguments: Map<String, Value>) -> Self {
        Self {
            id: None,
            function: ToolCallFunction {
                index: None,
                name: name.into(),
                arguments,
                arguments_delta: None,
            },
        }
    }

    /// `true` for a partial call of a stream (it carries
    /// [`arguments_delta`](ToolCallFunction::arguments_delta)): its arguments are still being
    /// generated; the complete call follows with the same `index` and `id`.
    pub fn is_partial(&self) -> bool {
        self.function.arguments_delta.is_some()
    }
}
