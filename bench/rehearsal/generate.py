#!/usr/bin/env python3
"""Synthetic band rehearsal recordings with exact truth, for evaluating take detection.

    generate.py --out DIR --minutes M --seed S [--stems] [--jobs N]

writes DIR/rehearsal.wav (44.1 kHz stereo 16-bit), DIR/truth.json and with --stems
DIR/stems/{drums,bass,other,vocals}.wav. See README.md for what is in a rehearsal and the
truth format.

How it works: the night is planned first as a list of segments (a take, a false start, a
count-in, chatter, tuning, noodling) with exact sample positions. Each segment is then
rendered on its own, just before the mixer needs it: MIDI -> fluidsynth -> sox reverb, one
float WAV per stem, or espeak-ng -> sox for chatter. The mixer walks the file in blocks,
adds the segments that overlap the block (release and reverb tails overlap the next
segment), room noise on top, and streams the 16-bit WAV out; a segment's temp files go as
soon as the mixer is past it, so memory and disk stay flat with the length of the night.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import compose  # noqa: E402
import speech  # noqa: E402

SR = 44100
STEMS = ("drums", "bass", "other", "vocals")
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
LEAD_S = 0.25  # silence at the start of every rendered MIDI segment, before its first event
TAIL_S = 2.5  # rendered after the last note-off: release and reverb tails
# fluidsynth's output starts a note this long after its MIDI time (measured: two of its
# 64-sample blocks; every take's first note is checked against it, see `onset_error_ms`
# in truth.json).
FLUID_LATENCY_S = 128 / SR
ONSET_TOLERANCE_S = 0.010
BLOCK = 1 << 17  # mixer block, samples (~3 s)
FRAME = 2205  # 50 ms frames for level measurement


# --------------------------------------------------------------------------- segments


@dataclass
class Segment:
    what: str  # take | false_start | count-in | chatter | tuning | noodling
    start: int  # sample in the file where the segment's rendered audio begins
    content: tuple  # (start s, end s) in the file: the part that truth names
    level_db: float  # target RMS (dBFS) over the content's active frames
    midi: list = field(default_factory=list)  # [(stem, MidiFile)]
    speech_wav: Path | None = None  # chatter: 22.05 kHz stereo float WAV
    info: dict = field(default_factory=dict)  # goes into truth
    first_note_s: float | None = None  # takes: where the first note must sound (file time)
    # filled by render()
    files: dict = field(default_factory=dict)
    gain: float = 1.0
    length: int = 0
    measured_db: float = float("nan")
    onset_error_s: float | None = None
    handles: dict = field(default_factory=dict)  # open stem files while the mixer is on it


def active_rms_db(files: dict, lo: int, hi: int) -> tuple[float, float]:
    """RMS (dBFS) over the 50 ms frames within 35 dB of the loudest, and the peak,
    of the sum of the stem files between samples lo and hi (streamed)."""
    handles = [sf.SoundFile(p) for p in files.values()]
    energies = []
    peak = 0.0
    pos = 0
    for h in handles:
        h.seek(0)
    n_total = max(h.frames for h in handles)
    while pos < n_total:
        n = min(FRAME * 200, n_total - pos)
        acc = np.zeros((n, 2), np.float32)
        for h in handles:
            x = h.read(n, dtype="float32", always_2d=True)
            acc[:len(x)] += x
        peak = max(peak, float(np.abs(acc).max()) if n else 0.0)
        a, b = max(lo - pos, 0), min(hi - pos, n)
        if b > a:
            seg = acc[a:b]
            k = len(seg) // FRAME
            if k:
                energies.append((seg[:k * FRAME] ** 2).reshape(k, -1).mean(axis=1))
        pos += n
    for h in handles:
        h.close()
    e = np.concatenate(energies) if energies else np.zeros(1)
    e = e[e > e.max() * 10 ** (-35 / 10)] if e.max() > 0 else e
    return 10 * np.log10(max(float(e.mean()), 1e-20)), peak


def sox_reverb_args(reverb: dict) -> list[str]:
    return ["reverb", str(reverb["reverberance"]), "50", str(reverb["room_scale"]), "100",
            str(reverb["pre_delay_ms"]), str(reverb["wet_gain_db"])]


def render(seg: Segment, work: Path, reverb: dict) -> Segment:
    """Render one segment into float WAVs (one per stem), then set its gain."""
    d = Path(tempfile.mkdtemp(prefix=f"{seg.what}-", dir=work))
    if seg.speech_wav is not None:
        out = d / "vocals.wav"
        subprocess.run(["sox", "-R", "-V1", str(seg.speech_wav), "-b", "32", "-e", "floating-point",
                        str(out), "rate", "-v", str(SR), "pad", "0", "1.5", *sox_reverb_args(reverb)],
                       check=True)
        seg.speech_wav.unlink()
        seg.files["vocals"] = out
    for stem, mid in seg.midi:
        midp, raw, out = d / f"{stem}.mid", d / f"{stem}-dry.wav", d / f"{stem}.wav"
        mid.save(midp)
        subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.2",
                        "-o", "synth.dynamic-sample-loading=1", "-r", str(SR), "-O", "float",
                        "-T", "wav", "-F", str(raw), SOUNDFONT, str(midp)],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["sox", "-R", "-V1", str(raw), str(out), *sox_reverb_args(reverb)], check=True)
        raw.unlink()
        midp.unlink()
        seg.files[stem] = out
    seg.length = max(sf.info(str(p)).frames for p in seg.files.values())
    lo = int(round(seg.content[0] * SR)) - seg.start
    hi = int(round(seg.content[1] * SR)) - seg.start
    rms_db, peak = active_rms_db(seg.files, lo, hi)
    gain_db = seg.level_db - rms_db
    # keep the segment's peak under -1 dBFS: a loud target on a spiky part gets less
    if peak > 0:
        gain_db = min(gain_db, -1.0 - 20 * np.log10(peak))
    seg.gain = float(10 ** (gain_db / 20))
    seg.measured_db = rms_db + gain_db
    if seg.first_note_s is not None:
        seg.onset_error_s = measure_onset(seg) - seg.first_note_s
    return seg


def measure_onset(seg: Segment) -> float:
    """File time of the first audible sample of a take's own rendering."""
    n = int((LEAD_S + 0.2) * SR)
    acc = np.zeros((n, 2), np.float32)
    for p in seg.files.values():
        x, _ = sf.read(str(p), frames=n, dtype="float32", always_2d=True)
        acc[:len(x)] += x
    # before the first note the rendering is digital silence; -80 dBFS (before gain)
    # catches the first sample of an attack without being fooled by rounding noise
    hit = np.flatnonzero(np.abs(acc).max(axis=1) > 1e-4)
    return (seg.start + (hit[0] if len(hit) else n)) / SR


