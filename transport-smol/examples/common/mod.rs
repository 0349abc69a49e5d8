//! Glue shared by the smol examples: where the configuration comes from, how a run ends.

use std::process::ExitCode;

use ollama_smol::Error;

/// Turns a run's result into an exit code, with a one-line message for an absent server.
/// `newline_first` starts the message on a fresh line (after a progress bar).
pub(crate) fn exit_code(base: &str, result: Result<(), Error>, newline_first: bool) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Connect(e)) => {
            let cause =
                std::error::Error::source(&*e).map_or_else(|| e.to_string(), ToString::to_string);
            eprintln!(
                "error: no Ollama server at {base} ({cause}); start `ollama serve`, set OLLAMA_HOST, or pass --replay"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            let lead = if newline_first { "\n" } else { "" };
            eprintln!("{lead}error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration from `OLLAMA_HOST` / `OLLAMA_API_KEY`; an invalid value ends the run with
/// an error that names the variable.
pub(crate) fn config_from_env() -> ollama_proto::ClientConfig {
    ollama_proto::ClientConfig::from_env().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    })
}
