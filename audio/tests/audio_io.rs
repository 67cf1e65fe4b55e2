//! Audio I/O on real files: decoding every supported container (fixtures made by
//! scripts/make-audio-fixtures.sh), damaged input, and the WAV/FLAC/Ogg Opus encoders read
//! back by independent decoders.

use std::f64::consts::PI;
use std::fs::File;
use std::path::{Path, PathBuf};

use stemset_audio::channels::ToStereo;
use stemset_audio::decode::{self, DecodedSource};
use stemset_audio::encode::{EncodeSpec, OutputFormat, create_encoder};
use stemset_audio::resample::Resampled;
use stemset_audio::wav::WavSource;
use stemset_audio::{AudioError, AudioSource, pump};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read_all(src: &mut dyn AudioSource) -> Result<Vec<f32>, AudioError> {
    let ch = src.channels();
    let mut out = Vec::new();
    let mut buf = vec![0.0f32; 1000 * ch];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n * ch]);
    }
}

fn channel(x: &[f32], channels: usize, c: usize) -> Vec<f32> {
    x.iter().skip(c).step_by(channels).copied().collect()
}

/// Least-squares fit of a `freq` sine: (its amplitude, the share of the signal's energy
/// it explains). Edges are skipped (codec ramp-in/out).
fn tone(x: &[f32], rate: u32, freq: f64) -> (f64, f64) {
    let edge = x.len() / 10;
    let x = &x[edge..x.len() - edge];
    let (mut s, mut c, mut e) = (0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let w = 2.0 * PI * freq * (i + edge) as f64 / f64::from(rate);
        s += f64::from(v) * w.sin();
        c += f64::from(v) * w.cos();
        e += f64::from(v) * f64::from(v);
    }
    let n = x.len() as f64;
    let (a, b) = (2.0 * s / n, 2.0 * c / n);
    let amp = (a * a + b * b).sqrt();
    (amp, (amp * amp / 2.0) / (e / n).max(1e-12))
}

fn assert_tone(x: &[f32], rate: u32, freq: f64, amp: f64, what: &str) {
    let (a, share) = tone(x, rate, freq);
    assert!(
        share > 0.95,
        "{what}: {freq} Hz explains only {share:.3} of the energy"
    );
    assert!(
        (a - amp).abs() < 0.05,
        "{what}: {freq} Hz amplitude {a:.3}, expected {amp}"
    );
}

/// A generated multi-tone source (never held in memory): channel c plays `freqs[c]` at 0.5.
struct Tones {
    rate: u32,
    freqs: Vec<f64>,
    pos: u64,
    frames: u64,
}

impl Tones {
    fn new(rate: u32, freqs: &[f64], seconds: f64) -> Self {
        Self {
            rate,
            freqs: freqs.to_vec(),
            pos: 0,
            frames: (seconds * f64::from(rate)).round() as u64,
        }
    }
    fn sample(&self, frame: u64, c: usize) -> f32 {
        (0.5 * (2.0 * PI * self.freqs[c] * frame as f64 / f64::from(self.rate)).sin()) as f32
    }
}

