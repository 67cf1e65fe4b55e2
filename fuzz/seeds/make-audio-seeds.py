#!/usr/bin/env python3
"""Writes the audio_decode seed inputs (tiny WAV/AIFF/CAF files, and cut-down copies of
the decoder fixtures) to the folder given (default: fuzz/corpus/audio_decode)."""
import math, os, struct, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "fuzz", "corpus", "audio_decode")
os.makedirs(out, exist_ok=True)

FRAMES = 200


def tone(ch, i):
    return 0.5 * math.sin(2 * math.pi * (1000 + 500 * ch) * i / 48000)


def pcm(fmt, channels, frames=FRAMES):
    b = bytearray()
    for i in range(frames):
        for c in range(channels):
            x = tone(c, i)
            if fmt == "s8":
                b += struct.pack("<B", int(x * 127) + 128)
            elif fmt == "s16":
                b += struct.pack("<h", int(x * 32767))
            elif fmt == "s24":
                b += struct.pack("<i", int(x * 8388607))[:3]
            elif fmt == "s32":
                b += struct.pack("<i", int(x * 2147483647))
            elif fmt == "f32":
                b += struct.pack("<f", x)
            elif fmt == "f64":
                b += struct.pack("<d", x)
    return bytes(b)


def wav(name, fmt, channels, rate=48000, extensible=False, extra=b""):
    bits = {"s8": 8, "s16": 16, "s24": 24, "s32": 32, "f32": 32, "f64": 64}[fmt]
    tag = 3 if fmt.startswith("f") else 1
    align = channels * bits // 8
    data = pcm(fmt, channels)
    if extensible:
        sub = (b"\x03\x00\x00\x00" if tag == 3 else b"\x01\x00\x00\x00") + b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt_body = struct.pack("<HHIIHH", 0xFFFE, channels, rate, rate * align, align, bits)
        fmt_body += struct.pack("<HHI", 22, bits, (1 << channels) - 1) + sub
    else:
        fmt_body = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body + extra
    body += b"data" + struct.pack("<I", len(data)) + data
    write(name, b"RIFF" + struct.pack("<I", len(body)) + body)


def ieee_extended(x):
    # 80-bit float for AIFF's sample rate.
    e = int(math.floor(math.log2(x)))
    m = int(x / 2 ** e * (1 << 63))
    return struct.pack(">HQ", e + 16383, m)


def aiff(name, channels, rate=44100):
    frames = FRAMES
    data = bytearray()
    for i in range(frames):
        for c in range(channels):
            data += struct.pack(">h", int(tone(c, i) * 32767))
    comm = struct.pack(">hIh", channels, frames, 16) + ieee_extended(rate)
    ssnd = struct.pack(">II", 0, 0) + bytes(data)
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    write(name, b"FORM" + struct.pack(">I", len(body)) + body)


def caf(name, channels, rate=48000.0):
    data = bytearray()
    for i in range(FRAMES):
        for c in range(channels):
            data += struct.pack(">h", int(tone(c, i) * 32767))
    desc = struct.pack(">d4sIIIII", rate, b"lpcm", 0x2, 2 * channels, 1, channels, 16)
    out = b"caff" + struct.pack(">HH", 1, 0)
    out += b"desc" + struct.pack(">q", len(desc)) + desc
    out += b"data" + struct.pack(">q", len(data) + 4) + struct.pack(">I", 0) + bytes(data)
    write(name, out)


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def ogg_pages(data):
    pages, pos = [], 0
    while pos + 27 <= len(data) and data[pos:pos + 4] == b"OggS":
        n = data[pos + 26]
        size = 27 + n + sum(data[pos + 27:pos + 27 + n])
        pages.append(data[pos:pos + size])
        pos += size
    return pages


