//! `ollama-standin`: a stand-in Ollama server for any language's tests.
//!
//! ```text
//! ollama-standin [--listen 127.0.0.1:11434] [--script FILE] [--recordings DIR]
//!                [--server-version V] [--model NAME]...
//! ```
//!
//! Prints `listening on http://ADDR` once bound, serves until SIGINT or SIGTERM, then exits 0.
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::mpsc;

use ollama_standin::script::Script;
use ollama_standin::{Model, Server};

const USAGE: &str = "\
usage: ollama-standin [--listen ADDR] [--script FILE] [--recordings DIR]
                      [--server-version V] [--model NAME]...

  --listen ADDR         address to bind (default 127.0.0.1:11434; port 0 picks one)
  --script FILE         models, version and scripted replies (JSON; see the crate docs)
  --recordings DIR      also answer from recorded responses in DIR
  --server-version V    the version /api/version reports (default: the crate's)
  --model NAME          serve an echo model called NAME that reasons like its family
                        (qwen3: thinking field, deepseek-r1: <think> tags, gpt-oss: harmony;
                        a name with \"embed\" embeds; repeatable)

Without models (and without recordings) every model name is served as --model NAME.
Prints `listening on http://ADDR` once bound; stops on SIGINT or SIGTERM.";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ollama-standin: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut builder = Server::builder();
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 11434));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--listen" => {
                let text = value("--listen")?;
                listen = text
                    .parse()
                    .map_err(|err| format!("--listen {text:?}: {err}"))?;
            }
            "--script" => {
                let path = value("--script")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|err| format!("--script {path}: {err}"))?;
                let script =
                    Script::parse(&text).map_err(|err| format!("--script {path}: {err}"))?;
                builder = script
                    .apply(builder)
                    .map_err(|err| format!("--script {path}: {err}"))?;
            }
            "--recordings" => builder = builder.recordings(value("--recordings")?),
            "--server-version" => builder = builder.version(&value("--server-version")?),
            "--model" => builder = builder.model(Model::named(&value("--model")?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let (stop, stopped) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })
    .map_err(|err| format!("installing the signal handler: {err}"))?;
    let server = builder
        .listen(listen)
        .start()
        .map_err(|err| format!("starting on {listen}: {err}"))?;
    println!("listening on {}", server.url());
    let _ = std::io::stdout().flush();
    let _ = stopped.recv();
    server.shutdown();
    eprintln!("ollama-standin: stopped");
    Ok(())
}
