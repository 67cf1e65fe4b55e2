use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the WAV file.
    #[arg(default_value = "demo/recordings/demo-jam.wav")]
    pub path: PathBuf,
    /// Length in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.seconds > 0.0 && args.seconds <= 6.0 * 3600.0) {
        anyhow::bail!(
            "--seconds must be between 0 and 21600, got {}",
            args.seconds
        );
    }
    if args.path.exists() && !args.force {
        println!(
            "{} already exists (use --force to overwrite)",
            args.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let frames = stemset_core::demo::write_demo_recording(&args.path, args.seconds)
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    println!(
        "wrote {} ({:.1} s, 48 kHz 24-bit stereo)",
        args.path.display(),
        frames as f64 / f64::from(stemset_core::demo::DEMO_RATE)
    );
    Ok(ExitCode::SUCCESS)
}