impl AudioSource for Tones {
    fn sample_rate(&self) -> u32 {
        self.rate
    }
    fn channels(&self) -> usize {
        self.freqs.len()
    }
    fn total_frames(&self) -> Option<u64> {
        Some(self.frames)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.freqs.len();
        let n = ((buf.len() / ch) as u64).min(self.frames - self.pos) as usize;
        for i in 0..n {
            for c in 0..ch {
                buf[i * ch + c] = self.sample(self.pos + i as u64, c);
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

const FIXTURES: [&str; 6] = [
    "tone-44k-stereo-16.flac",
    "tone-48k-mono-24.flac",
    "tone-44k-stereo.mp3",
    "tone-48k-mono.m4a",
    "tone-48k-stereo.ogg",
    "tone-48k-4ch-16.wav",
];
const STEREO: &[f64] = &[1000.0, 1500.0];
const MONO: &[f64] = &[1000.0];

#[test]
fn decodes_every_container() {
    // (file, rate, tone per channel, bits, codec, container, seconds, allowed length error in
    // frames: one codec packet for lossy formats; for M4A also the AAC priming, since
    // symphonia 0.6 does not apply MP4 edit lists).
    #[rustfmt::skip]
    let cases = [
        ("tone-44k-stereo-16.flac", 44_100, STEREO, Some(16), "flac", "flac", 0.3, 0),
        ("tone-48k-mono-24.flac", 48_000, MONO, Some(24), "flac", "flac", 0.3, 0),
        ("tone-44k-stereo.mp3", 44_100, STEREO, None, "mp3", "mp3", 0.5, 1152),
        ("tone-48k-mono.m4a", 48_000, MONO, None, "aac", "isomp4", 0.5, 2048),
        ("tone-48k-stereo.ogg", 48_000, STEREO, None, "vorbis", "ogg", 0.5, 1024),
    ];
    for (file, rate, freqs, bits, codec, container, seconds, slack) in cases {
        let mut src = decode::open(&fixture(file)).expect(file);
        let info = src.info().clone();
        assert_eq!(
            (info.sample_rate, info.channels),
            (rate, freqs.len()),
            "{file}"
        );
        assert_eq!(info.bits_per_sample, bits, "{file}");
        assert_eq!(
            (info.codec.as_str(), info.container.as_str()),
            (codec, container),
            "{file}"
        );
        let x = read_all(&mut src).expect(file);
        let frames = (x.len() / freqs.len()) as u64;
        let want = (seconds * f64::from(rate)) as u64;
        assert!(
            frames.abs_diff(want) <= slack,
            "{file}: {frames} frames, expected {want}"
        );
        for (c, &f) in freqs.iter().enumerate() {
            assert_tone(&channel(&x, freqs.len(), c), rate, f, 0.5, file);
        }
    }
}

#[test]
fn multichannel_wav_keeps_its_channels_and_folds_pairs_to_stereo() {
    let path = fixture("tone-48k-4ch-16.wav");
    let mut src = decode::open(&path).expect("open");
    assert_eq!(
        (src.info().channels, src.info().bits_per_sample),
        (4, Some(16))
    );
    let x = read_all(&mut src).expect("decode");
    assert_eq!(x.len(), 4 * 12_000);
    for (c, f) in [500.0, 1000.0, 1500.0, 2000.0].into_iter().enumerate() {
        assert_tone(&channel(&x, 4, c), 48_000, f, 0.5, "4ch");
    }
    // Even channels (0, 2) make the left side, odd ones (1, 3) the right, each at half level.
    let mut st = ToStereo::new(decode::open(&path).expect("open"));
    let y = read_all(&mut st).expect("fold");
    let (l, r) = (channel(&y, 2, 0), channel(&y, 2, 1));
    assert_eq!(l.len(), 12_000);
    assert!(
        (tone(&l, 48_000, 500.0).0 - 0.25).abs() < 0.01
            && (tone(&l, 48_000, 1500.0).0 - 0.25).abs() < 0.01
    );
    assert!(
        (tone(&r, 48_000, 1000.0).0 - 0.25).abs() < 0.01
            && (tone(&r, 48_000, 2000.0).0 - 0.25).abs() < 0.01
    );
    assert!(tone(&l, 48_000, 1000.0).0 < 0.01 && tone(&r, 48_000, 500.0).0 < 0.01);
}

#[test]
fn mono_is_duplicated_and_resampling_keeps_length_and_tone() {
    let src = decode::open(&fixture("tone-48k-mono-24.flac")).expect("open");
    let mut st = Resampled::new(ToStereo::new(src), 44_100).expect("resampler");
    let y = read_all(&mut st).expect("read");
    assert_eq!(y.len(), 2 * 13_230, "round(14400 · 44100 / 48000) frames");
    assert!(y.chunks_exact(2).all(|f| f[0] == f[1]));
    assert_tone(&channel(&y, 2, 0), 44_100, 1000.0, 0.5, "resampled mono");
}

#[test]
fn wav_bit_depths_written_by_hound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let formats = [
        (16, hound::SampleFormat::Int),
        (24, hound::SampleFormat::Int),
        (32, hound::SampleFormat::Int),
        (32, hound::SampleFormat::Float),
    ];
    for (bits, fmt) in formats {
        let path = dir.path().join(format!("t-{bits}-{fmt:?}.wav"));
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: bits,
            sample_format: fmt,
        };
        let mut w = hound::WavWriter::create(&path, spec).expect("create");
        let tones = Tones::new(48_000, STEREO, 0.25);
        let scale = f64::from(1u32 << (bits - 1));
        for i in 0..tones.frames {
            for c in 0..2 {
                let v = tones.sample(i, c);
                match fmt {
                    hound::SampleFormat::Float => w.write_sample(v).expect("write"),
                    hound::SampleFormat::Int => w
                        .write_sample((f64::from(v) * scale).round() as i32)
                        .expect("write"),
                }
            }
        }
        w.finalize().expect("finalize");
        let what = format!("{bits}-bit {fmt:?}");
        let mut dec = decode::open(&path).expect("open");
        assert_eq!(dec.info().bits_per_sample, Some(u32::from(bits)), "{what}");
        let a = read_all(&mut dec).expect("decode");
        let b = read_all(&mut WavSource::open(&path).expect("hound open")).expect("hound read");
        assert_eq!(a.len(), 2 * 12_000, "{what}");
        assert_eq!(a, b, "{what}: symphonia and hound agree exactly");
        assert_tone(&channel(&a, 2, 1), 48_000, 1500.0, 0.5, &what);
    }
}

/// Opening then reading `path` must fail with an error that names the file, never panic.
fn assert_rejected(path: &Path) {
    let result = decode::open(path).and_then(|mut s: DecodedSource| read_all(&mut s).map(|_| ()));
    let Err(err) = result else {
        panic!("{} should be rejected", path.display());
    };
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "error names the file: {msg}"
    );
}

#[test]
fn damaged_and_non_audio_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n);
    // Deterministic pseudo-random numbers.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed >> 24
    };
    let noise: Vec<u8> = (0..20_000).map(|_| rand() as u8).collect();
    for name in ["noise.wav", "noise.mp3", "noise.flac", "noise.m4a"] {
        std::fs::write(p(name), &noise).expect("write");
        assert_rejected(&p(name));
    }
    std::fs::write(p("notes.wav"), b"setlist: intro, verse, chorus\n").expect("write");
    assert_rejected(&p("notes.wav"));
    std::fs::write(p("empty.flac"), b"").expect("write");
    assert_rejected(&p("empty.flac"));
    assert!(matches!(
        decode::open(&p("missing.wav")),
        Err(AudioError::Open { .. })
    ));

    // Bytes damaged all over a valid file: decoded as far as possible, or an error.
    for file in FIXTURES {
        let mut bytes = std::fs::read(fixture(file)).expect("fixture");
        let len = bytes.len() as u64;
        for _ in 0..len / 200 {
            bytes[(64 + rand() % (len - 64)) as usize] = rand() as u8;
        }
        let damaged = p(&format!("damaged-{file}"));
        std::fs::write(&damaged, &bytes).expect("write");
        if let Ok(mut src) = decode::open(&damaged) {
            let _ = read_all(&mut src);
        }
    }

    // Truncated inside the header: an error; truncated inside the audio: what is there.
    // (ffmpeg's FLAC files start with 8 KiB of padding, hence a cut at 3/4.)
    for file in [
        "tone-44k-stereo-16.flac",
        "tone-48k-4ch-16.wav",
        "tone-44k-stereo.mp3",
    ] {
        let bytes = std::fs::read(fixture(file)).expect("fixture");
        let head = p(&format!("head-{file}"));
        std::fs::write(&head, &bytes[..20]).expect("write");
        assert_rejected(&head);
        let cut = p(&format!("cut-{file}"));
        std::fs::write(&cut, &bytes[..bytes.len() * 3 / 4]).expect("write");
        let mut src = decode::open(&cut).expect("cut file opens");
        let ch = src.channels();
        let n = read_all(&mut src).expect("cut file decodes").len() / ch;
        assert!(n > 1000, "{file}: {n} frames decoded from the first 3/4");
    }
}

