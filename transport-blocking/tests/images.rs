//! `image_from_path`: a checked image from a file, or a typed error naming the file
//! (the shared check in `testkit::conformance::images`).

#[test]
fn images_from_files_are_checked() {
    testkit::conformance::images::image_from_path_is_checked("ollama_blocking", |path| {
        ollama_blocking::image_from_path(path)
    });
}
