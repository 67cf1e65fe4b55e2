#!/usr/bin/env bash
# Regenerates the small audio fixtures under audio/tests/fixtures/ that audio/tests/audio_io.rs
# decodes. Needs ffmpeg (with libmp3lame and libvorbis; Debian's package has both) only when
# regenerating: the fixtures are committed and the tests never call ffmpeg.
#
# Every file holds pure tones at 0.5 amplitude, so the tests can check the decoded content:
#   stereo files: left 1000 Hz, right 1500 Hz
#   mono files:   1000 Hz
#   4-channel:    500, 1000, 1500, 2000 Hz on channels 0..3 (tests the stereo fold-down)
set -euo pipefail

cd "$(dirname "$0")/.."
out=audio/tests/fixtures
mkdir -p "$out"

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
stereo() { echo "aevalsrc=0.5*sin(2*PI*1000*t)|0.5*sin(2*PI*1500*t):s=$1:d=$2"; }
mono() { echo "aevalsrc=0.5*sin(2*PI*1000*t):s=$1:d=$2"; }

# Lossless: FLAC 16-bit stereo 44.1 kHz, FLAC 24-bit mono 48 kHz.
ff -f lavfi -i "$(stereo 44100 0.3)" -c:a flac -sample_fmt s16 "$out/tone-44k-stereo-16.flac"
ff -f lavfi -i "$(mono 48000 0.3)" -c:a flac -sample_fmt s32 -bits_per_raw_sample 24 "$out/tone-48k-mono-24.flac"
# Lossy: MP3 stereo 44.1 kHz, AAC/M4A mono 48 kHz, Ogg Vorbis stereo 48 kHz.
ff -f lavfi -i "$(stereo 44100 0.5)" -c:a libmp3lame -b:a 128k "$out/tone-44k-stereo.mp3"
ff -f lavfi -i "$(mono 48000 0.5)" -c:a aac -b:a 64k "$out/tone-48k-mono.m4a"
ff -f lavfi -i "$(stereo 48000 0.5)" -c:a libvorbis -q:a 3 "$out/tone-48k-stereo.ogg"
# A 4-channel 16-bit WAV (WAVE_FORMAT_EXTENSIBLE, as multi-track recorders write).
ff -f lavfi -i "aevalsrc=0.5*sin(2*PI*500*t)|0.5*sin(2*PI*1000*t)|0.5*sin(2*PI*1500*t)|0.5*sin(2*PI*2000*t):s=48000:d=0.25" \
    -c:a pcm_s16le "$out/tone-48k-4ch-16.wav"

ls -l "$out"
du -ch "$out"/* | tail -1
