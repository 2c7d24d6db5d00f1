//! The compiled-component cache: a scenario compiled to native code once is kept on disk,
//! keyed by the component's SHA-256, the horde version and the wasmtime settings it was
//! compiled for, so that a 12 MB JavaScript or 18 MB Python scenario starts in milliseconds
//! after its first run instead of compiling for seconds. `horde cache clean` empties it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The environment variable that moves the cache (tests give each run its own).
pub const CACHE_DIR_ENV: &str = "HORDE_CACHE_DIR";

/// Extension of a cached compiled component.
const EXTENSION: &str = "cwasm";

/// Where compiled components are kept: `$HORDE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/horde/components`, else `$HOME/.cache/horde/components`. None when
/// none of them is set: then nothing is cached.
pub fn cache_dir() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = set(CACHE_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    let base = set("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| set("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("horde").join("components"))
}

/// A component compiled for `engine`, from the cache when it holds one, else compiled now
/// and stored. A cache that cannot be read or written only costs the compile time.
pub fn load_or_compile(
    engine: &Engine,
    bytes: &[u8],
    dir: Option<&Path>,
) -> wasmtime::Result<Component> {
    let Some(dir) = dir else {
        return Component::new(engine, bytes);
    };
    let path = dir.join(format!("{}.{EXTENSION}", key(engine, bytes)));
    if path.exists() {
        // SAFETY: files under the cache directory are written only by `store` below, from
        // `Component::serialize` of the very bytes the key names, for an engine with the
        // same compatibility hash; wasmtime checks its own header and settings again while
        // loading. Whoever can write this directory can already run code as this user.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(component) => return Ok(component),
            // A file from an interrupted write, or another wasmtime: compile it anew.
            Err(_) => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    let _ = store(&component, dir, &path);
    Ok(component)
}

/// Writes the compiled component atomically (a temporary file renamed into place), so that
/// a concurrent run never reads half a file.
fn store(component: &Component, dir: &Path, path: &Path) -> io::Result<()> {
    let compiled = component.serialize().map_err(io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("component"),
        std::process::id()
    ));
    std::fs::write(&temporary, compiled)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// The file name of a component's compiled form: its SHA-256, the horde version, and a hash
/// of the settings wasmtime requires to match (target, compiler flags, memory layout).
fn key(engine: &Engine, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut settings = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{hex}-horde{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        settings.finish()
    )
}

/// What `horde cache clean` removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub files: u64,
    pub bytes: u64,
}

/// Removes every compiled component (and leftover temporary file) from `dir`. A missing
/// directory is an empty cache.
pub fn clean(dir: &Path) -> io::Result<Cleaned> {
    let mut cleaned = Cleaned::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(cleaned),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.ends_with(&format!(".{EXTENSION}")) || name.ends_with(".tmp");
        if !ours || !entry.file_type()?.is_file() {
            continue;
        }
        cleaned.bytes += entry.metadata()?.len();
        std::fs::remove_file(entry.path())?;
        cleaned.files += 1;
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "(component (core module (func (export \"f\"))))";

    #[test]
    fn a_second_load_comes_from_the_cache_and_clean_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let bytes = wat::parse_str(TINY).unwrap();
        load_or_compile(&engine, &bytes, Some(dir.path())).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1, "one compiled file");
        let path = files[0].as_ref().unwrap().path();
        let written = std::fs::metadata(&path).unwrap().modified().unwrap();
        load_or_compile(&engine, &bytes, Some(dir.path())).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            written,
            "the second load reads the file instead of writing it again"
        );
        let cleaned = clean(dir.path()).unwrap();
        assert_eq!(cleaned.files, 1);
        assert!(cleaned.bytes > 0);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_damaged_file_is_compiled_again() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let bytes = wat::parse_str(TINY).unwrap();
        let path = dir
            .path()
            .join(format!("{}.{EXTENSION}", key(&engine, &bytes)));
        std::fs::write(&path, b"not a compiled component").unwrap();
        load_or_compile(&engine, &bytes, Some(dir.path())).unwrap();
        assert!(std::fs::read(&path).unwrap().len() > 100);
    }

    #[test]
    fn the_key_follows_the_bytes_and_the_settings() {
        let engine = Engine::default();
        let a = wat::parse_str(TINY).unwrap();
        let b = wat::parse_str("(component)").unwrap();
        assert_ne!(key(&engine, &a), key(&engine, &b));
        let mut config = wasmtime::Config::new();
        config.memory_reservation(1 << 20);
        let other = Engine::new(&config).unwrap();
        assert_ne!(key(&engine, &a), key(&other, &a));
        assert_eq!(key(&engine, &a), key(&Engine::default(), &a));
    }

    #[test]
    fn cleaning_a_missing_directory_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            clean(&dir.path().join("absent")).unwrap(),
            Cleaned::default()
        );
    }
}
