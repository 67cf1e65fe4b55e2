use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the WAV file.
    #[arg(default_value = "demo/recordings/demo-jam.wav")]
    pub path: PathBuf,
    /// Length in seconds (of each play, with --takes).
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,
    /// A little rehearsal: the song played this many times, with quiet gaps between.
    #[arg(long, default_value_t = 1)]
    pub takes: usize,
    /// Seconds of room noise between plays (with --takes).
    #[arg(long, default_value_t = 12.0)]
    pub gap: f64,
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
    if !(1..=20).contains(&args.takes) {
        anyhow::bail!("--takes must be 1 to 20, got {}", args.takes);
    }
    if !(args.gap.is_finite() && (0.0..=600.0).contains(&args.gap)) {
        anyhow::bail!("--gap must be 0 to 600 seconds, got {}", args.gap);
    }
    if args.path.exists() && !args.force {
        println!(
            "{} already exists (use --force to overwrite)",
            args.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let frames =
        stemset_core::demo::write_demo_rehearsal(&args.path, args.seconds, args.takes, args.gap)
            .with_context(|| format!("cannot write {}", args.path.display()))?;
    println!(
        "wrote {} ({:.1} s, 48 kHz 24-bit stereo)",
        args.path.display(),
        frames as f64 / f64::from(stemset_core::demo::DEMO_RATE)
    );
    Ok(ExitCode::SUCCESS)
}