fn spec(format: OutputFormat, rate: u32, channels: usize, bits: u32) -> EncodeSpec {
    EncodeSpec {
        format,
        sample_rate: rate,
        channels,
        bits_per_sample: bits,
        opus_bitrate_kbps: 128,
    }
}

/// Encodes `src` to a file in `dir`, returning its path and the frames written.
fn encode(dir: &Path, name: &str, spec: &EncodeSpec, src: &mut dyn AudioSource) -> (PathBuf, u64) {
    let path = dir.join(name);
    let mut enc = create_encoder(&path, spec).expect("encoder");
    let n = pump(src, enc.as_mut()).expect("encode");
    enc.finish().expect("finish");
    (path, n)
}

#[test]
fn wav_and_flac_round_trip_losslessly_at_the_requested_depth() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (format, bits, channels, frames) in [
        (OutputFormat::Flac, 24, 2, 4096 * 3 + 17),
        (OutputFormat::Flac, 16, 1, 4096),
        (OutputFormat::Flac, 24, 2, 5),
        (OutputFormat::Wav, 24, 2, 10_000),
        (OutputFormat::Wav, 16, 1, 999),
    ] {
        let freqs = &[440.0, 1500.0][..channels];
        let what = format!("{format:?} {bits}-bit {channels}ch {frames} frames");
        let mut tones = Tones::new(44_100, freqs, frames as f64 / 44_100.0);
        let name = format!("out-{bits}-{channels}-{frames}.{}", format.extension());
        let (path, n) = encode(
            dir.path(),
            &name,
            &spec(format, 44_100, channels, bits),
            &mut tones,
        );
        assert_eq!(n, frames, "{what}");
        let mut dec = decode::open(&path).expect("open output");
        assert_eq!(dec.info().bits_per_sample, Some(bits), "{what}");
        assert_eq!(
            (dec.info().sample_rate, dec.info().channels),
            (44_100, channels),
            "{what}"
        );
        assert_eq!(
            dec.info().total_frames,
            Some(frames),
            "{what}: header length"
        );
        let y = read_all(&mut dec).expect("decode output");
        assert_eq!(y.len() as u64, frames * channels as u64, "{what}");
        // Lossless: exactly the quantized input (scaled by 2^(bits-1) - 1 on the way in,
        // by 2^(bits-1) on the way out).
        let max = ((1u32 << (bits - 1)) - 1) as f32;
        let lsb = 1.0 / f64::from(1u32 << (bits - 1));
        let tones = Tones::new(44_100, freqs, 1.0);
        for (i, f) in y.chunks_exact(channels).enumerate() {
            for (c, &v) in f.iter().enumerate() {
                let q = f64::from((tones.sample(i as u64, c) * max).round()) * lsb;
                assert!(
                    (f64::from(v) - q).abs() < lsb / 2.0,
                    "{what}: frame {i} ch {c}: {v} vs {q}"
                );
            }
        }
    }
}

