#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// Live heap capped at 2 GiB: a memory blow-up aborts (a crash libFuzzer saves).
#[global_allocator]
static ALLOC: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, 2 << 30);

static DIR: LazyLock<PathBuf> = LazyLock::new(|| stemset_fuzz::scratch_dir("audio"));
/// `STEMSET_FUZZ_SHOW=1 …/audio_decode FILE…` prints what each input did (triage).
static SHOW: LazyLock<bool> = LazyLock::new(|| std::env::var_os("STEMSET_FUZZ_SHOW").is_some());

fuzz_target!(
    init: stemset_fuzz::allow_caught_panics(),
    |data: &[u8]| {
        let outcome = stemset_fuzz::audio::run(data, &DIR);
        if *SHOW {
            eprintln!("{outcome:?}");
        }
    }
);
