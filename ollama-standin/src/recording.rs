//! Recordings of real servers, served from a directory the user names: what route each one
//! answers, and loading them. The crate ships none (they are third-party data); this
//! repository's tests use `../shared/fixtures/recorded`.
//!
//! File names carry the route (`-chat-`, `-generate-`, `-embed-`, …); `<name>.request.json` beside a
//! response holds the request body when it is known; `MANIFEST.md` gives each file's provenance tier.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Environment variable that overrides where [`Recording::load`] and [`Recording::all`] read.
///
/// ```
/// assert_eq!(ollama_standin::FIXTURES_DIR_ENV, "OLLAMA_FIXTURES_DIR");
/// ```
pub const FIXTURES_DIR_ENV: &str = "OLLAMA_FIXTURES_DIR";

/// Where the recordings are when this crate is built inside its repository (`shared/` beside
/// the checkout). Outside it the directory does not exist: name one with
/// `$OLLAMA_FIXTURES_DIR`, [`Builder::recordings`](crate::Builder::recordings) or the binary's
/// `--recordings`.
const DEFAULT_FIXTURES_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/recorded"
);

/// The directory [`Recording::load`] and [`Recording::all`] read: `$OLLAMA_FIXTURES_DIR` if
/// set, else the repository's `../shared/fixtures/recorded`.
///
/// ```
/// let dir = ollama_standin::fixtures_dir();
/// assert!(dir.ends_with("recorded") || std::env::var_os(ollama_standin::FIXTURES_DIR_ENV).is_some());
/// ```
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os(FIXTURES_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(DEFAULT_FIXTURES_DIR),
    }
}

/// An Ollama endpoint that recordings exist for.
///
/// ```
/// use ollama_standin::Route;
/// assert_eq!(Route::from_path("/api/chat"), Some(Route::Chat));
/// assert_eq!(Route::Tags.method(), "GET");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// `POST /api/chat`
    Chat,
    /// `POST /api/generate`
    Generate,
    /// `POST /api/embed`
    Embed,
    /// `POST /api/embeddings` (legacy)
    Embeddings,
    /// `POST /api/pull`
    Pull,
    /// `POST /api/show`
    Show,
    /// `GET /api/tags`
    Tags,
    /// `GET /api/ps`
    Ps,
}

impl Route {
    /// Every route, in a fixed order.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Route::ALL.len(), 8);
    /// ```
    pub const ALL: [Self; 8] = [
        Self::Chat,
        Self::Generate,
        Self::Embed,
        Self::Embeddings,
        Self::Pull,
        Self::Show,
        Self::Tags,
        Self::Ps,
    ];

    /// The HTTP method Ollama serves this route on.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Route::Pull.method(), "POST");
    /// ```
    pub fn method(self) -> &'static str {
        match self {
            Self::Tags | Self::Ps => "GET",
            _ => "POST",
        }
    }

    /// The request path, e.g. `/api/chat`.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Route::Embed.path(), "/api/embed");
    /// ```
    pub fn path(self) -> &'static str {
        match self {
            Self::Chat => "/api/chat",
            Self::Generate => "/api/generate",
            Self::Embed => "/api/embed",
            Self::Embeddings => "/api/embeddings",
            Self::Pull => "/api/pull",
            Self::Show => "/api/show",
            Self::Tags => "/api/tags",
            Self::Ps => "/api/ps",
        }
    }

    /// The route served at `path` (no query string), if any.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Route::from_path("/api/nope"), None);
    /// ```
    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|route| route.path() == path)
    }

    /// Whether a request body names a model on this route.
    ///
    /// ```
    /// assert!(!ollama_standin::Route::Ps.takes_model());
    /// ```
    pub fn takes_model(self) -> bool {
        !matches!(self, Self::Tags | Self::Ps)
    }

    /// Whether the route can stream at all, i.e. honours the `stream` field.
    ///
    /// ```
    /// assert!(ollama_standin::Route::Generate.can_stream());
    /// ```
    pub fn can_stream(self) -> bool {
        matches!(self, Self::Chat | Self::Generate | Self::Pull)
    }

    /// The route a recording answers, from its file name; `None` for files that are not native
    /// responses (`v1-*`, request bodies, the manifest).
    ///
    /// ```
    /// use ollama_standin::Route;
    /// assert_eq!(Route::from_file_name("x-show-llama.json"), Some(Route::Show));
    /// ```
    pub fn from_file_name(name: &str) -> Option<Self> {
        let is_response = name.ends_with(".ndjson") || name.ends_with(".json");
        if !is_response || name.ends_with(".request.json") || name.starts_with("v1-") {
            return None;
        }
        const KEYS: [(&str, Route); 9] = [
            ("-error-400-", Route::Chat),
            ("-chat-", Route::Chat),
            ("-generate-", Route::Generate),
            ("-embeddings-", Route::Embeddings),
            ("-embed-", Route::Embed),
            ("-pull-", Route::Pull),
            ("-show-", Route::Show),
            ("-tags-", Route::Tags),
            ("-ps-", Route::Ps),
        ];
        KEYS.iter()
            .find(|(key, _)| name.contains(key))
            .map(|(_, route)| *route)
    }
}