/// Reads an Ogg Opus file with the ogg and opus crates: (OpusHead, final granule, PCM).
/// PCM is kept only when `keep` (long files are just counted).
fn read_ogg_opus(path: &Path, keep: bool) -> (Vec<u8>, u64, Vec<f32>, u64) {
    let mut reader = ogg::PacketReader::new(File::open(path).expect("open"));
    let head = reader.read_packet_expected().expect("OpusHead");
    assert!(
        head.first_in_stream() && head.last_in_page(),
        "OpusHead alone on the first page"
    );
    let tags = reader.read_packet_expected().expect("OpusTags");
    assert!(tags.last_in_page(), "OpusTags ends its page");
    assert_eq!(&tags.data[..8], b"OpusTags");
    assert_eq!(&tags.data[8..12], &7u32.to_le_bytes());
    assert_eq!(&tags.data[12..19], b"stemset");
    let channels = if head.data[9] == 1 {
        stemset_opus::Channels::Mono
    } else {
        stemset_opus::Channels::Stereo
    };
    let mut dec = stemset_opus::Decoder::new(48_000, channels).expect("decoder");
    let (mut pcm, mut decoded) = (Vec::new(), 0);
    let mut buf = vec![0.0f32; 5760 * 2];
    let (mut last_gp, mut ended) = (0, false);
    while let Some(p) = reader.read_packet().expect("ogg page") {
        assert!(!ended, "nothing after the end-of-stream packet");
        let n = dec
            .decode_float(&p.data, &mut buf, false)
            .expect("opus packet");
        decoded += n as u64;
        if keep {
            pcm.extend_from_slice(&buf[..n * usize::from(head.data[9])]);
        }
        if p.last_in_page() {
            assert!(p.absgp_page() >= last_gp, "granules never decrease");
            last_gp = p.absgp_page();
        }
        ended = p.last_in_stream();
    }
    assert!(ended, "the last page carries the end-of-stream flag");
    (head.data, last_gp, pcm, decoded)
}

