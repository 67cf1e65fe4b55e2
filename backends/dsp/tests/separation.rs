//! The dsp models really separate: four known synthetic sources are mixed, the default
//! 4-stem tree (hpss → center → bass) is run through the plugin registry, and every
//! estimate must be closer to its own source than the mixture is, with margin.

mod common;

use common::{mix, sdr, sources, split};

#[test]
fn the_default_tree_improves_sdr_for_every_stem() {
    let src = sources(10.0);
    let mix = mix(&src);
    let [vocals, drums, bass, other] = &src;
    let steps = [4096, 1000, 65_536];

    let (percussive, harmonic) = split("dsp-hpss", &mix, &steps);
    let (est_vocals, accompaniment) = split("dsp-center", &harmonic, &steps);
    let (est_bass, est_other) = split("dsp-bass", &accompaniment, &steps);

    let mut gains = Vec::new();
    for (name, est, src) in [
        ("vocals", &est_vocals, vocals),
        ("drums", &percussive, drums),
        ("bass", &est_bass, bass),
        ("other", &est_other, other),
    ] {
        assert_eq!(est.len(), src.len(), "{name}: length");
        let (before, after) = (sdr(&mix, src), sdr(est, src));
        println!(
            "{name:<7} SDR mixture {before:6.2} dB → estimate {after:6.2} dB ({:+.2} dB)",
            after - before
        );
        gains.push((name, after - before));
    }
    // The four stems are the tree's leaves, so they add up to the mixture.
    let worst = (0..mix.len())
        .map(|i| (est_vocals[i] + percussive[i] + est_bass[i] + est_other[i] - mix[i]).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-3, "stems do not sum to the mixture: {worst}");
    for (name, gain) in gains {
        assert!(
            gain > 3.0,
            "{name}: SDR improvement {gain:.2} dB (want > 3 dB)"
        );
    }
}
