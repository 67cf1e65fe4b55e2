"""Band talk for the rehearsal generator: who speaks, what they say, espeak-ng to audio."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ESPEAK_RATE = 22050  # espeak-ng always writes 22.05 kHz mono

# Voices shipped with espeak-ng itself (no mbrola), and its voice variants.
VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc",
          "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
            "Andy", "Mike", "Gene", "Lee", "Tweaky", "max", "paul", "linda", "anika"]


@dataclass
class Speaker:
    voice: str
    speed: int  # words per minute
    pitch: int  # 0..99
    pan: float  # -1 left .. 1 right
    gain_db: float


def make_band(rng, n: int) -> list[Speaker]:
    band = []
    for variant in rng.choice(VARIANTS, size=n, replace=False):
        band.append(Speaker(f"{VOICES[rng.integers(len(VOICES))]}+{variant}",
                            int(rng.integers(145, 195)), int(rng.integers(25, 75)),
                            float(rng.uniform(-0.7, 0.7)), float(rng.uniform(-2.5, 2.5))))
    return band


INSTRUMENTS = ["bass", "guitar", "kick", "snare", "keys", "vocals", "click", "hi-hat"]
SECTIONS = ["intro", "verse", "chorus", "bridge", "ending", "breakdown", "second verse"]
DAYS = ["Friday", "Saturday", "Thursday", "next week", "the weekend"]

BEFORE = [
    "okay, let's do {title}", "let's take {title} from the top", "{title} next?",
    "alright, {title}, ready?", "can we run {title} once more", "let's try the new one",
    "from the top, and watch the tempo", "okay, same again, a bit tighter this time",
    "I'll count it in", "ready when you are", "let's go", "okay, after four",
    "let's do the one with the long {section}", "start with the {section} this time",
    "quiet start on this one, remember", "slower than last time please",
]
AFTER = [
    "that was pretty good actually", "yeah, nice", "I messed up the {section}, sorry",
    "too fast, way too fast", "the {section} still isn't right", "good, let's keep that",
    "I think we nailed it", "that ending was a mess", "did anyone record that",
    "you came in a bar early on the {section}", "it drags in the {section}",
    "more {instrument} in the {section} next time", "better, but the {section} was rushed",
    "I lost the count after the {section}", "nice one", "that felt good",
]
FALSE_START = [
    "no no no, stop", "sorry, my fault", "wait, wrong key", "hang on, hang on",
    "sorry, again", "stop, the {instrument} is out", "too fast, start again",
    "hold on, my strap came off", "wrong song, sorry", "nope, again from the top",
]
FREE = [
    "can I get more {instrument} in my monitor", "is it just me or is it really loud in here",
    "who has the setlist", "what key is {title} in again", "are we playing {title} on {day}",
    "I need to change a string", "give me a second, I'm tuning", "does anyone want a coffee",
    "let's take a short break after this", "turn the {instrument} down a bit",
    "did you change the {section}", "I wrote a new part for the {section}",
    "the {instrument} sounds weird today", "we should record the next one",
    "how long is the gig on {day}", "should we play {title} faster",
    "my {instrument} keeps feeding back", "what time do we have to be out",
    "I like the new ending", "do we do the long version or the short one",
    "I'll send everyone the demo tonight", "somebody check the recorder is still running",
]
REPLIES = ["yeah", "sure", "okay", "right", "no, I think it was fine", "sounds good", "hmm, maybe",
           "I don't know", "fine by me", "yep", "totally", "wait, what", "ha, yeah", "sorry"]
BANKS = {"before": BEFORE, "after": AFTER, "false_start": FALSE_START, "free": FREE}


def line(rng, context: str, titles: list[str]) -> str:
    bank = BANKS[context] if rng.random() < 0.75 else FREE
    text = bank[rng.integers(len(bank))]
    return text.format(title=titles[rng.integers(len(titles))] if titles else "the new one",
                       section=SECTIONS[rng.integers(len(SECTIONS))],
                       instrument=INSTRUMENTS[rng.integers(len(INSTRUMENTS))],
                       day=DAYS[rng.integers(len(DAYS))])


def conversation(rng, band: list[Speaker], seconds: float, context: str, titles: list[str]):
    """A list of (speaker index, text) that should fill about `seconds`."""
    out = []
    est = 0.0
    who = int(rng.integers(len(band)))
    while est < seconds or not out:
        text = line(rng, context, titles) if (not out or rng.random() < 0.6) \
            else REPLIES[rng.integers(len(REPLIES))]
        out.append((who, text))
        est += 0.33 * len(text.split()) + 0.5  # rough: ~3 words/s plus the pause
        who = (who + int(rng.integers(1, len(band)))) % len(band) if len(band) > 1 else 0
    return out


def render_conversation(rng, band: list[Speaker], utterances, work: Path, out_wav: Path) -> list:
    """Speak the utterances one after another into one stereo float WAV at 22.05 kHz.

    Returns the (start, end) seconds of each utterance in that file; the caller resamples
    the file to 44.1 kHz (times stay the same).
    """
    pieces = []
    spans = []
    t = 0.0
    for i, (who, text) in enumerate(utterances):
        sp = band[who]
        wav = work / f"utt{i}.wav"
        subprocess.run(["espeak-ng", "-v", sp.voice, "-s", str(sp.speed), "-p", str(sp.pitch),
                        "-w", str(wav), text], check=True, capture_output=True)
        x, sr = sf.read(wav, dtype="float32")
        wav.unlink()
        assert sr == ESPEAK_RATE
        # espeak pads with silence; trim it so the pauses below are the real ones
        nz = np.flatnonzero(np.abs(x) > 1e-3)
        x = x[nz[0]:nz[-1] + 1] if len(nz) else x[:0]
        x *= 10 ** (sp.gain_db / 20)
        gap = float(rng.uniform(0.15, 1.1)) if i else 0.0
        if i and rng.random() < 0.15:
            gap = -float(rng.uniform(0.1, 0.5))  # people talk over each other
        start = max(0.0, t + gap)
        left, right = np.sqrt((1 - sp.pan) / 2), np.sqrt((1 + sp.pan) / 2)
        pieces.append((int(start * ESPEAK_RATE), np.stack([x * left, x * right], axis=1)))
        spans.append((start, start + len(x) / ESPEAK_RATE))
        t = max(t, start + len(x) / ESPEAK_RATE)
    buf = np.zeros((int(t * ESPEAK_RATE) + 1, 2), dtype=np.float32)
    for s, p in pieces:
        buf[s:s + len(p)] += p
    sf.write(out_wav, buf, ESPEAK_RATE, subtype="FLOAT")
    return spans