/// One recorded response body, with what is known about the request that produced it.
///
/// ```
/// let recording = ollama_standin::Recording::load("lcg-chat-stream-gemma3-hello.ndjson");
/// assert_eq!(recording.route, ollama_standin::Route::Chat);
/// assert!(recording.stream);
/// ```
#[derive(Clone, Debug)]
pub struct Recording {
    /// File name inside the fixtures directory, e.g. `lcg-chat-stream-gemma3-hello.ndjson`.
    pub name: String,
    /// The response body, byte-exact as stored.
    pub body: Vec<u8>,
    /// The request body from `<name>.request.json`, when present.
    pub request: Option<Value>,
    /// The endpoint that answered.
    pub route: Route,
    /// HTTP status the server answered with (400 for `-error-400-` files, else 200).
    pub status: u16,
    /// Whether the body is an NDJSON stream (`.ndjson`).
    pub stream: bool,
    /// The model: the request's `model` (or legacy `name`), else the response's first `model`.
    pub model: Option<String>,
    /// Provenance tier from `MANIFEST.md` (`A`, `A-`, `B`, `C`, `D`), when listed.
    pub tier: Option<String>,
}

impl Recording {
    /// Loads the recording `name` from [`fixtures_dir`].
    ///
    /// # Panics
    /// If the file is missing or is not a native-API response: a bug in the test's setup.
    ///
    /// ```
    /// let recording = ollama_standin::Recording::load("lcg-embed-nomic.json");
    /// assert_eq!(recording.status, 200);
    /// ```
    pub fn load(name: &str) -> Self {
        match Self::try_load(name) {
            Ok(recording) => recording,
            Err(err) => panic!("recording {name:?} in {}: {err}", fixtures_dir().display()),
        }
    }

    /// Loads the recording `name`, reporting a missing or unsupported file as an error.
    ///
    /// ```
    /// assert!(ollama_standin::Recording::try_load("no-such-chat-file.json").is_err());
    /// ```
    pub fn try_load(name: &str) -> io::Result<Self> {
        Self::load_from(&fixtures_dir(), name)
    }

    /// Loads the recording `name` from `dir`.
    ///
    /// # Errors
    /// If the file is missing, unreadable or not a native-API response.
    ///
    /// ```
    /// let dir = ollama_standin::fixtures_dir();
    /// let recording = ollama_standin::Recording::load_from(&dir, "lc-tags-16-models.json").unwrap();
    /// assert_eq!(recording.route, ollama_standin::Route::Tags);
    /// ```
    pub fn load_from(dir: &Path, name: &str) -> io::Result<Self> {
        let tiers = manifest_tiers(dir);
        load_one(dir, name, &tiers)
    }

    /// Every native-API recording in [`fixtures_dir`], sorted by file name.
    ///
    /// # Panics
    /// If the directory cannot be read.
    ///
    /// ```
    /// assert!(!ollama_standin::Recording::all().is_empty());
    /// ```
    pub fn all() -> Vec<Self> {
        match Self::try_all() {
            Ok(all) => all,
            Err(err) => panic!("reading recordings in {}: {err}", fixtures_dir().display()),
        }
    }

    /// Every native-API recording, or the error reading the directory.
    ///
    /// ```
    /// assert!(ollama_standin::Recording::try_all().is_ok());
    /// ```
    pub fn try_all() -> io::Result<Vec<Self>> {
        Self::try_all_in(&fixtures_dir())
    }

