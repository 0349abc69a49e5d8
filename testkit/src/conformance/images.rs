//! `image_from_path` in a transport: a checked image from a file, or a typed error naming
//! the file. The reading sits in each transport (file IO is not allowed in the core); the
//! behaviour is checked once, here.

use std::path::{Path, PathBuf};

use ollama_proto::types::{Image, ImageError, ImageFileError, ImageKind};

/// The scenario's scratch directory, removed when the scenario ends (also when it fails).
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{tag}-images-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PNG is read and recognised; a text file, an empty file, a missing file and a directory
/// are typed errors naming the path. `tag` keeps each transport's files apart.
pub fn image_from_path_is_checked(
    tag: &str,
    image_from_path: impl Fn(&Path) -> Result<Image, ImageFileError>,
) {
    let scratch = ScratchDir::new(tag);
    let png = scratch.file("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let image = image_from_path(&png).unwrap();
    assert_eq!(
        (image.kind(), image.as_bytes().len()),
        (Some(ImageKind::Png), 16)
    );

    let text = scratch.file("notes.png", b"hello");
    match image_from_path(&text).unwrap_err() {
        ImageFileError::NotAnImage { path, source } => {
            assert_eq!(path, text);
            assert_eq!(
                source,
                ImageError::NotAnImage {
                    len: 5,
                    head: b"hello".to_vec()
                }
            );
        }
        other => panic!("{other:?}"),
    }
    let empty = scratch.file("empty.jpg", b"");
    let err = image_from_path(&empty).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: an empty file is not an image", empty.display())
    );

    let missing = png.with_file_name("missing.png");
    let err = image_from_path(&missing).unwrap_err();
    match &err {
        ImageFileError::Read { path, source } => {
            assert_eq!(path, &missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read image {}: ", missing.display()))
    );
    // A directory is not readable as a file.
    assert!(matches!(
        image_from_path(png.parent().unwrap()),
        Err(ImageFileError::Read { .. })
    ));
}
