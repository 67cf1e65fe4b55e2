#!/usr/bin/env python3
"""Export PyTorch separation models to TorchScript for Stemset's `libtorch` backend.

Needs Python with PyTorch (any CPU or CUDA build) and, for Demucs, the `demucs` package:

    python3 -m venv .venv-torch
    .venv-torch/bin/pip install torch==2.13.0 demucs==4.1.0 pyyaml

Demucs (HTDemucs v4: htdemucs, htdemucs_ft, htdemucs_6s, or your own training run):

    export.py demucs --model htdemucs --out models/
    export.py demucs --model htdemucs_ft --out models/          # a bag: 4 files
    export.py demucs --model my_model --repo ~/demucs_repo --out models/

  Each (sub-)model becomes `<name>[_<k>].pt`: the whole HTDemucs forward traced for
  one window of `segment` samples (343 980 = 7.8 s for v4), `mix [1, 2, SEG] ->
  stems [1, S, 2, SEG]`. Stemset does the track normalisation, the overlapping windows
  and the shifts around it, as demucs' apply_model does.

MDX23C / BS-Roformer / Mel-Band Roformer (a `.ckpt` and the `.yaml` that came with it):

    export.py waveform --ckpt model_bs_roformer_ep_317_sdr_12.9755.ckpt \\
        --config model_bs_roformer_ep_317_sdr_12.9755.yaml --out models/

  The model class comes from the YAML (BS-Roformer if `model.freqs_per_bands`,
  Mel-Band Roformer if `model.num_bands`, else MDX23C). Roformers are built with the
  `bs_roformer` package (`pip install BS-RoFormer`, lucidrains' code that the
  checkpoints were trained with), MDX23C with `audio_separator`'s TFC_TDF_net
  (`pip install audio-separator`); `--factory module:function` builds it with your own
  code instead (the function takes the YAML as a dict and returns the nn.Module). The
  forward is traced for one window of C = hop * (inference.dim_t - 1) samples:
  `mix [B, 2, C] -> stems [B, S, 2, C]` (or `[B, 2, C]` for a single-target model). The
  YAML is copied next to the `.pt` (same base name); Stemset reads the stem names,
  C and the overlap from it.

Both commands print the `plugins.toml` entry to register the result. `--half` traces in
float16 for CUDA (`half = true` in `[backends.libtorch]` does the same at load time, so it
is rarely needed). `--random SEED` skips the checkpoint and exports a model with random
weights (tests and benchmarks).
"""
import argparse
import contextlib
import fractions
import shutil
import sys
import warnings
from pathlib import Path

HTDEMUCS_SOURCES = ["drums", "bass", "other", "vocals"]


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def need(module, install):
    try:
        return __import__(module)
    except ImportError:
        fail(f"this export needs the `{module}` package: pip install {install}")


# ---------------------------------------------------------------------------- demucs


def random_htdemucs(seed, sources=None):
    """An HTDemucs with v4's geometry (7.8 s segment, 4 sources) and random weights."""
    torch = need("torch", "torch")
    need("demucs", "demucs==4.1.0")
    from demucs.htdemucs import HTDemucs

    torch.manual_seed(seed)
    model = HTDemucs(sources=sources or HTDEMUCS_SOURCES, segment=fractions.Fraction(39, 5))
    return model.eval()


def load_demucs(name, repo):
    need("demucs", "demucs==4.1.0")
    from demucs.apply import BagOfModels
    from demucs.pretrained import get_model

    model = get_model(name, repo=Path(repo) if repo else None)
    if isinstance(model, BagOfModels):
        return list(model.models), [list(map(float, w)) for w in model.weights]
    return [model], None


def segment_of(model):
    return int(fractions.Fraction(model.segment) * model.samplerate)


def trace_demucs(model, out_path, half, device):
    torch = need("torch", "torch")
    seg = segment_of(model)
    model = model.to(device).eval()
    example = torch.zeros(1, model.audio_channels, seg, device=device)
    if half:
        model, example = model.half(), example.half()
    with torch.inference_mode(), quiet_tracer(torch):
        traced = torch.jit.trace(model, example, check_trace=False)
    traced.save(str(out_path))
    return seg


