"""Float64 NumPy reference of the MDX-Net and HTDemucs processing in
docs/model-formats.md (§1.4–1.7 and §2.2–2.5). Our own code, written from that
description; used by make_golden.py to produce the golden outputs the Rust ONNX backend
is compared against.

Conventions:
  * audio arrays are [channels, samples] (planar) float64;
  * "model" arguments are callables taking/returning float32 numpy arrays with the
    shapes of the ONNX graph (make_golden.py wraps onnxruntime sessions);
  * everything between the model calls is float64, so the only float32 roundings are
    the input file itself and the model boundary.
"""
import json
import struct
from pathlib import Path

import numpy as np

# ============================================================================================
# WAV I/O (32-bit IEEE float, WAVE_FORMAT_IEEE_FLOAT = 3, 16-byte fmt chunk, no `fact`).
# hound 3.5 reads this as SampleFormat::Float, bits_per_sample 32, any channel count.
# ============================================================================================


def write_wav_f32(path, planar, sr=44100):
    """planar: [channels, frames]; written interleaved (frame-major) as little-endian f32."""
    planar = np.asarray(planar)
    ch, frames = planar.shape
    data = np.ascontiguousarray(planar.T, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, ch, sr, sr * ch * 4, ch * 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    Path(path).write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def read_wav_f32(path):
    """Reads what write_wav_f32 writes (any chunk order, float32 only). Returns (planar f32, sr)."""
    raw = Path(path).read_bytes()
    assert raw[:4] == b"RIFF" and raw[8:12] == b"WAVE"
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = raw[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            data = body
        pos += 8 + size + (size & 1)
    tag, ch, sr, _, _, bits = fmt
    assert tag == 3 and bits == 32, fmt
    x = np.frombuffer(data, dtype="<f4").reshape(-1, ch).T
    return np.array(x, dtype=np.float32), sr


# ============================================================================================
# Windows and torch.stft / torch.istft semantics
# ============================================================================================


def hann_periodic(n):
    """torch.hann_window(n) (periodic=True): 0.5 - 0.5 cos(2 pi k / n), k = 0..n-1."""
    k = np.arange(n, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * k / n)


def hann_symmetric(n):
    """numpy.hanning(n): denominator n-1, both ends 0; hanning(1) == [1]."""
    return np.hanning(n)


def reflect_pad(x, left, right):
    """Mirror without repeating the edge sample (torch/numpy 'reflect'), last axis.
    Requires left, right < length (true everywhere we use it)."""
    assert left < x.shape[-1] and right < x.shape[-1]
    widths = [(0, 0)] * (x.ndim - 1) + [(left, right)]
    return np.pad(x, widths, mode="reflect")


def stft(x, n_fft, hop, normalized=False):
    """torch.stft(x, n_fft, hop, window=hann_window(n_fft), center=True, pad_mode='reflect',
    onesided=True, return_complex=True). x [..., L] -> [..., n_fft//2+1, frames] with
    frames = 1 + L // hop. normalized=True multiplies by 1/sqrt(n_fft)."""
    w = hann_periodic(n_fft)
    xp = reflect_pad(x, n_fft // 2, n_fft // 2)
    frames = 1 + (xp.shape[-1] - n_fft) // hop
    idx = np.arange(frames)[:, None] * hop + np.arange(n_fft)[None, :]   # [frames, n_fft]
    seg = xp[..., idx] * w                                               # [..., frames, n_fft]
    X = np.fft.rfft(seg, n=n_fft, axis=-1)                               # unnormalised DFT
    if normalized:
        X = X / np.sqrt(n_fft)
    return np.swapaxes(X, -1, -2)                                        # [..., bins, frames]


def istft(X, n_fft, hop, normalized=False, length=None):
    """torch.istft(X, n_fft, hop, window=hann_window(n_fft), center=True, length=length).
    X [..., n_fft//2+1, frames] complex.
      * normalized=True multiplies the spectrum by sqrt(n_fft) first;
      * each frame: C2R inverse FFT (1/n_fft scaling; the imaginary parts of bin 0 and of
        the Nyquist bin are ignored — we zero them explicitly), times the window;
      * overlap-add at t*hop, divide by the overlap-added window^2 envelope;
      * output = samples [n_fft/2, n_fft/2 + length) of the OLA signal, where length
        defaults to hop*(frames-1); if that range runs past the OLA signal, zeros are
        appended (torch pads the tail); the envelope must be > 1e-11 on the kept range
        (torch raises otherwise)."""
    X = np.array(X, dtype=np.complex128)
    assert X.shape[-2] == n_fft // 2 + 1
    if normalized:
        X = X * np.sqrt(n_fft)
    X[..., 0, :] = X[..., 0, :].real
    X[..., -1, :] = X[..., -1, :].real
    w = hann_periodic(n_fft)
    frames = X.shape[-1]
    fr = np.fft.irfft(np.swapaxes(X, -1, -2), n=n_fft, axis=-1) * w       # [..., frames, n_fft]
    total = n_fft + hop * (frames - 1)
    y = np.zeros(X.shape[:-2] + (total,))
    env = np.zeros(total)
    for t in range(frames):
        y[..., t * hop:t * hop + n_fft] += fr[..., t, :]
        env[t * hop:t * hop + n_fft] += w * w
    start = n_fft // 2
    if length is None:
        length = hop * (frames - 1)
    end = start + length
    kept_end = min(end, total)
    assert env[start:kept_end].min() > 1e-11, "window envelope vanishes (torch would raise)"
    out = y[..., start:kept_end] / env[start:kept_end]
    if end > total:
        out = np.concatenate([out, np.zeros(out.shape[:-1] + (end - total,))], axis=-1)
    return out


# ============================================================================================
# MDX-Net (§1.4–1.7)
# ============================================================================================


def mdx_stft(chunk, n_fft, hop, dim_f):
    """§1.4 forward on a stereo chunk [2, C]: [2, dim_f, T] complex (bins >= dim_f dropped)."""
    return stft(chunk, n_fft, hop)[:, :dim_f, :]


def mdx_istft(spec, n_fft, hop):
    """§1.4 inverse: [2, dim_f, T] complex, bins dim_f..N/2 set to zero, natural length H(T-1)."""
    c, dim_f, T = spec.shape
    full = np.zeros((c, n_fft // 2 + 1, T), dtype=np.complex128)
    full[:, :dim_f, :] = spec
    return istft(full, n_fft, hop)


def pack(spec):
    """§1.5: [2, F, T] complex -> [4, F, T] real planes [L.re, L.im, R.re, R.im]."""
    return np.stack([spec[0].real, spec[0].imag, spec[1].real, spec[1].imag])


def unpack(planes):
    """§1.5 inverse: [4, F, T] -> [2, F, T] complex."""
    return np.stack([planes[0] + 1j * planes[1], planes[2] + 1j * planes[3]])


def mdx_run_model(part, model, n_fft, hop, dim_f, denoise=False):
    """§1.6 on one padded chunk [2, C] (float64). model: f32 [B,4,F,T] -> f32 [B,4,F,T]."""
    spec = pack(mdx_stft(part, n_fft, hop, dim_f))[None]        # [1, 4, dim_f, T]
    spec[:, :, 0:3, :] = 0.0                                     # zero bins 0, 1, 2

    def call(s):
        return np.asarray(model(s.astype(np.float32)), dtype=np.float64)

    if denoise:
        pred = 0.5 * call(spec) - 0.5 * call(-spec)
    else:
        pred = call(spec)
    return mdx_istft(unpack(pred[0]), n_fft, hop)                # [2, C]


def mdx_step(C, n_fft, overlap):
    """§1.7 step. overlap: "default" (UVR Default: C - N) or a number o: floor((1-o)*C)
    evaluated in float64 exactly like Python's int((1 - o) * C) (e.g. o = 0.99 -> 317 for
    C = 31744, because 1 - 0.99 = 0.010000000000000009)."""
    if overlap == "default":
        return C - n_fft
    return int((1.0 - float(overlap)) * C)


def mdx_schedule(n, n_fft, hop, seg, overlap):
    """§1.7 chunk schedule: all derived sizes plus the (start, a) list of chunks, where a is
    the real (un-zero-padded) length of the chunk inside the padded mixture."""
    trim = n_fft // 2
    C = hop * (seg - 1)
    gen = C - 2 * trim
    pad = gen + trim - (n % gen)
    M = n + trim + pad
    step = mdx_step(C, n_fft, overlap)
    chunks = []
    for s in range(0, M, step):
        e = min(s + C, M)
        chunks.append([s, e - s])
    return dict(n=n, n_fft=n_fft, hop=hop, seg=seg, overlap=overlap, trim=trim, C=C,
                gen=gen, pad=pad, M=M, step=step, chunks=chunks)


def mdx_demix(mix, model, n_fft, hop, seg, dim_f, overlap="default", denoise=False):
    """§1.7 demix of mix [2, n] -> RAW network output [2, n] (before compensate)."""
    mix = np.asarray(mix, dtype=np.float64)
    n = mix.shape[1]
    sch = mdx_schedule(n, n_fft, hop, seg, overlap)
    trim, C, pad, M = sch["trim"], sch["C"], sch["pad"], sch["M"]
    mixture = np.concatenate([np.zeros((2, trim)), mix, np.zeros((2, pad))], axis=1)
    assert mixture.shape[1] == M
    result = np.zeros((2, M))
    divider = np.zeros((2, M))
    no_window = overlap != "default" and float(overlap) == 0.0
    for s, a in sch["chunks"]:
        part = np.zeros((2, C))
        part[:, :a] = mixture[:, s:s + a]                        # zero-padded on the right
        y = mdx_run_model(part, model, n_fft, hop, dim_f, denoise)
        weight = np.ones(a) if no_window else hann_symmetric(a)  # Hann over the real part only
        result[:, s:s + a] += y[:, :a] * weight
        divider[:, s:s + a] += weight
    # divider is 0 at index 0 (and at the very end); those points are outside the kept range.
    kept = slice(trim, trim + n)
    assert divider[:, kept].min() > 0
    return result[:, kept] / divider[:, kept]


# ============================================================================================
# HTDemucs (§2.2–2.5)
# ============================================================================================

HT_NFFT = 4096
HT_HOP = 1024


def track_normalise(mix):
    """§2.2 (UVR): ref = mean over channels; mu = mean(ref); sigma = std(ref, ddof=1); no eps."""
    ref = mix.mean(axis=0)
    return float(ref.mean()), float(ref.std(ddof=1))


def triangle_weight(seg, transition_power=1.0):
    """§2.3: 1, 2, ..., seg//2, then seg - seg//2, ..., 2, 1; / max; ** transition_power."""
    w = np.concatenate([np.arange(1, seg // 2 + 1), np.arange(seg - seg // 2, 0, -1)]).astype(np.float64)
    assert len(w) == seg
    return (w / w.max()) ** transition_power


def demucs_windows(n, seg, overlap=0.25):
    """§2.3 steps 3–4 schedule: list of dicts (offset, chunk_len, start, delta//2), where the
    model input is samples [start, start+seg) of the track (zero outside [0, n)) and the kept
    output is model_out[delta//2 : delta//2 + chunk_len], added at [offset, offset+chunk_len)."""
    stride = int((1.0 - overlap) * seg)
    out = []
    for offset in range(0, n, stride):
        chunk_len = min(seg, n - offset)
        delta = seg - chunk_len
        out.append(dict(offset=offset, chunk_len=chunk_len, start=offset - delta // 2, trim=delta // 2))
    return out


def take_window(x, start, seg):
    """Samples [start, start+seg) of x [C, n], zero-filled only where the range leaves x."""
    n = x.shape[-1]
    w = np.zeros((x.shape[0], seg))
    a, b = max(0, start), min(n, start + seg)
    if b > a:
        w[:, a - start:b - start] = x[:, a:b]
    return w


def ht_spec(x):
    """§2.5 HTDemucs._spec on a window x [2, SEG] -> complex [2, 2048, le].
    le = ceil(SEG/1024); reflect-pad (1536, 1536 + le*1024 - SEG); centred, normalised
    STFT (N 4096, H 1024, periodic Hann, 1/sqrt(N)); drop the Nyquist bin; keep frames
    2 .. 2+le-1 (the padded signal gives le + 4 frames)."""
    L = x.shape[-1]
    le = -(-L // HT_HOP)
    pad = HT_HOP // 2 * 3
    xp = reflect_pad(x, pad, pad + le * HT_HOP - L)
    z = stft(xp, HT_NFFT, HT_HOP, normalized=True)[..., :-1, :]
    assert z.shape[-1] == le + 4
    return z[..., 2:2 + le]


def ht_ispec(z, length):
    """§2.5 HTDemucs._ispec: z [..., 2048, le] complex -> [..., length].
    Append a zero Nyquist bin and 2 zero frames each side, normalised iSTFT (x sqrt(N)) with
    length le*1024 + 2*1536, keep [1536, 1536 + length)."""
    pad = HT_HOP // 2 * 3
    zz = np.zeros(z.shape[:-2] + (z.shape[-2] + 1, z.shape[-1] + 4), dtype=np.complex128)
    zz[..., :-1, 2:-2] = z
    le = HT_HOP * (-(-length // HT_HOP)) + 2 * pad
    x = istft(zz, HT_NFFT, HT_HOP, normalized=True, length=le)
    return x[..., pad:pad + length]


def cac(z):
    """[2, F, T] complex -> [4, F, T] planes [L.re, L.im, R.re, R.im]."""
    return pack(z)


def uncac(planes):
    """[S, 4, F, T] -> [S, 2, F, T] complex (planes 2c, 2c+1 = re, im of channel c)."""
    return planes[:, 0::2] + 1j * planes[:, 1::2]


def ht_core_call(window, core):
    """One model call with a sevagh-style core (STFT outside the graph).
    core(input f32 [1,2,SEG], x f32 [1,4,2048,le]) -> (spec f32 [1,S,4,2048,le] or
    [1,S*4,2048,le], time f32 [1,S,2,SEG]). Returns the sources [S, 2, SEG] (float64):
    time branch + iSTFT(spectral branch)."""
    seg = window.shape[-1]
    z = ht_spec(window)
    spec_out, time_out = core(window[None].astype(np.float32), cac(z)[None].astype(np.float32))
    time_out = np.asarray(time_out, dtype=np.float64)[0]             # [S, 2, SEG]
    S = time_out.shape[0]
    spec_out = np.asarray(spec_out, dtype=np.float64).reshape(S, 4, z.shape[-2], z.shape[-1])
    return time_out + ht_ispec(uncac(spec_out), seg)


def ht_whole_call(window, whole):
    """One call of a demucs-onnx style model: whole(f32 [1,2,SEG]) -> f32 [1,S,2,SEG]."""
    return np.asarray(whole(window[None].astype(np.float32)), dtype=np.float64)[0]


def demucs_apply(mix, call, seg, overlap=0.25, transition_power=1.0):
    """§2.2 + §2.3 with shifts = 0 and split = True, for a single model.
    mix [2, n]; call(window [2, seg] float64) -> [S, 2, seg] float64. Returns [S, 2, n]."""
    mix = np.asarray(mix, dtype=np.float64)
    n = mix.shape[-1]
    mu, sigma = track_normalise(mix)
    x = (mix - mu) / sigma
    weight = triangle_weight(seg, transition_power)
    out = None
    sum_w = np.zeros(n)
    for w in demucs_windows(n, seg, overlap):
        y = call(take_window(x, w["start"], seg))                     # [S, 2, seg]
        y = y[..., w["trim"]:w["trim"] + w["chunk_len"]]              # centre trim
        if out is None:
            out = np.zeros((y.shape[0], 2, n))
        o, cl = w["offset"], w["chunk_len"]
        out[..., o:o + cl] += weight[:cl] * y
        sum_w[o:o + cl] += weight[:cl]
    assert sum_w.min() > 0
    out /= sum_w
    return out * sigma + mu


def stems_to_planar(stems):
    """[S, 2, n] -> [2S, n] in stem-major channel order (stem0 L, stem0 R, stem1 L, ...)."""
    S, c, n = stems.shape
    return stems.reshape(S * c, n)


def dump_json_lines(path, items):
    """A JSON list with one compact item per line (diff-friendly)."""
    Path(path).write_text("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n")
