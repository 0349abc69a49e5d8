//! `OLLAMA_HOST` parsing and the environment helper.