#[test]
fn opus_output_is_valid_ogg_opus_with_exact_length() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (channels, frames) in [(2usize, 48_000u64), (1, 12_345), (2, 960)] {
        let freqs = &STEREO[..channels];
        let mut tones = Tones::new(48_000, freqs, frames as f64 / 48_000.0);
        let name = format!("out-{channels}-{frames}.opus");
        let (path, _) = encode(
            dir.path(),
            &name,
            &spec(OutputFormat::Opus, 48_000, channels, 24),
            &mut tones,
        );
        let (head, granule, pcm, decoded) = read_ogg_opus(&path, true);
        assert_eq!(head.len(), 19);
        assert_eq!(&head[..8], b"OpusHead");
        assert_eq!(
            (head[8], usize::from(head[9])),
            (1, channels),
            "version, channels"
        );
        let pre_skip = u64::from(u16::from_le_bytes([head[10], head[11]]));
        assert!(pre_skip > 0 && pre_skip < 4000, "pre-skip {pre_skip}");
        assert_eq!(
            u32::from_le_bytes([head[12], head[13], head[14], head[15]]),
            48_000
        );
        assert_eq!(
            (i16::from_le_bytes([head[16], head[17]]), head[18]),
            (0, 0),
            "gain, mapping family"
        );
        assert_eq!(
            granule,
            pre_skip + frames,
            "final granule = pre-skip + exact length"
        );
        assert_eq!(decoded, (pcm.len() / channels) as u64);
        assert!(
            decoded >= granule && decoded < granule + 960,
            "{decoded} decoded frames cover the granule"
        );
        let ch = channels as u64;
        // Stemset's own decoder (used on Opus inputs) gives back exactly the frames written.
        let mut back = decode::open(&path).expect("open output");
        assert_eq!(back.total_frames(), Some(frames));
        let back = read_all(&mut back).expect("decode output");
        assert_eq!(
            back.len() as u64,
            frames * ch,
            "{channels}ch: frames read back"
        );
        let trimmed = &pcm[(pre_skip * ch) as usize..((pre_skip + frames) * ch) as usize];
        if frames >= 12_000 {
            for (c, &f) in freqs.iter().enumerate() {
                let x = channel(trimmed, channels, c);
                let want: Vec<f32> = (0..frames).map(|i| tones.sample(i, c)).collect();
                let corr = correlation(&x, &want);
                assert!(
                    corr > 0.9,
                    "{channels}ch: channel {c} ({f} Hz) correlates {corr:.3} after pre-skip"
                );
            }
        }
    }
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let dot = |x: &[f32], y: &[f32]| {
        x.iter()
            .zip(y)
            .map(|(p, q)| f64::from(*p) * f64::from(*q))
            .sum::<f64>()
    };
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt().max(1e-12)
}

#[test]
fn encoders_reject_impossible_specs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = [
        spec(OutputFormat::Opus, 44_100, 2, 24),
        spec(OutputFormat::Opus, 48_000, 3, 24),
        spec(OutputFormat::Flac, 48_000, 2, 12),
        spec(OutputFormat::Wav, 48_000, 2, 20),
    ];
    for s in bad {
        let err = create_encoder(&dir.path().join("x"), &s)
            .err()
            .expect("rejected");
        assert!(matches!(err, AudioError::Encode { .. }), "{s:?}: {err}");
    }
    let json = serde_json::to_string(&[OutputFormat::Opus, OutputFormat::Flac, OutputFormat::Wav])
        .expect("json");
    assert_eq!(json, r#"["opus","flac","wav"]"#);
    assert_eq!(OutputFormat::Opus.extension(), "opus");
}

#[test]
fn five_minutes_stream_through_every_encoder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let frames = 5 * 60 * 48_000u64;
    for format in [OutputFormat::Flac, OutputFormat::Opus, OutputFormat::Wav] {
        let mut tones = Tones::new(48_000, STEREO, 300.0);
        let name = format!("long.{}", format.extension());
        let (path, n) = encode(dir.path(), &name, &spec(format, 48_000, 2, 16), &mut tones);
        assert_eq!(n, frames);
        let size = std::fs::metadata(&path).expect("size").len();
        assert!(size > 1_000_000, "{format:?}: {size} bytes");
        if format == OutputFormat::Opus {
            let (head, granule, _, _) = read_ogg_opus(&path, false);
            assert_eq!(
                granule,
                u64::from(u16::from_le_bytes([head[10], head[11]])) + frames
            );
        } else {
            let mut dec = decode::open(&path).expect("open");
            let mut count = Counter(0);
            assert_eq!(
                pump(&mut dec, &mut count).expect("decode"),
                frames,
                "{format:?}"
            );
            assert_eq!(count.0, 2 * frames);
        }
    }
    // 5 minutes of stereo f32 alone is 115 MB; streaming stays at a few MB (this process
    // peaks around 7 MB on Linux; the bound leaves room for tests running alongside).
    if let Some(kb) = peak_rss_kb() {
        assert!(
            kb < 64 * 1024,
            "peak memory {kb} kB: something buffers the whole stream"
        );
    }
}

/// VmHWM (peak resident memory) where /proc is available.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Counter(u64);

impl stemset_audio::AudioSink for Counter {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        self.0 += interleaved.len() as u64;
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}
