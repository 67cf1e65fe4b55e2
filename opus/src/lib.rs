//! Opus encoding and decoding without a C toolchain: a safe wrapper over
//! [`unsafe_libopus`], libopus 1.3.1 translated to Rust by c2rust (checked by its authors
//! against the C library on the IETF test vectors). It offers the part of the `opus`
//! crate's API that Stemset uses, with the same names and signatures, so switching needs no
//! code change beyond the crate's name; building it needs neither cmake nor a system libopus.
//!
//! This is the only crate of the workspace with `unsafe` code: each call below passes
//! pointers to buffers whose lengths it hands to libopus alongside them.

use std::fmt;
use std::ptr::NonNull;

use unsafe_libopus::varargs::{VarArg, VarArgs};

/// Mono or stereo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channels {
    Mono = 1,
    Stereo = 2,
}

/// The encoder's intended application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Application {
    Voip,
    Audio,
    LowDelay,
}

impl Application {
    fn raw(self) -> i32 {
        match self {
            Application::Voip => unsafe_libopus::OPUS_APPLICATION_VOIP,
            Application::Audio => unsafe_libopus::OPUS_APPLICATION_AUDIO,
            Application::LowDelay => unsafe_libopus::OPUS_APPLICATION_RESTRICTED_LOWDELAY,
        }
    }
}

/// The encoder's bitrate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bitrate {
    /// Bits per second, all channels together.
    Bits(i32),
    /// As many bits as the packet can hold.
    Max,
    /// libopus chooses from the sample rate and channels.
    Auto,
}

impl Bitrate {
    fn raw(self) -> i32 {
        match self {
            Bitrate::Bits(b) => b,
            Bitrate::Max => unsafe_libopus::OPUS_BITRATE_MAX,
            Bitrate::Auto => unsafe_libopus::OPUS_AUTO,
        }
    }
}

/// The kind of signal being encoded (a hint for the mode decisions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    Auto,
    Voice,
    Music,
}

impl Signal {
    fn raw(self) -> i32 {
        match self {
            Signal::Auto => unsafe_libopus::OPUS_AUTO,
            Signal::Voice => unsafe_libopus::OPUS_SIGNAL_VOICE,
            Signal::Music => unsafe_libopus::OPUS_SIGNAL_MUSIC,
        }
    }
}

/// A libopus error: the function that failed and libopus's error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    function: &'static str,
    code: i32,
}

impl Error {
    /// The libopus function that failed.
    pub fn function(&self) -> &'static str {
        self.function
    }
    /// libopus's (negative) error code, such as `OPUS_INVALID_PACKET` (-4).
    pub fn code(&self) -> i32 {
        self.code
    }
    /// libopus's description of the code (the C library's `opus_strerror` wording, which the
    /// `opus` crate shows too).
    pub fn description(&self) -> &'static str {
        match self.code {
            unsafe_libopus::OPUS_OK => "success",
            unsafe_libopus::OPUS_BAD_ARG => "invalid argument",
            unsafe_libopus::OPUS_BUFFER_TOO_SMALL => "buffer too small",
            unsafe_libopus::OPUS_INTERNAL_ERROR => "internal error",
            unsafe_libopus::OPUS_INVALID_PACKET => "corrupted stream",
            unsafe_libopus::OPUS_UNIMPLEMENTED => "request not implemented",
            unsafe_libopus::OPUS_INVALID_STATE => "invalid state",
            unsafe_libopus::OPUS_ALLOC_FAIL => "memory allocation failed",
            _ => "unknown error",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.function, self.description())
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn check(function: &'static str, ret: i32) -> Result<i32> {
    if ret < 0 {
        Err(Error {
            function,
            code: ret,
        })
    } else {
        Ok(ret)
    }
}

/// A buffer length as libopus takes it; longer buffers are refused, not truncated.
fn len_i32(function: &'static str, n: usize) -> Result<i32> {
    i32::try_from(n).map_err(|_| Error {
        function,
        code: unsafe_libopus::OPUS_BAD_ARG,
    })
}

fn rate_i32(function: &'static str, sample_rate: u32) -> Result<i32> {
    i32::try_from(sample_rate).map_err(|_| Error {
        function,
        code: unsafe_libopus::OPUS_BAD_ARG,
    })
}

/// An Opus encoder.
pub struct Encoder {
    ptr: NonNull<unsafe_libopus::OpusEncoder>,
    channels: usize,
}

