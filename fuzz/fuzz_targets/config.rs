#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stemset_core::vars::VarResolver;

/// Live heap capped at 2 GiB: a memory blow-up aborts (a crash libFuzzer saves).
#[global_allocator]
static ALLOC: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, 2 << 30);

static PATH: LazyLock<PathBuf> =
    LazyLock::new(|| stemset_fuzz::config::prepare(&stemset_fuzz::scratch_dir("config")));
static VARS: LazyLock<VarResolver> = LazyLock::new(stemset_fuzz::config::vars);

fuzz_target!(|data: &[u8]| {
    stemset_fuzz::config::run(data, &PATH, &VARS);
});
