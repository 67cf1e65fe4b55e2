//! Loudness and waveform analysis against calibrated signals.

use stemset_audio::AudioSink;
use stemset_audio::analysis::{Analyzer, decode_waveform};

fn sine(rate: u32, seconds: f64, freq: f64, dbfs: f64, stereo_same: bool) -> Vec<f32> {
    let amp = 10f64.powf(dbfs / 20.0);
    let n = (seconds * f64::from(rate)) as usize;
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n {
        let s = amp * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin();
        out.push(s as f32);
        out.push(if stereo_same { s as f32 } else { 0.0 });
    }
    out
}

fn measure(rate: u32, signal: &[f32]) -> (stemset_audio::analysis::StemAnalysis, Vec<u8>) {
    let mut a = Analyzer::new(rate, 2).expect("analyzer");
    for chunk in signal.chunks(4096 * 2) {
        a.write(chunk).expect("write");
    }
    a.finish().expect("finish");
    a.finish_analysis().expect("analysis")
}

/// EBU Tech 3341 case 1: a stereo 1 kHz sine at −23 dBFS reads −23.0 LUFS.
#[test]
fn calibrated_tone_reads_minus_23_lufs() {
    for rate in [44_100, 48_000] {
        let (a, _) = measure(rate, &sine(rate, 20.0, 1000.0, -23.0, true));
        let lufs = a.lufs.expect("loudness");
        assert!((lufs + 23.0).abs() < 0.1, "{rate} Hz: {lufs} LUFS");
        let peak = a.sample_peak_dbfs.expect("peak");
        assert!((peak + 23.0).abs() < 0.05, "sample peak {peak}");
        let tp = a.true_peak_dbtp.expect("true peak");
        assert!(tp >= peak - 0.01 && tp < -22.5, "true peak {tp}");
        assert!((a.duration_seconds - 20.0).abs() < 1e-9);
    }
}

/// Case 2: −33 dBFS reads −33.0 LUFS (the meter is linear in level).
#[test]
fn quieter_tone_reads_10_lu_lower() {
    let (a, _) = measure(48_000, &sine(48_000, 20.0, 1000.0, -33.0, true));
    assert!((a.lufs.expect("loudness") + 33.0).abs() < 0.1);
}

#[test]
fn silence_has_no_loudness() {
    let (a, peaks) = measure(48_000, &vec![0.0; 48_000 * 2]);
    assert_eq!(a.lufs, None);
    assert_eq!(a.sample_peak_dbfs, None);
    let w = decode_waveform(&peaks).expect("waveform");
    assert!(w.peaks.iter().all(|&(lo, hi)| lo == 0 && hi == 0));
}

#[test]
fn waveform_has_100_peaks_per_second_and_tracks_the_envelope() {
    let rate = 48_000;
    let mut signal = sine(rate, 2.0, 100.0, -6.0, false);
    // Second half silent.
    let half = signal.len() / 2;
    signal[half..].iter_mut().for_each(|s| *s = 0.0);
    let (_, bytes) = measure(rate, &signal);
    let w = decode_waveform(&bytes).expect("waveform");
    assert_eq!(w.sample_rate, rate);
    assert_eq!(w.frames_per_peak, 480);
    assert_eq!(w.peaks.len(), 200);
    let expect = (10f64.powf(-6.0 / 20.0) * 127.0).round() as i8;
    assert!(
        w.peaks[..100]
            .iter()
            .all(|&(lo, hi)| (hi - expect).abs() <= 1 && (lo + expect).abs() <= 1)
    );
    assert!(w.peaks[100..].iter().all(|&(lo, hi)| lo == 0 && hi == 0));
    assert!(
        decode_waveform(&bytes[..30]).is_err(),
        "truncated file is rejected"
    );
}