// SAFETY: the encoder state is one heap block that only this value points to; libopus keeps no
// per-thread or shared mutable state for it (its `static mut` tables are constant data that is
// only read), so it may move to another thread. It is not `Sync`: every call takes `&mut self`.
unsafe impl Send for Encoder {}

impl Encoder {
    /// A new encoder for `sample_rate` (8000, 12000, 16000, 24000 or 48000 Hz).
    pub fn new(sample_rate: u32, channels: Channels, mode: Application) -> Result<Encoder> {
        const F: &str = "opus_encoder_create";
        let rate = rate_i32(F, sample_rate)?;
        let mut error = unsafe_libopus::OPUS_OK;
        // SAFETY: plain integers in; `error` is a valid place for the status. libopus checks the
        // arguments and returns null (with the error set) when they are invalid.
        let ptr = unsafe {
            unsafe_libopus::opus_encoder_create(rate, channels as i32, mode.raw(), &mut error)
        };
        check(F, error)?;
        let ptr = NonNull::new(ptr).ok_or(Error {
            function: F,
            code: unsafe_libopus::OPUS_ALLOC_FAIL,
        })?;
        Ok(Encoder {
            ptr,
            channels: channels as usize,
        })
    }

    fn ctl(&mut self, function: &'static str, request: i32, arg: VarArg<'_>) -> Result<()> {
        // SAFETY: `ptr` is a live encoder owned by `self`; the request takes exactly the one
        // argument passed, of the kind libopus reads for it (an i32, or a place for one).
        let ret = unsafe {
            unsafe_libopus::opus_encoder_ctl_impl(
                self.ptr.as_ptr(),
                request,
                VarArgs::new(vec![arg]),
            )
        };
        check(function, ret).map(drop)
    }

    /// Encodes one frame of interleaved float samples (a frame is 2.5, 5, 10, 20, 40 or
    /// 60 ms) into `output`; returns the packet's length in bytes.
    pub fn encode_float(&mut self, input: &[f32], output: &mut [u8]) -> Result<usize> {
        const F: &str = "opus_encode_float";
        let frames = len_i32(F, input.len() / self.channels)?;
        let max = len_i32(F, output.len())?;
        // SAFETY: libopus reads `frames × channels` ≤ `input.len()` samples from `input` and
        // writes at most `max` = `output.len()` bytes to `output`; both live through the call.
        let n = unsafe {
            unsafe_libopus::opus_encode_float(
                self.ptr.as_ptr(),
                input.as_ptr(),
                frames,
                output.as_mut_ptr(),
                max,
            )
        };
        check(F, n).map(|n| n as usize)
    }

    /// Sets the bitrate.
    pub fn set_bitrate(&mut self, value: Bitrate) -> Result<()> {
        let request = unsafe_libopus::OPUS_SET_BITRATE_REQUEST;
        self.ctl(
            "opus_encoder_ctl(OPUS_SET_BITRATE)",
            request,
            VarArg::I32(value.raw()),
        )
    }

    /// Sets the signal type.
    pub fn set_signal(&mut self, signal: Signal) -> Result<()> {
        let request = unsafe_libopus::OPUS_SET_SIGNAL_REQUEST;
        self.ctl(
            "opus_encoder_ctl(OPUS_SET_SIGNAL)",
            request,
            VarArg::I32(signal.raw()),
        )
    }

    /// The encoder's look-ahead in samples at its sample rate (the OpusHead pre-skip at 48 kHz).
    pub fn get_lookahead(&mut self) -> Result<i32> {
        let mut value = 0;
        let request = unsafe_libopus::OPUS_GET_LOOKAHEAD_REQUEST;
        self.ctl(
            "opus_encoder_ctl(OPUS_GET_LOOKAHEAD)",
            request,
            VarArg::I32Out(&mut value),
        )?;
        Ok(value)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from opus_encoder_create and is freed once, here.
        unsafe { unsafe_libopus::opus_encoder_destroy(self.ptr.as_ptr()) }
    }
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("channels", &self.channels)
            .finish()
    }
}

/// An Opus decoder.
pub struct Decoder {
    ptr: NonNull<unsafe_libopus::OpusDecoder>,
    channels: usize,
}

// SAFETY: as for `Encoder`: owned heap state, no shared mutable state; calls take `&mut self`.
unsafe impl Send for Decoder {}

