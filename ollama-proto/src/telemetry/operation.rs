//! `gen_ai.operation.name` from the API path.

/// The `gen_ai.operation.name` of a call to `path` (`/api/chat` is `chat`): the conventions'
/// well-known values for inference and embeddings, the endpoint's own name for model
/// management (the conventions allow custom values where none applies).
pub fn operation_name(path: &str) -> &'static str {
    if path == "/v1/systemone" {
        return "decision";
    }
    let rest = path.strip_prefix("/api/").unwrap_or(path);
    let head = rest.split(['/', '?']).next().unwrap_or(rest);
    match head {
        "chat" => "chat",
        "generate" => "text_completion",
        "embed" | "embeddings" => "embeddings",
        "pull" => "pull",
        "push" => "push",
        "create" => "create",
        "copy" => "copy",
        "delete" => "delete",
        "show" => "show",
        "tags" => "list_models",
        "ps" => "list_running",
        "version" => "version",
        "blobs" => "blob",
        "web_search" => "web_search",
        "web_fetch" => "web_fetch",
        "balance" => "balance",
        "usage" => "usage",
        "me" => "whoami",
        _ => "ollama",
    }
}

#[cfg(test)]
mod tests {
    use super::operation_name;

    #[test]
    fn every_endpoint_has_a_name() {
        let cases = [
            ("/api/chat", "chat"),
            ("/api/generate", "text_completion"),
            ("/api/embed", "embeddings"),
            ("/api/embeddings", "embeddings"),
            ("/api/blobs/sha256:ab", "blob"),
            ("/api/tags", "list_models"),
            ("/api/ps", "list_running"),
            ("/api/web_search", "web_search"),
            ("/api/balance", "balance"),
            ("/api/usage?range=24h&scope=team", "usage"),
            ("/api/me", "whoami"),
            ("/v1/systemone", "decision"),
            ("/nope", "ollama"),
        ];
        for (path, name) in cases {
            assert_eq!(operation_name(path), name, "{path}");
        }
    }
}
