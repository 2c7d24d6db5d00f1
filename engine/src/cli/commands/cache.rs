//! `horde cache dir|clean`: the compiled-component cache.

use crate::cli::args::CacheAction;
use crate::cli::exit::{self, Failure};
use crate::host::cache;

pub fn cache(action: CacheAction) -> Result<u8, Failure> {
    let dir = cache::cache_dir().ok_or_else(|| {
        Failure::error(format!(
            "no cache directory: set {} (or HOME or XDG_CACHE_HOME)",
            cache::CACHE_DIR_ENV
        ))
    })?;
    match action {
        CacheAction::Dir => println!("{}", dir.display()),
        CacheAction::Clean => {
            let cleaned = cache::clean(&dir).map_err(|e| {
                Failure::error(format!("cannot clean the cache {}: {e}", dir.display()))
            })?;
            println!(
                "removed {} compiled component(s), {:.1} MB, from {}",
                cleaned.files,
                cleaned.bytes as f64 / 1e6,
                dir.display()
            );
        }
    }
    Ok(exit::OK)
}
