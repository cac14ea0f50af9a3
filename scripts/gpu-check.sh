#!/usr/bin/env bash
# Checks the gpu image on a machine WITH an NVIDIA GPU, Docker and the NVIDIA Container Toolkit (CI has no
# GPU, so this is run by a person): builds the gpu target, trains a model with it, serves it with
# `--gpus all` and BYOC_DEVICE=cuda (CUDA failures are then fatal instead of falling back to CPU),
# looks for the provider line in the log, invokes, stops it with SIGTERM. Prints pass/fail per check.
#
#   scripts/gpu-check.sh [IMAGE]        (default IMAGE: byoc:gpu-check; PORT default 8080)
#   SKIP_BUILD=1 scripts/gpu-check.sh IMAGE   checks an image built or pulled already
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-byoc:gpu-check}
port=${PORT:-8080}
work=$(mktemp -d "${TMPDIR:-/tmp}/byoc-gpu-check.XXXXXX")
passed=0
failed=0
container=

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
show() { printf '+ %s\n' "$*" >&2; "$@"; }
finish() {
  echo
  echo "gpu-check: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
cleanup() {
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

command -v docker >/dev/null && docker info >/dev/null 2>&1 || { fail "no docker engine answers (docker info)"; finish; }
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "note: nvidia-smi is not on this host's PATH"
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  # The build prints "CUDA check: provider needs libcudart.so.N; base image ... has libcudart.so.M".
  if show docker build --progress=plain --platform linux/amd64 --target gpu -t "$image" "$root" >"$work/build.log" 2>&1; then
    pass "gpu image builds; $(grep -o 'CUDA check: .*' "$work/build.log" | head -n 1)"
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
elif bun=$(command -v bun || readlink -f "$root/node_modules/.bin/bun") && [ -x "$bun" ]; then
  tail -n 5 "$work/train.log"
  echo "train did not produce a model; using local_test/make_demo_model.ts instead"
  (cd "$root" && "$bun" local_test/make_demo_model.ts "$work/test_dir/model") || { fail "making the demo model"; finish; }
else
  tail -n 20 "$work/train.log"
  fail "train did not produce a model and bun is not installed to make the demo one"
  finish
fi

container=$(show docker run -d --gpus all -e BYOC_DEVICE=cuda -p "$port:8080" -v "$work/test_dir:/opt/ml" "$image" serve) ||
  { fail "docker run serve"; finish; }
t0=$(date +%s%3N)
code=
while [ $(($(date +%s%3N) - t0)) -lt 120000 ]; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ping")
  [ "$code" = 200 ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
  sleep 0.1
done
docker logs "$container" >"$work/serve.log" 2>&1
if [ "$code" = 200 ]; then
  pass "/ping 200 after $(($(date +%s%3N) - t0)) ms with BYOC_DEVICE=cuda"
else
  cat "$work/serve.log"
  fail "/ping never answered 200 (got ${code:-nothing}); serve log above"
  finish
fi

grep -i 'provider' "$work/serve.log"
if grep -qi 'execution provider cuda' "$work/serve.log"; then
  pass "the log says the model runs on the CUDA execution provider"
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

show docker stop -t 30 "$container" >/dev/null
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
docker logs "$container" 2>&1 | tail -n 3
if [ "$exit_code" = 0 ]; then pass "serve exits 0 on SIGTERM (docker stop)"; else fail "serve exit code $exit_code after docker stop"; fi

finish
