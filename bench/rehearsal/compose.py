"""Procedural material for the rehearsal generator: songs, noodling, tuning, count-ins.

Everything here is in *beats* (or seconds for the unmetered parts) and knows nothing
about files or audio; `midi_file` turns a list of notes into a `mido.MidiFile` at a given
tempo. A song is composed once from its own random generator, so every take of it plays
the same notes (only the tempo, the velocities and a few milliseconds of timing change).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import mido
import numpy as np

NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}

# Chord progressions as scale degrees (0 = tonic). Each starts on the tonic or is
# resolved by the song's final tonic chord, so the key is what a listener would name.
PROGRESSIONS = {
    "major": [[0, 4, 5, 3], [0, 3, 4, 3], [5, 3, 0, 4], [0, 5, 3, 4], [1, 4, 0, 0],
              [0, 3, 0, 4], [3, 0, 4, 4], [0, 2, 3, 4], [0, 4, 3, 3], [0, 0, 3, 4]],
    "minor": [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 6, 2], [0, 5, 3, 4],
              [0, 2, 6, 3], [0, 3, 0, 4], [0, 6, 5, 4]],
}

# General MIDI programs (0-based) per role.
CHORD_PROGRAMS = {"sustain": [16, 17, 18, 19, 48, 89], "stabs": [0, 1, 4, 5, 27, 29],
                  "strum": [25, 27, 29, 30], "arp": [0, 4, 24, 25, 27, 46]}
INTRO_PROGRAMS = [0, 4, 24, 25, 27]  # quiet intros: piano or guitar alone
BASS_PROGRAMS = [32, 33, 34, 35, 38]
LEAD_PROGRAMS = [11, 22, 26, 56, 65, 66, 71, 73, 80, 81, 29]
DRUM_KITS = [0, 8, 16, 32]

# GM drum notes.
KICK, SIDESTICK, SNARE, CLAP, CLOSED_HH, PEDAL_HH, OPEN_HH = 36, 37, 38, 39, 42, 44, 46
CRASH, RIDE = 49, 51
TOMS = [50, 48, 47, 45, 43, 41]  # high to low

STEM_OF_PART = {"drums": "drums", "bass": "bass", "chords": "other", "melody": "other",
                "keys": "other", "guitar": "other"}
CHANNEL_OF_PART = {"drums": 9, "bass": 0, "chords": 1, "melody": 2, "keys": 3, "guitar": 4}
PAN_OF_PART = {"drums": 64, "bass": 64, "chords": 44, "melody": 84, "keys": 50, "guitar": 76}


def key_name(tonic: int, mode: str) -> str:
    return f"{NOTE_NAMES[tonic % 12]} {mode}"


@dataclass
class Note:
    start: float  # beats (seconds for unmetered material)
    dur: float
    pitch: int
    vel: int
    part: str
    bend_cents: float = 0.0  # tuning notes start off pitch and glide to it


@dataclass
class Song:
    name: str
    title: str
    tonic: int
    mode: str
    bpm: float  # nominal tempo; takes play it 1-4 % off
    programs: dict
    sections: list  # (name, first beat, beats)
    notes: list
    quiet_intro: bool
    breakdown: bool

    @property
    def key(self) -> str:
        return key_name(self.tonic, self.mode)

    @property
    def beats(self) -> float:
        """Beats from the first note to the last note-off."""
        return max(n.start + n.dur for n in self.notes)

    def first_beat(self) -> float:
        return min(n.start for n in self.notes)


# --------------------------------------------------------------------------- harmony


def scale_pcs(tonic: int, mode: str) -> list[int]:
    return [(tonic + s) % 12 for s in SCALES[mode]]


def triad(tonic: int, mode: str, degree: int, harmonic_v: bool) -> list[int]:
    """Pitch classes of the triad on a scale degree; in minor the V may be major."""
    sc = scale_pcs(tonic, mode)
    pcs = [sc[degree % 7], sc[(degree + 2) % 7], sc[(degree + 4) % 7]]
    if mode == "minor" and degree == 4 and harmonic_v:
        pcs[1] = (pcs[1] + 1) % 12  # raised leading tone
    return pcs


def voice(pcs: list[int], centre: int) -> list[int]:
    """Close voicing of the pitch classes with its mean nearest `centre`."""
    best = None
    for inv in range(3):
        order = pcs[inv:] + pcs[:inv]
        low = order[0] + 12 * ((centre - 7 - order[0]) // 12)
        notes = [low]
        for pc in order[1:]:
            p = notes[-1] + 1
            while p % 12 != pc:
                p += 1
            notes.append(p)
        for shift in (-12, 0, 12):
            cand = [n + shift for n in notes]
            d = abs(np.mean(cand) - centre)
            if best is None or d < best[0]:
                best = (d, cand)
    return best[1]


def in_range(pc: int, lo: int, hi: int) -> int:
    p = lo + (pc - lo) % 12
    return p if p <= hi else p - 12


# --------------------------------------------------------------------------- form


def choose_form(rng, bpm: float, target_s: float, quiet_intro: bool, breakdown: bool):
    """Pick section lengths (bars) whose duration at `bpm` is near `target_s`."""
    bar_s = 4 * 60.0 / bpm
    candidates = []
    for intro, verse, chorus, cycles, outro in itertools.product(
            (2, 4, 8), (4, 8, 16), (4, 8), (1, 2, 3), (2, 4)):
        if quiet_intro and intro < 4:
            continue  # a quiet intro must be long enough to matter (> 3 s)
        form = [("intro", intro)]
        for _ in range(cycles):
            form += [("verse", verse), ("chorus", chorus)]
        if breakdown:
            form += [("breakdown", 8), ("chorus", chorus)]
        form += [("outro", outro), ("end", 1)]
        secs = sum(b for _, b in form) * bar_s
        candidates.append((abs(secs - target_s) / target_s, form))
    candidates.sort(key=lambda c: c[0])
    near = [f for err, f in candidates if err < 0.2] or [candidates[0][1]]
    return near[rng.integers(len(near))]


# --------------------------------------------------------------------------- parts


def drum_bar(rng, style: str, bar_beat: float, section: str, first: bool, fill: bool,
             ride: bool, notes: list):
    """One bar of drums on a 16th grid."""
    def hit(pos16, pitch, vel):
        notes.append(Note(bar_beat + pos16 / 4.0, 0.25, pitch,
                          int(np.clip(vel + rng.integers(-6, 7), 20, 127)), "drums"))

    kicks = {"rock8": [0, 8], "rock16": [0, 7, 8], "halftime": [0, 10],
             "four": [0, 4, 8, 12], "push": [0, 6, 8, 14]}[style]
    snares = [8] if style == "halftime" else [4, 12]
    last = 12 if fill else 16
    for k in kicks:
        if k < last:
            hit(k, KICK, 100)
    if style == "rock8" and rng.random() < 0.3 and not fill:
        hit(10, KICK, 85)
    for s in snares:
        if s < last:
            hit(s, CLAP if style == "four" and section == "chorus" else SNARE, 105)
    step = 1 if style == "rock16" and not ride else 2
    for p in range(0, last, step):
        if ride:
            hit(p, RIDE, 90 if p % 4 == 0 else 70)
        elif style == "four" and p % 4 == 2:
            hit(p, OPEN_HH, 80)
        else:
            hit(p, CLOSED_HH, 85 if p % 4 == 0 else 62)
    if first:
        hit(0, CRASH, 110)
    if fill:
        toms = TOMS[rng.integers(0, 2):][:4]
        for i, p in enumerate(range(12, 16)):
            hit(p, SNARE if rng.random() < 0.4 else toms[i % len(toms)], 95 + 4 * i)


def bass_chord(rng, style: str, start: float, beats: float, root: int, fifth: int,
               next_root: int, notes: list, vel: int):
    if style == "whole":
        notes.append(Note(start, beats * 0.95, root, vel, "bass"))
        return
    if style == "eighths":
        pos = [i * 0.5 for i in range(int(beats * 2))]
    elif style == "quarters":
        pos = [float(i) for i in range(int(beats))]
    else:  # syncopated
        pos = [p + 4 * b for b in range(int(beats // 4)) for p in (0, 1.5, 2.5, 3)]
    for i, p in enumerate(pos):
        pitch = root
        if style == "quarters" and p % 4 == 2:
            pitch = fifth
        elif style == "eighths" and rng.random() < 0.12:
            pitch = root + 12
        if i == len(pos) - 1 and rng.random() < 0.4 and next_root != root:
            pitch = next_root + (1 if next_root < root else -1)  # chromatic approach
        dur = (pos[i + 1] - p if i + 1 < len(pos) else beats - p) * 0.9
        notes.append(Note(start + p, dur, pitch, int(np.clip(vel + rng.integers(-8, 9), 30, 127)),
                          "bass"))


def chord_part(rng, style: str, start: float, beats: float, voicing: list[int], notes: list,
               vel: int, part: str = "chords"):
    def v():
        return int(np.clip(vel + rng.integers(-6, 7), 15, 127))

    if style == "sustain":
        for p in voicing:
            notes.append(Note(start, beats * 0.97, p, v(), part))
    elif style == "stabs":
        for p0 in [b + o for b in range(0, int(beats), 4) for o in (0, 1.5, 2.5)]:
            for p in voicing:
                notes.append(Note(start + p0, 0.6, p, v(), part))
    elif style == "strum":
        for p0 in [i * 0.5 for i in range(int(beats * 2))]:
            if p0 % 2 == 1.5 and rng.random() < 0.5:
                continue
            acc = 12 if p0 % 1 == 0 else 0
            for j, p in enumerate(voicing):
                # strings of a strum sound a few ms apart
                notes.append(Note(start + p0 + j * 0.012, 0.45, p, v() - 12 + acc, part))
    else:  # arpeggio
        pattern = [0, 1, 2, 1, 0, 2, 1, 2]
        for i in range(int(beats * 2)):
            p = voicing[pattern[i % 8]] + (12 if i % 8 == 5 else 0)
            notes.append(Note(start + i * 0.5, 0.9, p, v(), part))


def melody_motif(rng, bars: int = 2):
    """Onsets and lengths of a short rhythmic motif on an 8th grid."""
    while True:
        onsets = [i * 0.5 for i in range(bars * 8) if rng.random() < (0.85 if i % 2 == 0 else 0.35)]
        if len(onsets) >= 4 and onsets[0] == 0:
            break
    steps = rng.integers(-2, 3, size=len(onsets))
    return onsets, steps


def melody_section(rng, start_beat: float, bars: int, chords_at, tonic: int, mode: str,
                   lo: int, hi: int, motifs, notes: list, vel: int):
    sc = scale_pcs(tonic, mode)
    pitch = in_range(tonic, lo + 5, hi)
    scale_pitches = [p for p in range(lo, hi + 1) if p % 12 in sc]
    for phrase in range(bars // 2):
        onsets, steps = motifs[min(phrase % 4, len(motifs) - 1)]
        last_phrase = phrase == bars // 2 - 1
        for i, o in enumerate(onsets):
            b = start_beat + phrase * 8 + o
            nxt = onsets[i + 1] if i + 1 < len(onsets) else 8.0
            if last_phrase and o >= 4:
                break  # phrase ends on a held note, leave breath before the next section
            chord = chords_at(b)
            if o % 4 == 0:  # strong beat: a chord tone near the line
                cands = [p for p in range(lo, hi + 1) if p % 12 in chord]
                pitch = min(cands, key=lambda p: abs(p - pitch))
            else:
                idx = min(range(len(scale_pitches)), key=lambda k: abs(scale_pitches[k] - pitch))
                idx = int(np.clip(idx + steps[i], 0, len(scale_pitches) - 1))
                pitch = scale_pitches[idx]
            length = (nxt - o) if not (last_phrase and nxt >= 4) else 4 - o
            notes.append(Note(b, max(0.25, length * 0.9), pitch,
                              int(np.clip(vel + rng.integers(-8, 9), 30, 127)), "melody"))


ADJ = ["Blue", "Late", "Paper", "Electric", "Quiet", "Broken", "Golden", "Slow", "Northern",
       "Empty", "Silver", "Crooked", "Lazy", "Midnight", "Rusty", "Second"]
NOUN = ["Kitchen", "Train", "Harbour", "Garden", "Summer", "Engine", "River", "Window",
        "Motel", "Lantern", "Highway", "Sunday", "Radio", "Mirror", "Basement", "Letter"]


def compose_song(rng, name: str, target_s: float, quiet_intro: bool | None = None,
                 breakdown: bool | None = None) -> Song:
    tonic = int(rng.integers(12))
    mode = "major" if rng.random() < 0.5 else "minor"
    bpm = float(rng.integers(70, 171))
    quiet_intro = bool(rng.random() < 0.35) if quiet_intro is None else quiet_intro
    breakdown = bool(rng.random() < 0.35) if breakdown is None else breakdown
    form = choose_form(rng, bpm, target_s, quiet_intro, breakdown)
    harmonic_v = bool(rng.random() < 0.6)
    progs = PROGRESSIONS[mode]
    verse_prog = progs[rng.integers(len(progs))]
    chorus_prog = progs[rng.integers(len(progs))]
    while chorus_prog == verse_prog:
        chorus_prog = progs[rng.integers(len(progs))]
    chord_bars = 2 if bpm > 130 and rng.random() < 0.5 else 1

    chord_style = ["sustain", "stabs", "strum", "arp"][rng.integers(4)]
    programs = {
        "drums": int(DRUM_KITS[rng.integers(len(DRUM_KITS))]),
        "bass": int(BASS_PROGRAMS[rng.integers(len(BASS_PROGRAMS))]),
        "chords": int(CHORD_PROGRAMS[chord_style][rng.integers(len(CHORD_PROGRAMS[chord_style]))]),
        "melody": int(LEAD_PROGRAMS[rng.integers(len(LEAD_PROGRAMS))]),
        "keys": int(INTRO_PROGRAMS[rng.integers(len(INTRO_PROGRAMS))]),
    }
    drum_style = ["rock8", "rock16", "halftime", "four", "push"][rng.integers(5)]
    bass_style = ["eighths", "quarters", "sync"][rng.integers(3)]
    verse_motifs = [melody_motif(rng) for _ in range(2)]
    verse_motifs = [verse_motifs[0], verse_motifs[1], verse_motifs[0], verse_motifs[1]]
    chorus_motifs = [melody_motif(rng)] * 3 + [melody_motif(rng)]

    notes: list[Note] = []
    sections = []
    chord_spans = []  # (start beat, beats, pcs)
    beat = 0.0
    for sec, bars in form:
        sections.append((sec, beat, bars * 4.0))
        if sec == "end":
            chord_spans.append((beat, 3.0, triad(tonic, mode, 0, harmonic_v)))
        else:
            prog = chorus_prog if sec in ("chorus", "intro") else verse_prog
            for i in range(bars // chord_bars if bars >= chord_bars else 1):
                deg = prog[i % len(prog)]
                if sec == "outro" and i == bars // chord_bars - 1:
                    deg = 4  # outro leans on the dominant before the final tonic
                chord_spans.append((beat + i * 4.0 * chord_bars, 4.0 * min(chord_bars, bars),
                                    triad(tonic, mode, deg, harmonic_v)))
        beat += bars * 4.0

    def chords_at(b):
        for s, n, pcs in reversed(chord_spans):
            if s <= b + 1e-9:
                return pcs
        return chord_spans[0][2]

    for si, (sec, start, beats) in enumerate(sections):
        bars = int(beats // 4)
        spans = [c for c in chord_spans if start <= c[0] < start + beats]
        quiet = sec == "intro" and quiet_intro
        # --- drums
        if sec == "end":
            notes.append(Note(start, 0.5, KICK, 110, "drums"))
            notes.append(Note(start, 0.5, CRASH, 115, "drums"))
        elif not quiet and sec != "breakdown":
            for b in range(bars):
                nxt = sections[si + 1][0] if si + 1 < len(sections) else "end"
                fill = b == bars - 1 and nxt not in ("breakdown",)
                drum_bar(rng, drum_style, start + 4 * b, sec, b == 0 and sec != "intro",
                         fill, ride=sec == "chorus", notes=notes)
        # --- bass
        if not quiet:
            for ci, (cs, cn, pcs) in enumerate(spans):
                root = in_range(pcs[0], 28, 40)
                nxt = spans[ci + 1][2][0] if ci + 1 < len(spans) else tonic
                style = "whole" if sec in ("breakdown", "end") else bass_style
                bass_chord(rng, style, cs, cn, root, in_range(pcs[2], root, root + 12),
                           in_range(nxt, 28, 40), notes, 95 if sec == "chorus" else 85)
        # --- chords (a quiet intro is the intro instrument alone, soft and arpeggiated)
        for cs, cn, pcs in spans:
            vo = voice(pcs, 62 if sec != "chorus" else 65)
            if quiet:
                chord_part(rng, "arp", cs, cn, vo, notes, 42, part="keys")
            elif sec == "end":
                chord_part(rng, "sustain", cs, cn, vo, notes, 95)
            else:
                style = "sustain" if sec == "breakdown" and chord_style != "arp" else chord_style
                chord_part(rng, style, cs, cn, vo, notes, 88 if sec == "chorus" else 76)
        # --- melody
        if sec in ("verse", "chorus") and bars >= 2:
            lo, hi = (62, 79) if sec == "verse" else (65, 84)
            melody_section(rng, start, bars, chords_at, tonic, mode, lo, hi,
                           verse_motifs if sec == "verse" else chorus_motifs, notes,
                           92 if sec == "chorus" else 84)
        if sec == "end":
            notes.append(Note(start, 3.0, in_range(tonic, 60, 72), 90, "melody"))

    title = f"{ADJ[rng.integers(len(ADJ))]} {NOUN[rng.integers(len(NOUN))]}"
    notes.sort(key=lambda n: n.start)
    return Song(name, title, tonic, mode, bpm, programs, sections, notes, quiet_intro, breakdown)


# --------------------------------------------------------------------------- gap material


def noodle(rng, kind: str, seconds: float):
    """One instrument alone for about `seconds`: returns (notes in beats, bpm, programs)."""
    bpm = float(rng.integers(80, 160))
    beats = seconds * bpm / 60.0
    tonic = int(rng.integers(12))
    mode = "major" if rng.random() < 0.5 else "minor"
    sc = scale_pcs(tonic, mode)
    notes: list[Note] = []
    if kind == "bass":
        riff_pos = sorted(set([0.0] + [float(x) for x in rng.choice(np.arange(0.5, 8, 0.5), 6, replace=False)]))
        riff = [(p, in_range(sc[rng.choice([0, 0, 2, 3, 4, 6])], 28, 45)) for p in riff_pos]
        b = 0.0
        while b + 8 <= beats:
            for i, (p, pitch) in enumerate(riff):
                nxt = riff[i + 1][0] if i + 1 < len(riff) else 8.0
                notes.append(Note(b + p, (nxt - p) * 0.85, pitch, int(rng.integers(80, 110)), "bass"))
            b += 8
    elif kind == "drums":
        style = ["rock8", "rock16", "halftime", "four", "push"][rng.integers(5)]
        for bar in range(int(beats // 4)):
            drum_bar(rng, style, 4.0 * bar, "verse", False, fill=rng.random() < 0.4,
                     ride=rng.random() < 0.3, notes=notes)
    else:  # guitar or keys: scale runs and arpeggios with breaths between them
        part = "guitar" if kind == "guitar" else "keys"
        lo, hi = (52, 79) if part == "guitar" else (55, 84)
        pitches = [p for p in range(lo, hi + 1) if p % 12 in sc]
        b = 0.0
        while b < beats - 2:
            run = int(rng.integers(4, 14))
            idx = int(rng.integers(len(pitches)))
            direction = 1 if rng.random() < 0.5 else -1
            step = 0.25 if rng.random() < 0.5 else 0.5
            for _ in range(run):
                if b >= beats:
                    break
                notes.append(Note(b, step * 1.5, pitches[idx], int(rng.integers(70, 105)), part))
                idx = int(np.clip(idx + direction * rng.integers(1, 3), 0, len(pitches) - 1))
                b += step
            b += float(rng.choice([0.5, 1.0, 2.0]))
    programs = {"bass": int(BASS_PROGRAMS[rng.integers(len(BASS_PROGRAMS))]),
                "drums": int(DRUM_KITS[rng.integers(len(DRUM_KITS))]),
                "guitar": int([25, 26, 27, 29, 30][rng.integers(5)]),
                "keys": int([0, 2, 4, 16][rng.integers(4)])}
    return notes, bpm, programs


GUITAR_STRINGS = [40, 45, 50, 55, 59, 64]
BASS_STRINGS = [28, 33, 38, 43]


def tuning(rng, seconds: float):
    """Sparse single open-string notes, starting a little off pitch (times in seconds)."""
    bass = rng.random() < 0.4
    strings = BASS_STRINGS if bass else GUITAR_STRINGS
    part = "bass" if bass else "guitar"
    notes: list[Note] = []
    t = 0.0
    while t < seconds - 1.5:
        pitch = int(strings[rng.integers(len(strings))])
        for _ in range(int(rng.integers(1, 4))):
            dur = float(rng.uniform(1.2, 3.0))
            if t + dur > seconds:
                break
            notes.append(Note(t, dur, pitch + (12 if rng.random() < 0.15 else 0),
                              int(rng.integers(70, 110)), part,
                              bend_cents=float(rng.uniform(-40, 40))))
            t += dur + float(rng.uniform(0.2, 1.0))
        t += float(rng.uniform(0.8, 3.0))
    programs = {"bass": int(BASS_PROGRAMS[rng.integers(len(BASS_PROGRAMS))]),
                "guitar": int([24, 25, 27, 29][rng.integers(4)])}
    return notes, programs


def count_in(rng, n: int = 4):
    pitch = [SIDESTICK, CLOSED_HH, PEDAL_HH][rng.integers(3)]
    vel = int(rng.integers(85, 115))
    return [Note(float(i), 0.1, pitch, vel, "drums") for i in range(n)]


# --------------------------------------------------------------------------- MIDI

TPB = 960


def tempo_us(bpm: float) -> int:
    return int(round(60e6 / bpm))


def midi_file(notes: list[Note], bpm: float, programs: dict, lead_s: float, tail_s: float,
              volumes: dict | None = None) -> mido.MidiFile:
    """A type-0 MIDI file of `notes` (in beats at `bpm`), beat 0 `lead_s` in.

    Positions are rounded to ticks; `beat_seconds` gives the time of a beat with the same
    rounding, which is what the truth uses. The file runs `tail_s` past the last note-off.
    """
    us = tempo_us(bpm)
    lead_ticks = int(round(lead_s * 1e6 / us * TPB))
    events = []  # (tick, order, message)
    parts = sorted({n.part for n in notes})
    for part in parts:
        ch = CHANNEL_OF_PART[part]
        events.append((0, 0, mido.Message("program_change", channel=ch, program=programs[part])))
        events.append((0, 0, mido.Message("control_change", channel=ch, control=10,
                                          value=PAN_OF_PART[part])))
        vol = (volumes or {}).get(part, 100)
        events.append((0, 0, mido.Message("control_change", channel=ch, control=7, value=vol)))
        if part != "drums":
            # pitch-bend range stays at the GM default of +-2 semitones
            events.append((0, 0, mido.Message("pitchwheel", channel=ch, pitch=0)))
    last = 0
    for n in notes:
        ch = CHANNEL_OF_PART[n.part]
        on = lead_ticks + int(round(n.start * TPB))
        off = max(on + 1, lead_ticks + int(round((n.start + n.dur) * TPB)))
        if n.bend_cents:
            bend = int(np.clip(n.bend_cents / 200.0 * 8191, -8191, 8191))
            events.append((on, 1, mido.Message("pitchwheel", channel=ch, pitch=bend)))
            # glide to pitch over the first half of the note, as a player turning a peg
            for k in range(1, 9):
                events.append((on + (off - on) * k // 16, 1,
                               mido.Message("pitchwheel", channel=ch, pitch=int(bend * (1 - k / 8)))))
        events.append((on, 2, mido.Message("note_on", channel=ch, note=n.pitch, velocity=n.vel)))
        events.append((off, 0, mido.Message("note_off", channel=ch, note=n.pitch, velocity=0)))
        last = max(last, off)
    events.sort(key=lambda e: (e[0], e[1]))
    mid = mido.MidiFile(type=0, ticks_per_beat=TPB)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=us, time=0))
    now = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
    # the player stops at the last event: keep it running for release tails
    end = last + int(round(tail_s * 1e6 / us * TPB))
    track.append(mido.MetaMessage("end_of_track", time=end - now))
    return mid


def tick_seconds(tick: float, bpm: float) -> float:
    return tick * tempo_us(bpm) / TPB / 1e6


def beat_seconds(beat: float, bpm: float, lead_s: float) -> float:
    """Seconds into the segment of a beat position, with the same rounding as midi_file."""
    us = tempo_us(bpm)
    lead_ticks = int(round(lead_s * 1e6 / us * TPB))
    return tick_seconds(lead_ticks + int(round(beat * TPB)), bpm)


def humanize(rng, notes: list[Note], bpm: float, vel: int = 6, timing_ms: float = 3.0):
    first = min(n.start for n in notes)
    out = []
    beat_s = 60.0 / bpm
    for n in notes:
        dt = 0.0
        if n.start > first + 1e-9:
            dt = float(np.clip(rng.normal(0, timing_ms), -2.5 * timing_ms, 2.5 * timing_ms)) / 1000 / beat_s
        v = int(np.clip(n.vel + rng.integers(-vel, vel + 1), 1, 127))
        # never earlier than the first note: the take starts there
        out.append(Note(max(first, n.start + dt), n.dur, n.pitch, v, n.part, n.bend_cents))
    return out
