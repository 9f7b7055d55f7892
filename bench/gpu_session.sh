#!/usr/bin/env bash
# Everything that needs a CUDA GPU, in one go: the CUDA tests, then the GPU benchmarks.
#   bash bench/gpu_session.sh DATA_DIR OUT_DIR
# DATA_DIR holds sst/ (see shared/data/MANIFEST.md); the pretrained MiniLM must be importable
# (pip install -e ".[pretrained,test]"). Logs and bench/results/*_cuda*.json are copied to OUT_DIR.
set -uo pipefail
data="${1:?DATA_DIR}"
out="${2:?OUT_DIR}"
mkdir -p "$out"
export PYTHONUNBUFFERED=1
step() {  # step NAME SECONDS COMMAND...: run with a time limit, log to OUT_DIR/NAME.log, keep going on failure
  local name="$1" limit="$2"; shift 2
  echo "=== $name ($(date +%T))"
  timeout "$limit" "$@" 2>&1 | tee "$out/$name.log" | tail -40
  echo "=== $name exit ${PIPESTATUS[0]}"
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"
step cuda-tests 200 python3 -m pytest -q -p no:cacheprovider tests/models/test_cuda.py tests/training/test_cuda_training.py tests/models/test_attention.py
step bert-vs-hf 150 python3 bench/bert_vs_hf.py --device cuda --batch-size 64 --lengths 128 512 --repeats 10 --name bert_vs_hf_cuda
step sst-epoch 200 python3 bench/sst_epoch.py --data-dir "$data" --device cuda --epochs 2 --name sst_epoch_cuda
step sst-epoch-eager 90 python3 bench/sst_epoch.py --data-dir "$data" --device cuda --epochs 2 --side ours --no-cuda-graphs --name sst_epoch_cuda_eager
cp bench/results/*cuda*.json "$out"/ 2>/dev/null
echo "=== done $(date +%T)"
