//! Decode a captured Ollama response body from stdin and print one JSON summary.
//!
//! Run `cargo run -p ollama-proto --example decode -- --help` for the full description.

use std::io::Read;
use std::process::ExitCode;

use ollama_proto::think::{TagPair, ThinkConfig, ThinkMode, ThinkPolicy};
use ollama_proto::{Accumulator, Decoder, DecoderConfig, Error, StreamKind};
use serde_json::{Value, json};

const HELP: &str = "\
decode: feed a captured Ollama response body (stdin) to ollama-proto's decoder and print one
JSON object describing what it decoded.

USAGE:
    decode --endpoint chat|generate|pull|push|create|embed [--chunk N] [--think MODE]
           [--status CODE] < body

OPTIONS:
    --endpoint E   which endpoint produced the body (required)
    --chunk N      feed the body N bytes at a time (default: all at once); the output must not
                   depend on N
    --think MODE   thinking separation for chat/generate: auto (default), server, tags,
                   harmony, hide (auto, reasoning dropped), raw (no separation at all)
    --status CODE  HTTP status the body came with (default 200); >= 400 reads it as an error
    --max-line N   line length limit in bytes (default 8 MiB)
    -h, --help     this text

OUTPUT (one line of JSON, keys always present, stable):
    chunks       number of JSON objects decoded
    content      concatenated answer text (after thinking separation)
    thinking     concatenated reasoning text
    tool_calls   array of {\"name\", \"arguments\"}
    done         true when the terminal object (done:true / status:success) was decoded
    done_reason  string or null
    eval_count   number or null
    error        null, or {\"kind\", \"message\"} with kind one of: status, server, truncated,
                 line_too_long, json, utf8, trailing_data

Exit status: 0 when the body decoded without error, 1 on a decoding error, 2 on bad usage.
";

struct Args {
    endpoint: String,
    chunk: usize,
    think: String,
    status: u16,
    max_line: Option<usize>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        endpoint: String::new(),
        chunk: usize::MAX,
        think: "auto".into(),
        status: 200,
        max_line: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--endpoint" => args.endpoint = value,
            "--chunk" => args.chunk = number(&value)?.max(1),
            "--think" => args.think = value,
            "--status" => {
                args.status = u16::try_from(number(&value)?).map_err(|_| "bad --status")?;
            }
            "--max-line" => args.max_line = Some(number(&value)?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.endpoint.is_empty() {
        return Err("--endpoint is required".into());
    }
    Ok(Some(args))
}

fn think_config(name: &str) -> Result<ThinkConfig, String> {
    let mut c = ThinkConfig::default();
    match name {
        "auto" => {}
        "server" => c.mode = ThinkMode::Server,
        "tags" => c.mode = ThinkMode::Tags(TagPair::default()),
        "harmony" => c.mode = ThinkMode::Harmony,
        "hide" => c.policy = ThinkPolicy::Hide,
        "raw" => c.policy = ThinkPolicy::Raw,
        other => return Err(format!("unknown --think mode {other}")),
    }
    Ok(c)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("decode: {e}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let kind = match args.endpoint.as_str() {
        "chat" => StreamKind::Chat,
        "generate" => StreamKind::Generate,
        "pull" | "push" | "create" => StreamKind::Progress,
        "embed" => return embed(&args),
        other => {
            eprintln!("decode: unknown endpoint {other}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let mut config = DecoderConfig::default();
    match think_config(&args.think) {
        Ok(t) => config.think = t,
        Err(e) => {
            eprintln!("decode: {e}");
            return ExitCode::from(2);
        }
    }
    if let Some(n) = args.max_line {
        config.max_line_len = n;
    }
    let body = match read_stdin() {
        Ok(b) => b,
        Err(code) => return code,
    };
    let mut decoder = Decoder::new(kind, config);
    let mut acc = Accumulator::default();
    let mut error = None;
    let drain = |d: &mut Decoder, acc: &mut Accumulator, error: &mut Option<Error>| {
        while let Some(ev) = d.poll_event() {
            match ev {
                Ok(ev) => acc.push(&ev),
                Err(e) => *error = Some(e),
            }
        }
    };
    if args.status >= 400 {
        // An error status is no stream: its body is the message, classified as a client does.
        error = Some(ollama_proto::response::status_error(args.status, &body));
    } else {
        for piece in body.chunks(args.chunk) {
            if decoder.feed(piece).is_err() {
                break;
            }
            drain(&mut decoder, &mut acc, &mut error);
        }
        decoder.finish();
        drain(&mut decoder, &mut acc, &mut error);
    }

    let completion = acc.completion();
    let summary = json!({
        "chunks": decoder.objects_decoded(),
        "content": acc.content(),
        "thinking": acc.thinking(),
        "tool_calls": acc.tool_calls().iter().map(|c| json!({
            "name": c.function.name,
            "arguments": c.function.arguments,
        })).collect::<Vec<_>>(),
        "done": completion.is_some(),
        "done_reason": completion.and_then(|c| c.done_reason.as_ref()).map(|r| r.as_str()),
        "eval_count": completion.and_then(|c| c.metrics.eval_count),
        "error": error_json(error.as_ref()),
    });
    println!("{summary}");
    if error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn embed(args: &Args) -> ExitCode {
    let body = match read_stdin() {
        Ok(b) => b,
        Err(code) => return code,
    };
    let result = if args.status >= 400 {
        Err(ollama_proto::response::status_error(args.status, &body))
    } else {
        ollama_proto::response::decode_json::<ollama_proto::types::EmbedResponse>(&body)
    };
    let error = result.as_ref().err();
    let summary = json!({
        "chunks": u64::from(result.is_ok()),
        "content": "",
        "thinking": "",
        "tool_calls": [],
        "done": result.is_ok(),
        "done_reason": null,
        "eval_count": null,
        "error": error_json(error),
    });
    println!("{summary}");
    if error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_stdin() -> Result<Vec<u8>, ExitCode> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body).map_err(|e| {
        eprintln!("decode: cannot read stdin: {e}");
        ExitCode::from(2)
    })?;
    Ok(body)
}

fn error_json(e: Option<&Error>) -> Value {
    match e {
        None => Value::Null,
        Some(e) => json!({"kind": e.kind().as_str(), "message": e.to_string()}),
    }
}
