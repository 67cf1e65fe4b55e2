#![no_main]

use libfuzzer_sys::fuzz_target;

/// Live heap capped at 2 GiB: a memory blow-up aborts (a crash libFuzzer saves).
#[global_allocator]
static ALLOC: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, 2 << 30);

fuzz_target!(
    init: {
        std::sync::LazyLock::force(&stemset_fuzz::graphql::SETUP);
    },
    |data: &[u8]| {
        stemset_fuzz::graphql::run(data);
    }
);
