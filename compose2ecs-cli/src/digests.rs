//! The digests file `push` writes and `--image-digests` reads: each
//! service's image by digest (`{"web": "<repository>@sha256:…"}`).

use std::path::Path;

use compose2ecs_core::IndexMap;
use serde_json::{Value, json};

/// Writes the digests (`{"web": "<repository>@sha256:…"}`).
pub(crate) fn write(path: &Path, digests: &IndexMap<String, String>) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = format!("{:#}\n", json!(digests));
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads a digests file as `push` writes it; every image by digest.
pub(crate) fn read(path: &Path) -> Result<IndexMap<String, String>, String> {
    // As every input: a regular file, read with a bound.
    let text = compose2ecs_core::Source::read(path)
        .map_err(|e| {
            e.diagnostics().first().map_or_else(
                || format!("cannot read {}", path.display()),
                |d| d.message.clone(),
            )
        })?
        .text;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let map = value
        .as_object()
        .ok_or_else(|| format!("{} is not a mapping of services to images", path.display()))?;
    let mut out = IndexMap::new();
    for (service, image) in map {
        let image = image.as_str().unwrap_or_default();
        let digest = image.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        if !valid(digest) {
            return Err(format!(
                "{}: `{service}` is `{image}`, not an image by digest (`<repository>@sha256:<64 hex digits>`)",
                path.display()
            ));
        }
        out.insert(service.clone(), image.to_owned());
    }
    Ok(out)
}

/// `sha256:` and 64 hexadecimal digits.
pub(crate) fn valid(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}