    /// Every native-API recording in `dir`, sorted by file name.
    ///
    /// # Errors
    /// If the directory or one of its recordings cannot be read.
    ///
    /// ```
    /// let all = ollama_standin::Recording::try_all_in(&ollama_standin::fixtures_dir()).unwrap();
    /// assert!(all.windows(2).all(|w| w[0].name < w[1].name));
    /// ```
    pub fn try_all_in(dir: &Path) -> io::Result<Vec<Self>> {
        let tiers = manifest_tiers(dir);
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if Route::from_file_name(&name).is_some() {
                names.push(name);
            }
        }
        names.sort();
        names
            .iter()
            .map(|name| load_one(dir, name, &tiers))
            .collect()
    }

    /// The body split after every `\n`; a last line without newline is kept as is.
    ///
    /// ```
    /// let recording = ollama_standin::Recording::load("lcg-chat-stream-gemma3-hello.ndjson");
    /// assert!(recording.lines().iter().all(|l| l.ends_with(b"\n")));
    /// ```
    pub fn lines(&self) -> Vec<&[u8]> {
        split_lines(&self.body)
    }

    /// Rank for "prefer better provenance": A, A-, B, C, D, then unlisted.
    pub(crate) fn tier_rank(&self) -> u8 {
        match self.tier.as_deref() {
            Some("A") => 0,
            Some("A-") => 1,
            Some("B") => 2,
            Some("C") => 3,
            Some("D") => 4,
            _ => 5,
        }
    }
}

/// Splits after every `\n`, keeping the newline on each line.
pub(crate) fn split_lines(body: &[u8]) -> Vec<&[u8]> {
    body.split_inclusive(|&b| b == b'\n').collect()
}

fn load_one(dir: &Path, name: &str, tiers: &[(String, String)]) -> io::Result<Recording> {
    let route = Route::from_file_name(name).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a native-API response file",
        )
    })?;
    let body = fs::read(dir.join(name))?;
    let stem = name
        .strip_suffix(".ndjson")
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(name);
    let request = match fs::read(dir.join(format!("{stem}.request.json"))) {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes).ok(),
        Err(_) => None,
    };
    let model = request
        .as_ref()
        .and_then(model_of)
        .or_else(|| first_line_model(&body));
    let tier = tiers
        .iter()
        .find(|(file, _)| file == name)
        .map(|(_, tier)| tier.clone());
    Ok(Recording {
        name: name.to_owned(),
        status: if name.contains("-error-400-") {
            400
        } else {
            200
        },
        stream: name.ends_with(".ndjson"),
        body,
        request,
        route,
        model,
        tier,
    })
}

/// The model a request body names: `model`, or the deprecated `name`.
pub(crate) fn model_of(request: &Value) -> Option<String> {
    ["model", "name"]
        .iter()
        .find_map(|key| request.get(key).and_then(Value::as_str))
        .map(str::to_owned)
}

fn first_line_model(body: &[u8]) -> Option<String> {
    let first = split_lines(body).into_iter().next()?;
    let value: Value = serde_json::from_slice(first).ok()?;
    value.get("model")?.as_str().map(str::to_owned)
}

/// `(file, tier)` pairs from the manifest's tables; empty if there is no manifest.
fn manifest_tiers(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs::read_to_string(dir.join("MANIFEST.md")) else {
        return Vec::new();
    };
    // Table rows: | `file` | request | repo | path | endpoint | model | streamed | HTTP | think |
    // tool calls | lines / size | tier | notes |. Only the notes (last) may hold extra pipes.
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let file = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let tier = cells.get(12)?;
            Some((file.to_owned(), (*tier).to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn routes_from_file_names() {
        let table = [
            ("lcg-chat-stream-gemma3-hello.ndjson", Some(Route::Chat)),
            ("lcg-error-400-context-length.json", Some(Route::Chat)),
            ("lcg-embeddings-legacy-nomic.json", Some(Route::Embeddings)),
            ("lcg-embed-nomic.json", Some(Route::Embed)),
            ("atg-ps-two-models-windows.json", Some(Route::Ps)),
            ("lc-tags-16-models.json", Some(Route::Tags)),
            ("lcg-chat-stream-gemma3-hello.request.json", None),
            ("v1-rubyllm-qwen3-nonstream-reasoning.json", None),
            ("MANIFEST.md", None),
        ];
        for (name, want) in table {
            assert_eq!(Route::from_file_name(name), want, "{name}");
        }
    }
}
