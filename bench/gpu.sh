#!/usr/bin/env bash
# bench/htdemucs.sh on a CUDA machine: Stemset's onnx backend with device = "cuda" end to
# end through `stemset process`, against PyTorch demucs on the same GPU, same random-weight
# checkpoint (published htdemucs geometry) and clip.
#   bench/gpu.sh            # 60 s clip, 600 s for the memory check
#   bench/gpu.sh 60 0       # no long clip
# Needs an NVIDIA driver, the CUDA ONNX Runtime (`stemset runtime install --gpu`, or
# ORT_DYLIB_PATH naming onnxruntime-gpu's library) and a .venv-torch whose torch has CUDA.
# `device = "cuda"` refuses to run on the CPU, so a run that completes ran on the GPU; the
# process output says "on cuda:0" per file.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvidia-smi >/dev/null || { echo "no nvidia-smi: this needs a CUDA machine"; exit 1; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
py="${STEMSET_TORCH_PYTHON:-$PWD/.venv-torch/bin/python}"
"$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' \
  || { echo "$py has no CUDA torch"; exit 1; }
clip="${1:-60}"
long="${2:-600}"
LONG=$([ "$long" = 0 ] && echo 0 || echo 1)
DEVICE=cuda LONG="$LONG" TORCH_DEVICE=cuda bench/htdemucs.sh "$clip" "$long"
