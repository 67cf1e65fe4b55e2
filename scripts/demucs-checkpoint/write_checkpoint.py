#!/usr/bin/env python3
"""Writes a random-weight HTDemucs checkpoint the way demucs publishes its models: the
package dict of `demucs.states.serialize_model` (klass, args, kwargs, float16 state from
`demucs.states.get_state`, training_args), saved with `torch.save`. Default geometry is
the published `htdemucs` one (dconv_mode 3, bottom_channels 512, 39/5 s segment):
533 tensors, 41,984,456 values.

    write_checkpoint.py OUT.th --seed N [--sources 4|6] [--kwargs '{"channels": 32}']
        [--float32]

serialize_model itself needs omegaconf (not a demucs dependency) only to turn the
training config into plain containers; the dict is built here with the same keys, and
training_args is a plain dict as OmegaConf.to_container returns it.
"""
import argparse
import fractions
import json

import torch
from demucs.htdemucs import HTDemucs
from demucs.states import get_state

SOURCES = {4: ["drums", "bass", "other", "vocals"],
           6: ["drums", "bass", "other", "vocals", "guitar", "piano"]}
PUBLISHED = {"dconv_mode": 3, "bottom_channels": 512, "t_dropout": 0.02}

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--sources", type=int, default=4, choices=[4, 6])
parser.add_argument("--kwargs", default="{}", help="JSON: arguments beside the published ones")
parser.add_argument("--float32", action="store_true", help="keep the state in float32")
args = parser.parse_args()

torch.manual_seed(args.seed)
kwargs = dict(PUBLISHED)
kwargs.update(json.loads(args.kwargs))
model = HTDemucs(sources=SOURCES[args.sources], segment=fractions.Fraction(39, 5), **kwargs)
# Random init leaves the layer scales at their tiny initial values, so the residual
# branches would barely matter; scale them up so that every weight shows in the output.
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith(".scale"):
            p.uniform_(0.2, 0.6)
init_args, init_kwargs = model._init_args_kwargs
package = {
    "klass": model.__class__,
    "args": init_args,
    "kwargs": init_kwargs,
    "state": get_state(model, None, half=not args.float32),
    "training_args": {"dset": {"sources": SOURCES[args.sources], "samplerate": 44100},
                      "seed": args.seed, "epochs": 0, "note": None},
}
torch.save(package, args.out)
state = package["state"]
print(json.dumps({"tensors": len(state), "values": sum(t.numel() for t in state.values())}))
