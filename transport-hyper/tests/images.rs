//! `image_from_path`: a checked image from a file, or a typed error naming the file.
#![allow(clippy::unwrap_used)]

use ollama_hyper::{ImageError, ImageFileError, ImageKind, image_from_path};

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ollama-hyper-images-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn images_from_files_are_checked() {
    let png = temp_file("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let image = image_from_path(&png).unwrap();
    assert_eq!(
        (image.kind(), image.as_bytes().len()),
        (Some(ImageKind::Png), 16)
    );

    let text = temp_file("notes.png", b"hello");
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
    let empty = temp_file("empty.jpg", b"");
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
