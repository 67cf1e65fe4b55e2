//! The `remote-gpu` job backend and the GPU worker service it talks to.
//!
//! A band without a GPU queues jobs as usual; jobs of a `remote: true` profile (or
//! `stemset process --backend remote-gpu`) go to a `stemset worker` on a GPU machine.
//! Both sides are in this crate because they share one protocol (the library's
//! `jobs::protocol`); the server only links it.

pub mod client;
pub mod diagnose;
pub mod settings;
pub mod worker;

pub use client::RemoteGpu;
pub use settings::{BACKEND, RemoteSettings};

inventory::submit! {
    stemset_library::jobs::backend::JobBackendRegistration {
        name: BACKEND,
        // Sends whole jobs to a GPU worker (`stemset worker`) and waits for its stems.
        remote: true,
        callback_secret: |plugins| RemoteSettings::from_plugins(plugins).ok().map(|s| s.secret),
        build: RemoteGpu::build,
        diagnose: diagnose::diagnose,
    }
}