# --------------------------------------------------------------------------- room


class PinkNoise:
    """Stereo pink-ish noise in any chunk sizes, made of overlapping FFT-shaped frames.

    Each frame is white noise shaped to 1/f in the spectrum; frames overlap by half under
    a sine window, whose squares sum to one, so the power stays constant and there are
    no seams.
    """

    def __init__(self, rng, rms_db: float, n: int = 1 << 15):
        self.rng, self.n = rng, n
        f = np.fft.rfftfreq(n, 1 / SR)
        f[0] = f[1]
        self.shape = 1 / np.sqrt(np.maximum(f, 20.0))
        self.window = np.sin(np.pi * (np.arange(n) + 0.5) / n)[:, None]
        self.scale = 10 ** (rms_db / 20)
        self.buf = np.zeros((0, 2), np.float32)
        self.overlap = np.zeros((n // 2, 2))

    def _frame(self):
        spec = (self.rng.standard_normal((len(self.shape), 2))
                + 1j * self.rng.standard_normal((len(self.shape), 2))) * self.shape[:, None]
        x = np.fft.irfft(spec, n=self.n, axis=0)
        return x / np.sqrt((x ** 2).mean()) * self.scale * self.window

    def take(self, k: int) -> np.ndarray:
        while len(self.buf) < k:
            fr = self._frame()
            half = self.n // 2
            out = self.overlap + fr[:half]
            self.overlap = fr[half:]
            self.buf = np.concatenate([self.buf, out.astype(np.float32)])
        out, self.buf = self.buf[:k], self.buf[k:]
        return out


# --------------------------------------------------------------------------- planning


class Planner:
    """Lays the night out segment by segment on a time cursor (seconds)."""

    def __init__(self, seed: int, minutes: float, work: Path):
        self.seed, self.minutes, self.work = seed, minutes, work
        self.rng = np.random.default_rng([seed, 0])
        self.t = 1.0  # the recorder runs a moment before anyone plays
        self.segments: list[Segment] = []
        self.gaps: list[dict] = []  # labelled gap items (silences are filled in later)
        self.band = speech.make_band(self.rng, int(self.rng.integers(3, 5)))
        self.night_db = float(self.rng.uniform(-24, -19))
        self.songs: list[compose.Song] = []
        self.titles: list[str] = []
        self.n_chat = 0

    def sub_rng(self, *tag):
        return np.random.default_rng([self.seed, *tag])

    # ---- MIDI segments
    def midi_segment(self, what, notes, bpm, programs, level_db, volumes=None, pause=0.0, **info):
        """Place MIDI material (notes in beats at bpm) `pause` s after the cursor."""
        start = int(round((self.t + pause) * SR))
        first = min(n.start for n in notes)
        last = max(n.start + n.dur for n in notes)
        t0 = start / SR + compose.beat_seconds(first, bpm, LEAD_S) + FLUID_LATENCY_S
        t1 = start / SR + compose.beat_seconds(last, bpm, LEAD_S) + FLUID_LATENCY_S
        midi = []
        for stem in ("drums", "bass", "other"):
            part_notes = [n for n in notes if compose.STEM_OF_PART[n.part] == stem]
            if part_notes:
                midi.append((stem, compose.midi_file(part_notes, bpm, programs, LEAD_S, TAIL_S, volumes)))
        seg = Segment(what, start, (t0, t1), level_db, midi=midi, info=info)
        self.segments.append(seg)
        self.t = t1
        return seg

    def gap(self, what, seg_or_span, **detail):
        s, e = seg_or_span.content if isinstance(seg_or_span, Segment) else seg_or_span
        self.gaps.append({"start": s, "end": e, "what": what, **detail, "_seg": seg_or_span})

    def chatter(self, seconds, context, pause):
        rng = self.sub_rng(2, self.n_chat)
        self.n_chat += 1
        utt = speech.conversation(rng, self.band, seconds, context, self.titles)
        wav = self.work / f"chat{self.n_chat}.wav"
        spans = speech.render_conversation(rng, self.band, utt, self.work, wav)
        start = int(round((self.t + pause) * SR))
        t0, t1 = start / SR + spans[0][0], start / SR + max(e for _, e in spans)
        seg = Segment("chatter", start, (t0, t1), self.night_db + float(rng.uniform(-2, 2)),
                      speech_wav=wav)
        self.segments.append(seg)
        self.t = t1
        self.gap("chatter", seg, lines=len(utt))

    def tuning(self, seconds, pause):
        rng = self.sub_rng(3, len(self.segments))
        notes, programs = compose.tuning(rng, seconds)
        # tuning notes are in seconds: render at 60 BPM, one beat a second
        seg = self.midi_segment("tuning", notes, 60.0, programs,
                                self.night_db + float(rng.uniform(-6, -1)), pause=pause)
        self.gap("tuning", seg, instrument=notes[0].part)

    def noodling(self, seconds, pause):
        rng = self.sub_rng(4, len(self.segments))
        kind = ["bass", "drums", "guitar", "keys"][rng.integers(4)]
        notes, bpm, programs = compose.noodle(rng, kind, seconds)
        seg = self.midi_segment("noodling", notes, bpm, programs,
                                self.night_db + float(rng.uniform(-5, 0)), pause=pause)
        self.gap("noodling", seg, instrument=kind)

    def silence(self, seconds):
        self.t += seconds  # labelled later: everything unlabelled is silence

    # ---- takes
    def play(self, song: compose.Song, bpm: float, kind: str, stop_s: float | None, pause: float,
             count_in: bool, tag: int):
        rng = self.sub_rng(5, tag)
        bpm = 60e6 / compose.tempo_us(bpm)  # the tempo the MIDI file really has
        notes = compose.humanize(rng, song.notes, bpm)
        if stop_s is not None:  # a false start: everybody stops stop_s after the first note
            stop_beat = song.first_beat() + stop_s * bpm / 60
            notes = [compose.Note(n.start, min(n.dur, stop_beat - n.start), n.pitch, n.vel,
                                  n.part, n.bend_cents) for n in notes if n.start < stop_beat]
        level = self.night_db + float(rng.uniform(-4, 4))
        if count_in:
            clicks = compose.count_in(rng)
            ci = self.midi_segment("count-in", clicks, bpm, {"drums": song.programs["drums"]},
                                   level - 6 + float(rng.uniform(-3, 3)), pause=pause)
            # the first note falls on the beat after the fourth click
            self.t = (ci.start / SR + compose.beat_seconds(4, bpm, LEAD_S)
                      - compose.beat_seconds(0, bpm, LEAD_S))
            pause = 0.0
        seg = self.midi_segment(kind, notes, bpm, song.programs, level, pause=pause)
        if count_in:
            self.gap("count-in", (ci.content[0], seg.content[0]))
        seg.first_note_s = seg.content[0]
        origin = seg.start / SR + FLUID_LATENCY_S
        end = seg.content[1]
        beats = []
        k = 0
        while True:
            bt = origin + compose.beat_seconds(k, bpm, LEAD_S)
            if bt > end + 1e-9:
                break
            beats.append(bt)
            k += 1
        sections = []
        for name, b0, nb in song.sections:
            s = origin + compose.beat_seconds(b0, bpm, LEAD_S)
            if s < end:
                sections.append({"name": name, "start": s,
                                 "end": min(end, origin + compose.beat_seconds(b0 + nb, bpm, LEAD_S))})
        seg.info = {"kind": kind, "song": song.name, "bpm": bpm, "key": song.key, "beats": beats,
                    "downbeats": beats[::4], "sections": sections, "count_in": count_in,
                    "quiet_intro": song.quiet_intro and sections[0]["name"] == "intro"}
        return seg


def plan_night(seed: int, minutes: float, work: Path) -> Planner:
    p = Planner(seed, minutes, work)
    rng = p.rng
    total = minutes * 60.0
    short = minutes < 10  # CI-sized nights get short songs (35-55 s) so they still have it all
    music_budget = total * float(rng.uniform(0.5, 0.6))

    # songs and how often each is played; titles (only said in the chatter) all differ
    titles = [f"{a} {n}" for a in compose.ADJ for n in compose.NOUN]
    titles = [titles[k] for k in rng.permutation(len(titles))]
    songs, counts, music = [], [], 0.0
    while True:
        i = len(songs)
        target = float(rng.uniform(35, 55) if short else rng.uniform(130, 290))
        forced = {}
        if short and i == 0:
            forced = {"quiet_intro": True, "breakdown": False}
        elif short and i == 1:
            forced = {"quiet_intro": False, "breakdown": True}
        song = compose.compose_song(p.sub_rng(1, i), f"song-{i + 1}", target, **forced)
        song.title = titles[i % len(titles)]
        dur = song.beats * 60 / song.bpm
        n = 2 if i == 0 else int(rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2]))
        planned = sum(counts)
        if planned >= 3 and music + dur > music_budget:
            break
        if i >= 1:  # the first song is always played twice; the others as the time allows
            n = max(1, min(n, int((music_budget - music) // dur)))
        songs.append(song)
        counts.append(n)
        music += n * dur
        if music >= music_budget and planned + n >= 3:
            break
    p.songs = songs
    p.titles = [s.title for s in songs]

    # running order: first plays in song order, repeats right after or later in the night
    order = list(songs)
    for s, n in zip(songs, counts):
        for _ in range(n - 1):
            last = max(i for i, x in enumerate(order) if x is s)
            pos = last + 1 if rng.random() < 0.5 else int(rng.integers(last + 1, len(order) + 1))
            order.insert(pos, s)
    # tempo per play: every play 1-4 % away from the previous play of the same song
    prev = {}
    tempos = []
    for s in order:
        if s.name in prev:
            f = prev[s.name] * (1 + float(rng.choice([-1, 1]) * rng.uniform(0.01, 0.04)))
        else:
            f = 1 + float(rng.uniform(-0.02, 0.02))
        prev[s.name] = f
        tempos.append(s.bpm * f)
    n_fs = max(1, int(round(total / 900)))
    fs_at = set(int(i) for i in rng.choice(len(order), size=min(n_fs, len(order)), replace=False))
    fs_len = {i: float(rng.uniform(5, 25)) for i in fs_at}
    count_ins = [bool(rng.random() < 0.85) for _ in range(len(order) + len(fs_at))]

    # time left for the gaps, shared out between the slots before, between and after plays
    # about 6 s a play for its count-in and the pause before it
    used = music + sum(fs_len.values()) + 6 * (len(order) + len(fs_at))
    gap_budget = max(20.0, total - used - 2.0)
    shares = rng.gamma(2.0, size=len(order) + 1)
    slots = list(shares / shares.sum() * gap_budget)
    noodle_slot = int(np.argmax(slots))  # the night has at least one noodling

    ci = iter(count_ins)
    for i, song in enumerate(order + [None]):
        lead_in = fill_slot(p, slots[i], after_take=i > 0, before_take=song is not None,
                            force_noodle=i == noodle_slot)
        if song is None:
            break
        if i in fs_at:
            # half the false starts are counted in too fast ("too fast, start again")
            rushed = 1 + float(rng.uniform(0, 0.05)) if rng.random() < 0.5 else 1.0
            p.play(song, tempos[i] * rushed, "false_start", fs_len[i], pause=lead_in,
                   count_in=next(ci), tag=2 * i + 1)
            p.chatter(float(rng.uniform(3, 10)), "false_start", pause=float(rng.uniform(0.2, 1.0)))
            lead_in = float(rng.uniform(0.3, 1.5))  # straight back in after "again"
        p.play(song, tempos[i], "take", None, pause=lead_in, count_in=next(ci), tag=2 * i)
    p.t += 2.0
    return p


GAP_RANGES = {"chatter": (4, 35), "tuning": (6, 25), "noodling": (10, 40), "silence": (2, 12)}
GAP_WEIGHTS = {"chatter": 0.45, "tuning": 0.18, "noodling": 0.2, "silence": 0.17}


def fill_slot(p: Planner, budget: float, after_take: bool, before_take: bool,
              force_noodle: bool) -> float:
    """Fill about `budget` seconds between two plays with gap items.

    Returns the pause to leave before the next play (its count-in or first note). Half the
    time talk (or someone noodling on) follows the last chord within a second, and half
    the time talk leads into the count-in within a second: that is what defeats a loudness
    threshold, which glues the talk onto the take. Otherwise there are a few quiet seconds.
    """
    rng = p.rng

    quiet_after = after_take  # a few quiet seconds after the last chord, unless ...

    def pause():  # before the next gap item
        nonlocal quiet_after
        if quiet_after:
            quiet_after = False
            return float(rng.uniform(3, 10))
        return float(rng.uniform(0.3, 1.5) if rng.random() < 0.7 else rng.uniform(2, 8))

    end = p.t + budget
    if after_take and rng.random() < 0.5:  # ... somebody starts talking or playing at once
        quiet_after = False
        if rng.random() < 0.75:
            p.chatter(float(rng.uniform(3, 10)), "after", pause=float(rng.uniform(0.2, 1.2)))
        else:
            p.noodling(float(rng.uniform(10, 20)), pause=float(rng.uniform(0.2, 1.2)))
    tail = float(rng.uniform(3, 8)) if before_take and rng.random() < 0.5 else 0.0
    kinds = list(GAP_WEIGHTS)
    weights = np.array([GAP_WEIGHTS[k] for k in kinds])
    while True:
        left = end - p.t - tail - 1.5
        if force_noodle:
            kind = "noodling"
        else:
            kind = kinds[rng.choice(len(kinds), p=weights / weights.sum())]
        lo, hi = GAP_RANGES[kind]
        if left < lo and not force_noodle:
            break
        d = float(min(rng.uniform(lo, hi), max(left, lo)))
        gap = pause()
        if kind == "chatter":
            p.chatter(d, "free", pause=gap)
        elif kind == "tuning":
            p.tuning(d, pause=gap)
        elif kind == "noodling":
            p.noodling(d, pause=gap)
        else:
            p.silence(gap + d)
        force_noodle = False
    if tail:
        p.chatter(tail, "before", pause=pause())
        return float(rng.uniform(0.3, 1.5))
    return float(rng.uniform(3, 10))  # the drummer waits for everyone to be ready


# --------------------------------------------------------------------------- mixing


def mix(p: Planner, out: Path, stems: bool, jobs: int, reverb: dict, noise_db: float):
    total = int(round(p.t * SR))
    rng = np.random.default_rng([p.seed, 9])
    noise = PinkNoise(rng, noise_db)
    writers = {"mix": sf.SoundFile(str(out / "rehearsal.wav"), "w", SR, 2, "PCM_16")}
    if stems:
        (out / "stems").mkdir(exist_ok=True)
        for s in STEMS:
            writers[s] = sf.SoundFile(str(out / "stems" / f"{s}.wav"), "w", SR, 2, "PCM_16")
    segs = sorted(p.segments, key=lambda s: s.start)
    pool = ThreadPoolExecutor(max(1, jobs))
    futures = {}
    nxt = 0  # next segment to bring in
    active = []
    clipped = 0
    t_start = time.time()
    for b0 in range(0, total, BLOCK):
        b1 = min(total, b0 + BLOCK)
        # render ahead so that `jobs` renders overlap the mixing
        for k in range(nxt, min(len(segs), nxt + max(1, jobs) + 1)):
            if k not in futures:
                futures[k] = pool.submit(render, segs[k], p.work, reverb)
        while nxt < len(segs) and segs[nxt].start < b1:
            seg = futures.pop(nxt).result()
            seg.handles = {s: sf.SoundFile(str(f)) for s, f in seg.files.items()}
            active.append(seg)
            nxt += 1
        acc = {s: np.zeros((b1 - b0, 2), np.float32) for s in STEMS}
        for seg in active:
            a, b = max(b0, seg.start), min(b1, seg.start + seg.length)
            for stem, h in seg.handles.items():
                if b <= a or a - seg.start >= h.frames:
                    continue
                h.seek(a - seg.start)
                x = h.read(b - a, dtype="float32", always_2d=True)
                acc[stem][a - b0:a - b0 + len(x)] += x * seg.gain
        for seg in [s for s in active if s.start + s.length <= b1]:
            for h in seg.handles.values():
                h.close()
            shutil.rmtree(next(iter(seg.files.values())).parent, ignore_errors=True)
            seg.handles = {}
            active.remove(seg)
        m = sum(acc.values()) + noise.take(b1 - b0)
        clipped += int((np.abs(m) > 1).sum())
        writers["mix"].write(np.clip(m, -1, 1))
        if stems:
            for s in STEMS:
                writers[s].write(np.clip(acc[s], -1, 1))
        if (b0 // BLOCK) % 200 == 0:
            el = time.time() - t_start
            print(f"  {b0 / SR / 60:6.1f} of {total / SR / 60:.1f} min mixed ({el:.0f} s)",
                  file=sys.stderr)
    pool.shutdown()
    for w in writers.values():
        w.close()
    return total, clipped


# --------------------------------------------------------------------------- truth


def r6(x):
    return round(float(x), 6)


def write_truth(p: Planner, out: Path, total: int, args, reverb, noise_db):
    takes = []
    for seg in p.segments:
        if seg.what not in ("take", "false_start"):
            continue
        i = seg.info
        takes.append({"start": r6(seg.content[0]), "end": r6(seg.content[1]), "kind": i["kind"],
                      "song": i["song"], "bpm": r6(i["bpm"]), "key": i["key"],
                      "beats": [r6(b) for b in i["beats"]],
                      "downbeats": [r6(b) for b in i["downbeats"]],
                      "sections": [{"name": s["name"], "start": r6(s["start"]), "end": r6(s["end"])}
                                   for s in i["sections"]],
                      "count_in": i["count_in"], "quiet_intro": i["quiet_intro"],
                      "level_db": round(seg.measured_db, 2),
                      "onset_error_ms": round(seg.onset_error_s * 1000, 3)})
    takes.sort(key=lambda t: t["start"])
    # gaps: the labelled items, and everything between them and the takes is silence
    items = []
    for g in p.gaps:
        seg = g["_seg"]
        d = {k: v for k, v in g.items() if k != "_seg"}
        if isinstance(seg, Segment):
            d["level_db"] = round(seg.measured_db, 2)
        items.append(d)
    spans = sorted([(t["start"], t["end"]) for t in takes] + [(g["start"], g["end"]) for g in items])
    duration = total / SR
    cur = 0.0
    for s, e in spans + [(duration, duration)]:
        if s - cur > 1e-6:
            items.append({"start": cur, "end": s, "what": "silence"})
        cur = max(cur, e)
    gaps = sorted(({**g, "start": r6(g["start"]), "end": r6(g["end"])} for g in items),
                  key=lambda g: g["start"])
    songs = {}
    for t in takes:
        songs.setdefault(t["song"], {"plays": 0, "false_starts": 0})
        songs[t["song"]]["plays" if t["kind"] == "take" else "false_starts"] += 1
    truth = {
        "sample_rate": SR, "duration": r6(duration), "seed": args.seed, "minutes": args.minutes,
        "takes": takes, "gaps": gaps,
        "songs": {s.name: {"key": s.key, "bpm": s.bpm, "title": s.title,
                           "quiet_intro": s.quiet_intro, "breakdown": s.breakdown,
                           **songs[s.name]} for s in p.songs},
        "room": {"noise_dbfs": round(noise_db, 2), "reverb": reverb,
                 "fluidsynth_latency_s": r6(FLUID_LATENCY_S)},
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stems", action="store_true", help="also write the dry-of-noise stems")
    ap.add_argument("--jobs", type=int, default=1, help="segments rendered in parallel")
    args = ap.parse_args(argv)
    if args.minutes < 3:
        ap.error("--minutes must be at least 3 (a rehearsal needs room for three takes)")
    for tool in ("fluidsynth", "espeak-ng", "sox"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install -y fluidsynth fluid-soundfont-gm espeak-ng sox")
    if not Path(SOUNDFONT).exists():
        sys.exit(f"{SOUNDFONT} not found: apt-get install -y fluid-soundfont-gm")
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as tmp:
        p = plan_night(args.seed, args.minutes, Path(tmp))
        rng = np.random.default_rng([args.seed, 8])
        reverb = {"reverberance": int(rng.integers(20, 50)), "room_scale": int(rng.integers(40, 80)),
                  "pre_delay_ms": int(rng.integers(5, 20)), "wet_gain_db": int(rng.integers(-8, -3))}
        noise_db = float(rng.uniform(-50, -40))
        print(f"planned {len(p.segments)} segments, {p.t / 60:.1f} min", file=sys.stderr)
        total, clipped = mix(p, args.out, args.stems, args.jobs, reverb, noise_db)
    truth = write_truth(p, args.out, total, args, reverb, noise_db)
    errs = [abs(t["onset_error_ms"]) for t in truth["takes"]]
    print(f"wrote {args.out}/rehearsal.wav: {total / SR / 60:.2f} min, {len(truth['takes'])} takes "
          f"({sum(t['kind'] == 'false_start' for t in truth['takes'])} false starts), "
          f"{len(truth['songs'])} songs, {len(truth['gaps'])} gaps, {time.time() - t0:.0f} s; "
          f"first-note onset error max {max(errs):.2f} ms", file=sys.stderr)
    if clipped:
        print(f"warning: {clipped} samples clipped in the mix", file=sys.stderr)
    if max(errs) > ONSET_TOLERANCE_S * 1000:
        sys.exit(f"first-note onset off by {max(errs):.2f} ms (> {ONSET_TOLERANCE_S * 1000:.0f} ms):"
                 " the truth would be wrong")


if __name__ == "__main__":
    main()
