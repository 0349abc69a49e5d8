//! Images for vision models: raw bytes, base64 on the wire, checked by their magic bytes.
//! Reading a file is the transports' `image_from_path` (this crate does no IO).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The image formats vision models take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageKind {
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// `FF D8 FF`.
    Jpeg,
    /// `GIF87a` / `GIF89a`.
    Gif,
    /// `RIFF….WEBP`.
    Webp,
}

impl ImageKind {
    /// The format of `bytes` by their first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// Bytes that are not an image a model can take.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageError {
    /// No bytes at all.
    Empty,
    /// Not PNG, JPEG, GIF or WebP.
    NotAnImage {
        /// How many bytes there were.
        len: usize,
        /// The first (up to 8) bytes.
        head: Vec<u8>,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("an empty file is not an image"),
            Self::NotAnImage { len, head } => {
                write!(
                    f,
                    "not a PNG, JPEG, GIF or WebP image ({len} bytes starting"
                )?;
                for b in head {
                    write!(f, " {b:02x}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl std::error::Error for ImageError {}

/// An image file that could not be attached: which file, and why.
#[derive(Debug)]
#[non_exhaustive]
pub enum ImageFileError {
    /// The file could not be read.
    Read {
        /// The path as given.
        path: std::path::PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is not an image.
    NotAnImage {
        /// The path as given.
        path: std::path::PathBuf,
        /// What is wrong with its bytes.
        source: ImageError,
    },
}

/// The largest image file [`ImageFileError::read`] accepts: 64 MiB (a file that large is
/// surely not meant for a vision model, and memory stays bounded).
pub const MAX_IMAGE_FILE: u64 = 64 << 20;

impl ImageFileError {
    /// For transports: the image read from `file` (opened from `path`), at most
    /// [`MAX_IMAGE_FILE`] bytes, or what is wrong with it. The transport opens the file; this
    /// crate only reads what it is given.
    ///
    /// # Errors
    /// [`ImageFileError::Read`] when reading fails or the file is over the limit,
    /// [`ImageFileError::NotAnImage`] when the bytes are not an image.
    pub fn read(
        path: &std::path::Path,
        file: std::io::Result<impl std::io::Read>,
    ) -> Result<Image, Self> {
        use std::io::Read as _;
        let path = path.to_path_buf();
        let mut bytes = Vec::new();
        let read = file.and_then(|f| f.take(MAX_IMAGE_FILE + 1).read_to_end(&mut bytes));
        match read {
            Err(source) => Err(Self::Read { path, source }),
            Ok(n) if n as u64 > MAX_IMAGE_FILE => Err(Self::Read {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::FileTooLarge,
                    format!("over the {MAX_IMAGE_FILE}-byte limit for images"),
                ),
            }),
            Ok(_) => Image::from_bytes(bytes).map_err(|source| Self::NotAnImage { path, source }),
        }
    }
}

impl fmt::Display for ImageFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => {
                write!(f, "cannot read image {}: {source}", path.display())
            }
            Self::NotAnImage { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for ImageFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            Self::NotAnImage { source, .. } => Some(source),
        }
    }
}

/// Raw image bytes; standard base64 (no `data:` prefix) on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Image(pub Vec<u8>);

impl Image {
    /// Checks that `bytes` are a PNG, JPEG, GIF or WebP image (by their magic bytes) and wraps
    /// them. `Image(bytes)` wraps without checking.
    ///
    /// ```
    /// use ollama_proto::types::{Image, ImageKind};
    ///
    /// let png = Image::from_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).unwrap();
    /// assert_eq!(png.kind(), Some(ImageKind::Png));
    /// let err = Image::from_bytes(b"%PDF-1.7".to_vec()).unwrap_err();
    /// assert_eq!(err.to_string(), "not a PNG, JPEG, GIF or WebP image (8 bytes starting 25 50 44 46 2d 31 2e 37)");
    /// ```
    ///
    /// # Errors
    /// [`ImageError`] for empty bytes or bytes of another kind.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, ImageError> {
        let bytes = bytes.into();
        match ImageKind::sniff(&bytes) {
            Some(_) => Ok(Self(bytes)),
            None if bytes.is_empty() => Err(ImageError::Empty),
            None => Err(ImageError::NotAnImage {
                len: bytes.len(),
                head: bytes.iter().take(8).copied().collect(),
            }),
        }
    }

    /// The image's format by its magic bytes, `None` for anything else.
    pub fn kind(&self) -> Option<ImageKind> {
        ImageKind::sniff(&self.0)
    }

    /// Decodes a standard-base64 string; a `data:…;base64,` prefix is accepted and removed.
    pub fn from_base64(text: &str) -> Result<Self, base64::DecodeError> {
        let text = match text.split_once(";base64,") {
            Some((prefix, rest)) if prefix.starts_with("data:") => rest,
            _ => text,
        };
        STANDARD.decode(text.trim()).map(Self)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Image({} bytes)", self.0.len())
    }
}

impl Serialize for Image {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Image {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::from_base64(&s).map_err(serde::de::Error::custom)
    }
}