def flac_cut(data, size):
    """The FLAC file without its PADDING block (ffmpeg writes 8 KB of it), cut to size."""
    blocks, pos = [], 4
    while True:
        kind, last = data[pos] & 0x7F, data[pos] >> 7
        n = int.from_bytes(data[pos + 1:pos + 4], "big")
        if kind != 1:
            blocks.append(bytearray(data[pos:pos + 4 + n]))
        pos += 4 + n
        if last:
            break
    for b in blocks:
        b[0] &= 0x7F
    blocks[-1][0] |= 0x80
    return (b"fLaC" + b"".join(blocks) + data[pos:])[:size]


def fixture(path):
    with open(os.path.join(root, path), "rb") as f:
        return f.read()


wav("pcm16-stereo.wav", "s16", 2)
wav("pcm16-mono.wav", "s16", 1, rate=44100)
wav("pcm8-mono.wav", "s8", 1, rate=8000)
wav("pcm24-stereo.wav", "s24", 2)
wav("pcm32-mono.wav", "s32", 1)
wav("float32-stereo.wav", "f32", 2)
wav("float64-mono.wav", "f64", 1, rate=96000)
wav("ext-float32-4ch.wav", "f32", 4, extensible=True)
wav("list-chunk-pcm16.wav", "s16", 2, extra=b"LIST\x0c\x00\x00\x00INFOISFT\x00\x00\x00\x00")
# A lying header (block align 3000 for 2 × 16 bits) behind an ID3 tag or a junk byte:
# symphonia's probe scans past both, the RIFF check looks at offset 0 only.
with open(os.path.join(out, "pcm16-stereo.wav"), "rb") as f:
    plain = bytearray(f.read())
plain[32:34] = struct.pack("<H", 3000)
write("id3-then-wav-lying-align.wav", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(plain))
write("junk-then-wav-lying-align.wav", b"\x00" + bytes(plain))
aiff("pcm16-stereo.aiff", 2)
caf("pcm16-mono.caf", 1)
# Cut-down decoder fixtures (a few KB: the decoders read what is there).
write("flac-stereo-16.flac", flac_cut(fixture("audio/tests/fixtures/tone-44k-stereo-16.flac"), 6000))
write("flac-mono-24.flac", flac_cut(fixture("audio/tests/fixtures/tone-48k-mono-24.flac"), 6000))
write("mp3-stereo.mp3", fixture("audio/tests/fixtures/tone-44k-stereo.mp3")[:2500])
write("ext-pcm16-4ch.wav", fixture("audio/tests/fixtures/tone-48k-4ch-16.wav")[:1500])
write("aac-mono.m4a", fixture("audio/tests/fixtures/tone-48k-mono.m4a"))
write("vorbis-stereo.ogg", fixture("audio/tests/fixtures/tone-48k-stereo.ogg"))
# Ogg Opus: the web app's fixture cut to its two header pages and the first few packets
# of its first audio page (granule position and end-of-stream flag set to match).
pages = ogg_pages(fixture("web/src/lib/audio/fixtures/drums.opus"))
head, tags, audio = pages[0], pages[1], pages[2]
pre_skip = struct.unpack("<H", head[27 + head[26] + 10:27 + head[26] + 12])[0]
nseg = audio[26]
lacing = audio[27:27 + nseg]
body = audio[27 + nseg:]
packets, seg, pos, cur = [], [], 0, 0
for v in lacing:
    seg.append(v)
    cur += v
    if v < 255:
        packets.append((bytes(seg), body[pos:pos + cur]))
        pos += cur
        seg, cur = [], 0
keep = packets[:12]
lacing = b"".join(l for l, _ in keep)
data = b"".join(d for _, d in keep)
page = bytearray(audio[:27])
page[5] = 0x04
page[6:14] = struct.pack("<Q", pre_skip + 960 * len(keep))
page[22:26] = b"\0\0\0\0"
page[26] = len(lacing)
page = page + lacing + data


def ogg_crc(b):
    crc = 0
    for byte in b:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


page[22:26] = struct.pack("<I", ogg_crc(bytes(page)))
write("opus-stereo.opus", head + tags + bytes(page))