def export_demucs(args):
    if args.random is not None:
        models, weights = [random_htdemucs(args.random)], None
        name = args.name or "htdemucs_random"
    else:
        if not args.model:
            fail("give --model (a pretrained name or signature) or --random SEED")
        models, weights = load_demucs(args.model, args.repo)
        name = args.name or Path(args.model).stem
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files, segment = [], None
    for k, model in enumerate(models):
        if type(model).__name__ != "HTDemucs":
            fail(f"sub-model {k} is {type(model).__name__}; only HTDemucs (v4) exports are supported")
        file = out / (f"{name}.pt" if len(models) == 1 else f"{name}_{k}.pt")
        seg = trace_demucs(model, file, args.half, args.device)
        if segment not in (None, seg):
            fail(f"the bag's models have different segments ({segment}, {seg})")
        segment = seg
        files.append(file)
        print(f"wrote {file} (segment {seg} samples, sources {', '.join(model.sources)})", file=sys.stderr)
    sources = list(models[0].sources)
    params = [] if segment == 343_980 else [f"segment = {segment}"]
    if sources not in (HTDEMUCS_SOURCES, HTDEMUCS_SOURCES + ["guitar", "piano"]):
        params.append("sources = [" + ", ".join(f'"{s}"' for s in sources) + "]")
    if len(files) > 1:
        params.append("bag = [" + ", ".join(f'"{f.name}"' for f in files[1:]) + "]")
        flat = [w for row in (weights or [[1.0] * len(sources)] * len(files)) for w in row]
        params.append("weights = [" + ", ".join(f"{w:g}" for w in flat) + "]")
    print_entry(name, "demucs", files[0], [s.lower() for s in sources], params,
                f"HTDemucs {name} (TorchScript)")


# -------------------------------------------------------------------------- waveform


def read_yaml(path):
    yaml = need("yaml", "pyyaml")

    class Loader(yaml.SafeLoader):
        pass

    # MSST/audio-separator configs use !!python/tuple for a few lists.
    Loader.add_constructor("tag:yaml.org,2002:python/tuple",
                           lambda loader, node: tuple(loader.construct_sequence(node)))
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def is_roformer(config, path):
    m = config.get("model") or {}
    return ("freqs_per_bands" in m or "num_bands" in m or "model_type" in config
            or "roformer" in Path(path).name.lower())


def chunk_of(config, roformer):
    hop = config["model"]["stft_hop_length"] if roformer else config["audio"]["hop_length"]
    dim_t = (config.get("inference") or {}).get("dim_t") or config["audio"]["dim_t"]
    return int(hop) * (int(dim_t) - 1)


def roformer_factory(config):
    need("bs_roformer", "BS-RoFormer")
    from bs_roformer import BSRoformer, MelBandRoformer

    kwargs = dict(config["model"])
    cls = MelBandRoformer if "num_bands" in kwargs else BSRoformer
    if "freqs_per_bands" in kwargs:
        kwargs["freqs_per_bands"] = tuple(kwargs["freqs_per_bands"])
    return cls(**kwargs)


def mdx23c_factory(config):
    need("audio_separator", "audio-separator")
    from audio_separator.separator.uvr_lib_v5.tfc_tdf_v3 import TFC_TDF_net
    from ml_collections import ConfigDict

    return TFC_TDF_net(ConfigDict(config), device="cpu")


def load_factory(spec):
    module, _, func = spec.partition(":")
    if not func:
        fail(f"--factory {spec}: expected module:function")
    sys.path.insert(0, str(Path.cwd()))
    return getattr(__import__(module, fromlist=[func]), func)


