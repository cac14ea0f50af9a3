#!/usr/bin/env bash
# Checks a gpu image on a machine WITH an NVIDIA GPU, Docker and the NVIDIA Container Toolkit (CI has no
# GPU, so a person runs this). It builds the gpu target (CUDA_MAJOR 12 by default, or 13) and shows the
# build's CUDA check line and the GPU as the container sees it. It trains a model, then serves it with
# `--gpus all` and BYOC_DEVICE=cuda (CUDA failures are then fatal instead of falling back to CPU). It
# requires byoc's host-driver line and `execution provider cuda` in the log, invokes, and stops with
# SIGTERM. It serves again as a non-root uid with a read-only root (as serverless may). Last, it times
# the 512→2048→2048→10 MLP on CUDA and on CPU in the same image: CUDA must be faster.
#
#   scripts/gpu-check.sh [IMAGE]                 (default IMAGE: byoc:gpu-check; PORT default 8080)
#   CUDA_MAJOR=13 scripts/gpu-check.sh           the CUDA 13 variant (host driver >= 580)
#   SKIP_BUILD=1 scripts/gpu-check.sh IMAGE      checks an image built or pulled already
#
# Needs bun (`bun install` in this repository) to write the MLP model. Prints PASS/FAIL per check and
# ends with `gpu-check: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-byoc:gpu-check}
port=${PORT:-8080}
cuda_major=${CUDA_MAJOR:-12}
work=$(mktemp -d "${TMPDIR:-/tmp}/byoc-gpu-check.XXXXXX")
passed=0
failed=0
containers=()

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
show() { printf '+ %s\n' "$*" >&2; "$@"; }
ms() { date +%s%3N; }
finish() {
  echo
  echo "gpu-check: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

command -v docker >/dev/null && docker info >/dev/null 2>&1 || { fail "no docker engine answers (docker info)"; finish; }
bun=$(command -v bun || readlink -f "$root/node_modules/.bin/bun")
[ -x "$bun" ] || { fail "bun is needed to write the test models: run 'bun install' in $root"; finish; }
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "note: nvidia-smi is not on this host's PATH"
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  # The build prints "CUDA check: provider needs libcudart.so.N; base image (CUDA x.y.z) has libcudart.so.N".
  if show docker build --progress=plain --platform linux/amd64 --target gpu --build-arg "CUDA_MAJOR=$cuda_major" -t "$image" "$root" >"$work/build.log" 2>&1; then
    pass "gpu image (CUDA_MAJOR=$cuda_major) builds; $(grep -o 'CUDA check: .*' "$work/build.log" | head -n 1)"
  else
    tail -n 30 "$work/build.log"
    fail "gpu image build (log above; a 'CUDA check failed' line says which CUDA major is missing)"
    finish
  fi
fi

# The GPU as the container sees it (nvidia-smi is mounted by the toolkit: NVIDIA_DRIVER_CAPABILITIES=utility).
if show docker run --rm --gpus all --entrypoint nvidia-smi "$image" >"$work/smi.log" 2>&1; then
  pass "GPU visible in the container: $(grep -o 'Driver Version: [0-9.]*  *CUDA Version: [0-9.]*' "$work/smi.log" | tr -s ' ')"
else
  cat "$work/smi.log"
  fail "docker run --gpus all (is the NVIDIA Container Toolkit installed and configured?)"
  finish
fi

cp -a "$root/local_test/test_dir" "$work/test_dir"
if show docker run --rm -v "$work/test_dir:/opt/ml" "$image" train >"$work/train.log" 2>&1 &&
  [ -n "$(find "$work/test_dir/model" -type f ! -name .gitkeep)" ]; then
  pass "train writes a model"
else
  tail -n 20 "$work/train.log"
  fail "train did not produce a model"
  finish
fi

# serve NAME DIR [docker run options...]: starts `serve` detached on $port, waits for /ping 200 (sets $container).
serve() {
  local name=$1 dir=$2
  shift 2
  container=$(show docker run -d --gpus all -p "$port:8080" -v "$dir:/opt/ml" "$@" "$image" serve) || { fail "$name: docker run serve"; return 1; }
  containers+=("$container")
  local t0 code=
  t0=$(ms)
  while [ $(($(ms) - t0)) -lt 120000 ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ping")
    [ "$code" = 200 ] && break
    [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
    sleep 0.1
  done
  docker logs "$container" >"$work/$name.log" 2>&1
  if [ "$code" = 200 ]; then
    pass "$name: /ping 200 after $(($(ms) - t0)) ms"
  else
    cat "$work/$name.log"
    fail "$name: /ping never answered 200 (got ${code:-nothing}); log above"
    return 1
  fi
}
stop() {
  show docker stop -t 30 "$container" >/dev/null
  local code
  code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
  if [ "$code" = 0 ]; then pass "$1: exits 0 on SIGTERM (docker stop)"; else fail "$1: exit code $code after docker stop"; fi
}

if serve cuda "$work/test_dir" -e BYOC_DEVICE=cuda; then
  grep -iE 'driver|provider|compat' "$work/cuda.log"
  if grep -q "host NVIDIA driver [0-9.]*; this image's CUDA $cuda_major needs" "$work/cuda.log"; then
    pass "byoc logs the host driver and what CUDA $cuda_major needs: $(grep -o 'host NVIDIA driver .*' "$work/cuda.log" | head -n 1)"
  else
    fail "no 'host NVIDIA driver ...; this image's CUDA $cuda_major needs' line in the log (above)"
  fi
  if grep -q 'execution provider cuda' "$work/cuda.log"; then
    pass "the model runs on the CUDA execution provider"
  else
    fail "no 'execution provider cuda' line in the serve log (above)"
  fi
  rows=$(wc -l <"$root/local_test/payload.csv")
  if curl -sS --fail-with-body --data-binary "@$root/local_test/payload.csv" -H 'Content-Type: text/csv' \
    "http://127.0.0.1:$port/invocations" >"$work/answer.csv" && [ "$(wc -l <"$work/answer.csv")" -eq "$rows" ]; then
    pass "POST /invocations answers $rows lines for $rows rows; first: $(head -n 1 "$work/answer.csv")"
  else
    cat "$work/answer.csv"
    fail "POST /invocations"
  fi
  stop cuda
fi

# Serverless-like: an arbitrary non-root uid, a read-only root, writable /tmp (TMPDIR) only.
chmod -R a+rX "$work/test_dir"
if serve non-root "$work/test_dir" --user 12345:12345 --read-only --tmpfs /tmp -e BYOC_DEVICE=cuda; then
  if grep -q 'execution provider cuda' "$work/non-root.log"; then pass "non-root, read-only: runs on CUDA"; else fail "non-root, read-only: no 'execution provider cuda' line"; fi
  stop non-root
fi

# Speed: the 512→2048→2048→10 MLP, 256 rows per request, on CUDA and on CPU in this image.
mkdir -p "$work/mlp/model"
(cd "$root" && OUT="$work/mlp" "$bun" -e '
  const { mlpModel } = await import("./test/fixtures/models")
  await Bun.write(`${process.env.OUT}/model/model.onnx`, mlpModel({ layers: [512, 2048, 2048, 10] }))
  const rows = Array.from({ length: 256 }, (_, i) => Array.from({ length: 512 }, (_, j) => ((i * 31 + j) % 17) / 17).join(","))
  await Bun.write(`${process.env.OUT}/payload.csv`, rows.join("\n") + "\n")
') || { fail "writing the MLP model with bun"; finish; }
chmod -R a+rX "$work/mlp"
# time_requests NAME: ms for 30 requests after 5 warm-up ones.
time_requests() {
  local i t0
  for i in 1 2 3 4 5; do curl -s -o /dev/null --data-binary "@$work/mlp/payload.csv" -H 'Content-Type: text/csv' "http://127.0.0.1:$port/invocations"; done
  t0=$(ms)
  for i in $(seq 30); do
    curl -sS --fail -o /dev/null --data-binary "@$work/mlp/payload.csv" -H 'Content-Type: text/csv' "http://127.0.0.1:$port/invocations" || return 1
  done
  echo $(($(ms) - t0))
}
cuda_ms= cpu_ms=
if serve mlp-cuda "$work/mlp" -e BYOC_DEVICE=cuda -e SAGEMAKER_MODEL_SERVER_WORKERS=1; then
  cuda_ms=$(time_requests) || fail "MLP on CUDA: a request failed"
  stop mlp-cuda
fi
if serve mlp-cpu "$work/mlp" -e BYOC_DEVICE=cpu; then
  cpu_ms=$(time_requests) || fail "MLP on CPU: a request failed"
  stop mlp-cpu
fi
if [ -n "$cuda_ms" ] && [ -n "$cpu_ms" ]; then
  echo "MLP 512→2048→2048→10, 30 requests of 256 rows: CUDA $cuda_ms ms, CPU $cpu_ms ms"
  if [ "$cuda_ms" -lt "$cpu_ms" ]; then
    pass "CUDA is faster than CPU on the MLP ($(awk -v a="$cpu_ms" -v b="$cuda_ms" 'BEGIN { printf "%.1fx", a / b }'))"
  else
    fail "CUDA ($cuda_ms ms) is not faster than CPU ($cpu_ms ms) on the MLP"
  fi
fi

finish
