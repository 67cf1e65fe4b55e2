//! The built SvelteKit app (adapter-static), when `server.web_dir` holds one: files as
//! they are, and `index.html` for every other path so client-side routes survive a reload.

use salvo::prelude::*;
use salvo::serve_static::StaticDir;
use std::path::Path;

pub fn router(web_dir: &Path) -> Option<Router> {
    if !web_dir.join("index.html").is_file() {
        return None;
    }
    Some(
        Router::with_path("{**path}").get(
            StaticDir::new([web_dir.to_path_buf()])
                .defaults("index.html")
                .fallback("index.html"),
        ),
    )
}