def waveform_wrapper(model, chunk):
    torch = need("torch", "torch")

    class Waveform(torch.nn.Module):
        """mix [B, 2, C] -> the model's stems, cut or zero-padded to exactly C samples
        (a model whose iSTFT has no `length` returns hop * floor(C / hop))."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, mix):
            out = self.inner(mix)
            if out.shape[-1] > chunk:
                out = out[..., :chunk]
            elif out.shape[-1] < chunk:
                out = torch.nn.functional.pad(out, (0, chunk - out.shape[-1]))
            return out

    return Waveform(model)


def export_waveform(args):
    torch = need("torch", "torch")
    if not args.config:
        fail("give --config (the model's YAML)")
    config = read_yaml(args.config)
    roformer = is_roformer(config, args.config)
    chunk = chunk_of(config, roformer)
    if args.factory:
        factory = load_factory(args.factory)
    else:
        factory = roformer_factory if roformer else mdx23c_factory
    if args.random is not None:
        torch.manual_seed(args.random)
    model = factory(config)
    if args.random is None:
        if not args.ckpt:
            fail("give --ckpt (the checkpoint) or --random SEED")
        state = torch.load(args.ckpt, map_location="cpu", weights_only=False)
        state = state.get("state_dict", state) if isinstance(state, dict) else state
        model.load_state_dict(state)
    wrapped = waveform_wrapper(model.eval(), chunk).to(args.device).eval()
    example = torch.zeros(1, 2, chunk, device=args.device)
    if args.half:
        wrapped, example = wrapped.half(), example.half()
    name = args.name or Path(args.ckpt or args.config).stem
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    file = out / f"{name}.pt"
    with torch.inference_mode(), quiet_tracer(torch):
        shape = tuple(wrapped(example).shape)
        traced = torch.jit.trace(wrapped, example, check_trace=False)
    traced.save(str(file))
    shutil.copyfile(args.config, file.with_suffix(".yaml"))
    training = config.get("training") or {}
    instruments = list(training.get("instruments") or [])
    target = training.get("target_instrument")
    expected = 1 if target else len(instruments)
    got = 1 if len(shape) == 3 else shape[1]
    if got != expected:
        fail(f"the model outputs {got} stems but its YAML expects {expected} "
             f"(instruments {instruments}, target {target})")
    print(f"wrote {file} and {file.with_suffix('.yaml')} (window {chunk} samples, "
          f"output {list(shape)}, {'Roformer' if roformer else 'MDX23C'} chunking)", file=sys.stderr)
    if target:
        others = [i for i in instruments if i.lower() != str(target).lower()]
        slots = [target] + others[:1]
    else:
        slots = instruments
    print_entry(name, "waveform", file, [slot_name(s) for s in slots], [],
                f"{'Roformer' if roformer else 'MDX23C'} {name} (TorchScript)")


# ---------------------------------------------------------------------------- common


@contextlib.contextmanager
def quiet_tracer(torch):
    """The tracer warns about every Python-level shape check; with a fixed window they
    are all constant, as intended."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        yield


def slot_name(stem):
    import re
    return "-".join(w.lower() for w in re.split(r"[^A-Za-z0-9]+", str(stem)) if w)


def print_entry(name, architecture, file, slots, params, description):
    print(f"[models.{name}]")
    print('backend = "libtorch"')
    print(f'architecture = "{architecture}"')
    print(f'description = "{description}"')
    print(f'file = "{file}"')
    print("slots = [" + ", ".join(f'"{s}"' for s in slots) + "]")
    if params:
        print("params = { " + ", ".join(params) + " }")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 2)[2])
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd in ("demucs", "waveform"):
        p = sub.add_parser(cmd)
        p.add_argument("--out", required=True, help="folder for the exported files")
        p.add_argument("--name", help="base name of the exported files (default: the model's)")
        p.add_argument("--device", default="cpu", help="device to trace on (cpu, cuda)")
        p.add_argument("--half", action="store_true", help="trace in float16 (CUDA only)")
        p.add_argument("--random", type=int, metavar="SEED", help="random weights (tests, benchmarks)")
        if cmd == "demucs":
            p.add_argument("--model", help="pretrained name or signature (htdemucs, htdemucs_ft, ...)")
            p.add_argument("--repo", help="local folder with the model files (offline)")
        else:
            p.add_argument("--ckpt", help="the checkpoint (.ckpt / .pth)")
            p.add_argument("--config", help="the model's YAML config")
            p.add_argument("--factory", help="module:function building the nn.Module from the YAML dict")
    args = parser.parse_args(argv)
    if args.half and not str(args.device).startswith("cuda"):
        fail("--half needs --device cuda")
    (export_demucs if args.command == "demucs" else export_waveform)(args)


if __name__ == "__main__":
    main()