impl Decoder {
    /// A new decoder producing `sample_rate` (8000, 12000, 16000, 24000 or 48000 Hz).
    pub fn new(sample_rate: u32, channels: Channels) -> Result<Decoder> {
        const F: &str = "opus_decoder_create";
        let rate = rate_i32(F, sample_rate)?;
        let mut error = unsafe_libopus::OPUS_OK;
        // SAFETY: plain integers in; `error` is a valid place for the status. libopus checks the
        // arguments and returns null (with the error set) when they are invalid.
        let ptr = unsafe { unsafe_libopus::opus_decoder_create(rate, channels as i32, &mut error) };
        check(F, error)?;
        let ptr = NonNull::new(ptr).ok_or(Error {
            function: F,
            code: unsafe_libopus::OPUS_ALLOC_FAIL,
        })?;
        Ok(Decoder {
            ptr,
            channels: channels as usize,
        })
    }

    /// Decodes one packet into interleaved floats; returns the frames (samples per channel)
    /// written. An empty `input` means a lost packet (concealment); `fec` decodes the
    /// in-band forward error correction data of the next packet instead.
    pub fn decode_float(&mut self, input: &[u8], output: &mut [f32], fec: bool) -> Result<usize> {
        const F: &str = "opus_decode_float";
        let len = len_i32(F, input.len())?;
        let frames = len_i32(F, output.len() / self.channels)?;
        let data = if input.is_empty() {
            std::ptr::null()
        } else {
            input.as_ptr()
        };
        // SAFETY: libopus reads `len` = `input.len()` bytes from `data` (none when null) and
        // writes at most `frames × channels` ≤ `output.len()` floats to `output`; both live
        // through the call. Damaged packets are reported as errors (OPUS_INVALID_PACKET).
        let n = unsafe {
            unsafe_libopus::opus_decode_float(
                self.ptr.as_ptr(),
                data,
                len,
                output.as_mut_ptr(),
                frames,
                i32::from(fec),
            )
        };
        check(F, n).map(|n| n as usize)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from opus_decoder_create and is freed once, here.
        unsafe { unsafe_libopus::opus_decoder_destroy(self.ptr.as_ptr()) }
    }
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("channels", &self.channels)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_round_trip() {
        let mut enc = Encoder::new(48_000, Channels::Stereo, Application::Audio).expect("encoder");
        enc.set_bitrate(Bitrate::Bits(128_000)).expect("bitrate");
        enc.set_signal(Signal::Music).expect("signal");
        let delay = enc.get_lookahead().expect("lookahead") as usize;
        let mut dec = Decoder::new(48_000, Channels::Stereo).expect("decoder");
        let (frame, frames) = (960, 100);
        let tone = |i: usize| (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin() * 0.5;
        let mut packet = vec![0u8; 4000];
        let mut out = vec![0f32; 5760 * 2];
        let mut decoded = Vec::new();
        for k in 0..frames {
            let pcm: Vec<f32> = (k * frame..(k + 1) * frame)
                .flat_map(|i| [tone(i), tone(i)])
                .collect();
            let n = enc.encode_float(&pcm, &mut packet).expect("encode");
            let m = dec
                .decode_float(&packet[..n], &mut out, false)
                .expect("decode");
            assert_eq!(m, frame);
            decoded.extend(out[..m * 2].iter().step_by(2).copied());
        }
        let (mut sig, mut err) = (0f64, 0f64);
        for i in 10 * frame..frames * frame - delay {
            let x = f64::from(tone(i));
            sig += x * x;
            err += (x - f64::from(decoded[i + delay])).powi(2);
        }
        let snr = 10.0 * (sig / err).log10();
        assert!(snr > 20.0, "SNR {snr:.1} dB");
    }

    #[test]
    fn errors_name_the_function_and_code() {
        assert!(Encoder::new(44_100, Channels::Mono, Application::Audio).is_err());
        let mut dec = Decoder::new(48_000, Channels::Mono).expect("decoder");
        let mut out = vec![0f32; 5760];
        // A code-3 packet claiming 0 frames is invalid.
        let e = dec
            .decode_float(&[0x03, 0x00], &mut out, false)
            .expect_err("invalid");
        assert_eq!(e.code(), unsafe_libopus::OPUS_INVALID_PACKET);
        assert_eq!(e.to_string(), "opus_decode_float: corrupted stream");
    }
}
