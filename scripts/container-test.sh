#!/usr/bin/env bash
# Builds the real Dockerfile's cpu target and runs the image as SageMaker would, on a machine with no
# Docker engine and no image registry (CI): base images are made locally with debootstrap and swapped
# in through the Dockerfile's build args; podman builds, buildah runs (both with chroot isolation).
#
#   sudo scripts/container-test.sh          (root: installs podman, buildah, debootstrap with apt-get)
#
# Checks: the image builds; its config (exec-form entrypoint, labels, env); `byoc --version` runs in it;
# `train` on local_test/test_dir (skipped while byoc train is a placeholder), then `serve` of what it
# trained (or of local_test/make_demo_model.ts's model): /ping 200, payload.csv answered line by line,
# SIGTERM → exit 0; a scikit-learn text pipeline (needs the image's en_US.UTF-8) answers sklearn's
# labels; a handler shipped in model.tar.gz (examples/image-png with pngjs vendored) is type-checked and
# answers a PNG; as a non-root uid with a read-only root, a handler is type-checked too.
# Prints the image size and the time from start to the first /ping 200.
# Last line: `container: N passed, N failed`; exit status 1 on any failure, including unreachable mirrors.
#
# Environment: BYOC_CONTAINER_CACHE (debootstrap cache, default $TMPDIR/byoc-container-cache),
# DEBIAN_MIRROR (default: the host's apt mirror), IMAGE (default localhost/byoc:container-test).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${BYOC_CONTAINER_CACHE:-${TMPDIR:-/tmp}/byoc-container-cache}
image=${IMAGE:-localhost/byoc:container-test}
suite=bookworm
work=$(mktemp -d "${TMPDIR:-/tmp}/byoc-container-test.XXXXXX")
passed=0
failed=0
serve_pid=
byoc=

step() { printf '\n== %s\n' "$*"; }
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
  echo
  echo "container: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
cleanup() {
  # Only what this script started: the byoc server it launched, if still up, and its scratch folder.
  if [ -n "$byoc" ] && kill -0 "$byoc" 2>/dev/null; then kill -KILL "$byoc"; fi
  if [ -n "$serve_pid" ]; then wait "$serve_pid" 2>/dev/null; fi
  if [ -n "${lock_ctr:-}" ]; then buildah umount "$lock_ctr" >/dev/null 2>&1; buildah rm "$lock_ctr" >/dev/null 2>&1; fi
  if [ -n "${memory_cg:-}" ] && [ -d "$memory_cg" ]; then rmdir "$memory_cg" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
ms() { date +%s%3N; }
# Polls /ping on $port until it answers 200, while process $1 lives, for at most 60 s from $t0; leaves the
# last status in $code and the last body in $2 (default: discarded).
wait_ping() {
  code=
  while [ $(($(ms) - t0)) -lt 60000 ] && kill -0 "$1" 2>/dev/null; do
    code=$(curl -s -o "${2:-/dev/null}" -w '%{http_code}' "http://127.0.0.1:$port/ping")
    [ "$code" = 200 ] && break
    sleep 0.02
  done
}

if [ "$(id -u)" != 0 ]; then
  fail "must run as root (apt-get, debootstrap and rootful podman/buildah)"
  finish
fi

step "tools: podman, buildah, debootstrap, curl"
missing=()
for tool in podman buildah debootstrap curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "+ apt-get update && apt-get install -y ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$work/apt.log" 2>&1; then
    tail -n 15 "$work/apt.log"
    fail "apt-get could not install ${missing[*]}: the Debian package mirror looks unreachable (see above)"
    finish
  fi
fi
podman --version && buildah --version

# ---- local base images ---------------------------------------------------------------------------
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-$(sed -n "s/^deb \(http[^ ]*\) $suite .*/\1/p" /etc/apt/sources.list 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
rootfs_tar=$cache/$suite-minbase.tar
debs=$cache/$suite-debs
step "debootstrap --variant=minbase $suite (cached in $cache)"
if [ ! -s "$rootfs_tar" ] || [ ! -d "$debs" ]; then
  mkdir -p "$cache"
  rm -rf "$cache/rootfs"
  echo "+ debootstrap --variant=minbase $suite $cache/rootfs $mirror"
  if ! debootstrap --variant=minbase "$suite" "$cache/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 15 "$work/debootstrap.log"
    fail "debootstrap could not fetch $suite from $mirror: the Debian mirror looks unreachable (see above)"
    finish
  fi
  rm -rf "$debs" && mkdir -p "$debs"
  mv "$cache/rootfs/var/cache/apt/archives/"*.deb "$debs/"
  tar -C "$cache/rootfs" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$cache/rootfs"
else
  echo "cached: $rootfs_tar"
fi

bun=$(readlink -f "$root/node_modules/.bin/bun" 2>/dev/null || command -v bun)
if [ -z "$bun" ] || ! bun_version=$("$bun" --version); then
  fail "no bun binary: run 'bun install' in $root first (node_modules/.bin/bun)"
  finish
fi
minbase=localhost/byoc-standin/minbase:$suite
cc=localhost/byoc-standin/cc:$suite
bun_image=localhost/byoc-standin/bun:$bun_version

step "stand-in base images: $minbase, $cc (for gcr.io/distroless/cc-debian12), $bun_image (for oven/bun)"
if ! podman image exists "$minbase"; then
  echo "+ podman import $rootfs_tar $minbase"
  podman import -q "$rootfs_tar" "$minbase" >/dev/null || { fail "podman import of the minbase rootfs"; finish; }
fi
if ! podman image exists "$cc"; then
  # distroless cc = glibc, libgcc, libstdc++, tzdata, base-files and a root user; the same Debian packages.
  ccdir=$work/cc
  mkdir -p "$ccdir"
  for pkg in base-files tzdata libc6 libgcc-s1 gcc-12-base libstdc++6; do
    deb=$(ls "$debs/${pkg}_"*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { fail "package $pkg missing from the debootstrap cache $debs"; finish; }
    dpkg-deb -x "$deb" "$ccdir"
  done
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then # distroless ships a CA bundle too
    mkdir -p "$ccdir/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$ccdir/etc/ssl/certs/"
  fi
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$ccdir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ccdir/etc/group"
  chmod 1777 "$ccdir/tmp"
  echo "+ podman import (distroless-like rootfs) $cc"
  tar -C "$ccdir" -c . | podman import -q - "$cc" >/dev/null || { fail "podman import of the cc rootfs"; finish; }
fi
if ! podman image exists "$bun_image"; then
  mkdir -p "$work/bunctx"
  cp "$bun" "$work/bunctx/bun"
  printf 'FROM %s\nCOPY bun /usr/local/bin/bun\nRUN ln -s bun /usr/local/bin/bunx && bun --version\n' "$minbase" >"$work/bunctx/Containerfile"
  echo "+ podman build --isolation chroot -t $bun_image (minbase + $bun)"
  podman build -q --isolation chroot -t "$bun_image" "$work/bunctx" >/dev/null || { fail "build of $bun_image"; finish; }
fi
podman images --filter reference='localhost/byoc-standin/*'

# ---- build the real Dockerfile ------------------------------------------------------------------
step "podman build --target cpu (the real Dockerfile, base images swapped by build args)"
build=(podman build --isolation chroot --target cpu -t "$image"
  --build-arg "BUN_IMAGE=$bun_image" --build-arg "CPU_BASE_IMAGE=$cc")
ca=/etc/ssl/certs/ca-certificates.crt
if [ -f "$ca" ]; then
  # Builds reach the npm registry through this host's proxy: trust the host's CA bundle inside.
  build+=(-v "$ca:$ca:ro" --build-arg "NODE_EXTRA_CA_CERTS=$ca")
fi
echo "+ ${build[*]} $root"
previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null)
t=$(ms)
if "${build[@]}" "$root" >"$work/build.log" 2>&1; then
  pass "cpu image builds ($(( ($(ms) - t) / 1000 )) s)"
  # Keep podman's storage bounded across runs: drop the image this build replaced (layer cache stays).
  if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
else
  tail -n 30 "$work/build.log"
  fail "cpu image build (log above)"
  finish
fi

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image size: $((size / 1000000)) MB ($size bytes, uncompressed; stand-in base $(($(podman image inspect --format '{{.Size}}' "$cc") / 1000000)) MB)"

entrypoint=$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")
label=$(podman image inspect --format '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.accept-bind-to-port"}}' "$image")
envs=$(podman image inspect --format '{{range .Config.Env}}{{.}} {{end}}' "$image")
if [ "$entrypoint" = '["/app/byoc"]' ] && [ "$label" = true ] && [[ "$envs" == *TMPDIR=/tmp* ]] &&
  [[ "$envs" == *LD_LIBRARY_PATH=/opt/ort/lib* ]] && [[ "$envs" == *NODE_ENV=production* ]] &&
  [[ "$envs" == *ORT_DISABLE_TELEMETRY=1* ]] && [[ "$envs" == *MIMALLOC_PURGE_DELAY=1000* ]]; then
  pass "image config: ENTRYPOINT $entrypoint, accept-bind-to-port=$label, env $envs"
else
  fail "image config: ENTRYPOINT $entrypoint, accept-bind-to-port=${label:-missing}, env $envs"
fi
mme_label=$(podman image inspect --format '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.multi-models"}}' "$image")
if [ "$mme_label" = true ]; then
  pass "image label com.amazonaws.sagemaker.capabilities.multi-models=true (multi-model endpoints)"
else
  fail "image label com.amazonaws.sagemaker.capabilities.multi-models is ${mme_label:-missing}, want true"
fi

ctr=$(buildah from --quiet "$image")
version=$(buildah run --isolation chroot "$ctr" -- /app/byoc --version 2>&1)
rc=$?
buildah rm "$ctr" >/dev/null
if [ $rc -eq 0 ] && [[ "$version" == byoc\ * ]]; then pass "byoc --version in the image: $version"; else fail "byoc --version in the image (exit $rc): $version"; fi

# ---- train, then serve what it trained -----------------------------------------------------------
export CONTAINER_RUNTIME=buildah LOCAL_TEST_DIR=$root/local_test TEST_DIR=$work/test_dir
cp -a "$root/local_test/test_dir" "$TEST_DIR"
# shellcheck source=../local_test/common.sh
. "$root/local_test/common.sh"

step "train (local_test/train_local.sh)"
"$root/local_test/train_local.sh" "$image" >"$work/train.log" 2>&1
rc=$?
cat "$work/train.log"
model=demo
if [ $rc -eq 0 ] && [ -n "$(find "$TEST_DIR/model" -type f ! -name .gitkeep)" ]; then
  pass "train exits 0 and writes $(cd "$TEST_DIR/model" && find . -type f ! -name .gitkeep | tr '\n' ' ')"
  model=trained
elif grep -q 'not built yet' "$work/train.log"; then
  echo "SKIP: byoc train is not built yet; serving local_test/make_demo_model.ts's model instead"
else
  fail "train (exit $rc; log above); serving the demo model instead"
fi
if [ "$model" = demo ]; then
  echo "+ bun local_test/make_demo_model.ts $TEST_DIR/model"
  (cd "$root" && "$bun" local_test/make_demo_model.ts "$TEST_DIR/model") || { fail "making the demo model"; finish; }
fi

step "serve (local_test/serve_local.sh), as SageMaker: ENTRYPOINT + serve, test_dir at /opt/ml"
port=
for _ in $(seq 20); do
  p=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p && break; fi
done
export PORT=$port
t0=$(ms)
"$root/local_test/serve_local.sh" "$image" >"$work/serve.log" 2>&1 &
serve_pid=$!
wait_ping "$serve_pid" "$work/ping.body"
t1=$(ms)
byoc=$(byoc_pid "$serve_pid")
if [ "$code" = 200 ] && [ ! -s "$work/ping.body" ]; then
  pass "GET /ping → 200 with an empty body"
  echo "start → first /ping 200: $((t1 - t0)) ms (from launching buildah run on port $port)"
  ready=$(grep -o 'ready in [0-9.]* ms' "$work/serve.log" | head -n 1)
  echo "byoc's own start-up (its log): ${ready:-no 'ready in' line}"
else
  cat "$work/serve.log"
  fail "GET /ping → ${code:-no answer} within 60 s (serve log above)"
  finish
fi

step "POST /invocations: local_test/predict.sh payload.csv text/csv"
payload=$root/local_test/payload.csv
"$root/local_test/predict.sh" "$payload" text/csv >"$work/answer.csv" 2>"$work/predict.err"
rc=$?
cat "$work/predict.err"
head -n 3 "$work/answer.csv"
rows=$(wc -l <"$payload")
# Expected labels: the demo model's petal-length rule, or the true iris labels for a trained model.
if [ "$model" = demo ]; then
  awk -F, '{ print ($3 <= 2.45 ? 0 : ($3 <= 4.85 ? 1 : 2)) }' "$payload" >"$work/expected"
else
  awk -F, 'NR == FNR { label[$2 "," $3 "," $4 "," $5] = $1; next } { print label[$0] }' \
    "$TEST_DIR/input/data/training/iris.csv" "$payload" >"$work/expected"
fi
if [ $rc -eq 0 ] && [ "$(wc -l <"$work/answer.csv")" -eq "$rows" ] && [ "$(tail -c 1 "$work/answer.csv" | od -An -c | tr -d ' ')" = '\n' ]; then
  pass "answer has one line per payload row ($rows), each ending in \\n"
else
  fail "answer (exit $rc) has $(wc -l <"$work/answer.csv") lines for $rows rows, or no final newline"
fi
# Line by line: the first field is the label (outputs in model order: label, then probabilities).
mismatches=$(paste -d '|' "$work/expected" "$work/answer.csv" | awk -F'|' '{ split($2, f, ","); if (f[1] == "" || f[1] + 0 != $1 + 0) printf "line %d: expected label %s, got \"%s\"\n", NR, $1, $2 }')
wrong=$(printf '%s' "$mismatches" | grep -c . || true)
allowed=0
[ "$model" = trained ] && allowed=$((rows / 10)) # a trained model may miss a few training rows
if [ "$wrong" -le "$allowed" ] && [ "$(wc -l <"$work/answer.csv")" -eq "$rows" ]; then
  pass "answers match line by line ($((rows - wrong))/$rows labels as expected from the $model model)"
else
  printf '%s\n' "$mismatches" | head -n 10
  fail "answers match line by line: $wrong of $rows lines differ (allowed $allowed)"
fi

step "SIGTERM to byoc (pid ${byoc:-?}); it must finish and exit 0"
if [ -z "$byoc" ]; then
  fail "no byoc process found under serve_local.sh (pid $serve_pid)"
else
  echo "+ kill -TERM $byoc"
  kill -TERM "$byoc"
  t=$(ms)
  while kill -0 "$serve_pid" 2>/dev/null && [ $(($(ms) - t)) -lt 30000 ]; do sleep 0.05; done
  if kill -0 "$serve_pid" 2>/dev/null; then
    fail "serve still running 30 s after SIGTERM (SageMaker would SIGKILL it)"
  else
    wait "$serve_pid"
    rc=$?
    serve_pid=
    if [ $rc -eq 0 ]; then pass "serve exits 0 on SIGTERM ($(($(ms) - t)) ms)"; else fail "serve exit code $rc on SIGTERM"; fi
  fi
fi
echo "-- serve log (last 15 lines)"
tail -n 15 "$work/serve.log"

# ---- a text pipeline: ONNX Runtime's StringNormalizer constructs en_US.UTF-8, which the image must carry
text_model=skl_pipeline_countvectorizer_mnb_text
step "serve $text_model (skl2onnx CountVectorizer + MultinomialNB; StringNormalizer needs en_US.UTF-8)"
trained_dir=$TEST_DIR
export TEST_DIR=$work/text_dir
mkdir -p "$TEST_DIR/model"
cp "$root/test/fixtures/converters/$text_model.onnx" "$TEST_DIR/model/model.onnx"
# The manifest's sentences as a one-column CSV (quoted where they hold commas) and the labels sklearn gave.
(cd "$root" && "$bun" -e '
  const m = (await Bun.file("test/fixtures/converters/manifest.json").json()).models.find((x) => x.name === process.argv[1])
  const c = m.cases[0]
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replaceAll("\"", "\"\"")}"` : s)
  await Bun.write(process.argv[2], c.records.map((r) => q(r[0]) + "\n").join(""))
  await Bun.write(process.argv[3], c.expected.output_label.values.join("\n") + "\n")
' "$text_model" "$work/text.csv" "$work/text.expected") || fail "reading the text cases from the manifest"
t0=$(ms)
"$root/local_test/serve_local.sh" "$image" >"$work/serve-text.log" 2>&1 &
serve_pid=$!
wait_ping "$serve_pid" "$work/ping.body"
byoc=$(byoc_pid "$serve_pid")
if [ "$code" = 200 ]; then
  pass "text pipeline loads in the image: /ping 200 ($(($(ms) - t0)) ms)"
  curl -s -H 'Content-Type: text/csv' -H 'Accept: text/csv' --data-binary @"$work/text.csv" \
    "http://127.0.0.1:$port/invocations" >"$work/text.answer"
  cut -d, -f1 "$work/text.answer" >"$work/text.labels"
  if cmp -s "$work/text.labels" "$work/text.expected"; then
    pass "text pipeline answers $(wc -l <"$work/text.expected") sentences with scikit-learn's labels"
  else
    paste -d '|' "$work/text.expected" "$work/text.answer" | head -n 10
    fail "text pipeline labels differ from scikit-learn's (expected|answer above)"
  fi
else
  tail -n 20 "$work/serve-text.log"
  fail "text pipeline: /ping ${code:-no answer} within 60 s (log above)"
fi
if [ -n "$byoc" ]; then kill -TERM "$byoc"; fi
wait "$serve_pid" 2>/dev/null
serve_pid=
export TEST_DIR=$trained_dir
# ---- a handler shipped in model.tar.gz: code/handler.ts and its vendored decoder ---------------------
step "handler: examples/image-png in model.tar.gz (code/handler.ts, code/node_modules/pngjs), image/png in"
handler_ml=$work/handler_ml
mkdir -p "$handler_ml/model" "$work/handler_pkg/code/node_modules"
cp -a "$root/examples/image-png/code/." "$work/handler_pkg/code/"
cp -a "$root/node_modules/pngjs" "$work/handler_pkg/code/node_modules/"
cat >"$work/handler_fixture.ts" <<EOF
import { PNG } from '$root/node_modules/pngjs/lib/png.js'
import { colourModel } from '$root/test/fixtures/handler-models.ts'
await Bun.write('$work/handler_pkg/model.onnx', colourModel())
const image = new PNG({ width: 24, height: 16 })
for (let i = 0; i < 24 * 16; i++) image.data.set([30, 200, 40, 255], i * 4)
await Bun.write('$work/green.png', PNG.sync.write(image))
EOF
if (cd "$root" && "$bun" "$work/handler_fixture.ts") && tar -czf "$handler_ml/model/model.tar.gz" -C "$work/handler_pkg" model.onnx code; then
  port=$((port + 1))
  t0=$(ms)
  TEST_DIR=$handler_ml PORT=$port "$root/local_test/serve_local.sh" "$image" >"$work/handler-serve.log" 2>&1 &
  serve_pid=$!
  wait_ping "$serve_pid"
  byoc=$(byoc_pid "$serve_pid")
  answer=$(curl -sS --data-binary "@$work/green.png" -H 'Content-Type: image/png' "http://127.0.0.1:$port/invocations")
  if [ "$code" = 200 ] && [[ "$answer" == '{"label":"green",'* ]]; then
    pass "a PNG decoded by the handler from model.tar.gz is answered: $answer"
  else
    tail -n 20 "$work/handler-serve.log"
    fail "handler in model.tar.gz: /ping ${code:-no answer}, answer ${answer:-none} (log above)"
  fi
  if grep -q 'handler hooks: decode, postprocess' "$work/handler-serve.log"; then pass "the log names the handler's hooks"; else fail "no 'handler hooks' line in the serve log"; fi
  # The image's own checker (/app/typescript) ran on the handler extracted from model.tar.gz.
  checked=$(grep -o 'handler [^ ]*code/handler\.ts type-checked in [0-9]* ms' "$work/handler-serve.log")
  if [ -n "$checked" ]; then pass "the image type-checks the handler: $checked"; else fail "no 'type-checked' line in the handler serve log"; fi
  [ -n "$byoc" ] && kill -TERM "$byoc"
  wait "$serve_pid"
  serve_pid=
else
  fail "could not make the handler model ($bun $work/handler_fixture.ts, tar)"
fi

step "multi-model endpoint: SAGEMAKER_MULTI_MODEL=true, local_test/mme_predict.sh (load two, invoke each, unload one)"
port=$((port + 1))
RUN_ENV=SAGEMAKER_MULTI_MODEL=true PORT=$port "$root/local_test/serve_local.sh" "$image" >"$work/mme.log" 2>&1 &
serve_pid=$!
t0=$(ms)
wait_ping "$serve_pid"
PORT=$port "$root/local_test/mme_predict.sh" "$payload" >"$work/mme.out" 2>"$work/mme.err"
rc=$?
names=$(grep -c '^setosa,' "$work/mme.out" || true)
if [ "$code" = 200 ] && [ $rc -eq 0 ] && [ "$names" -gt 0 ] && grep -q '"models":\[{"modelName":"iris-names"' "$work/mme.out" &&
  grep -q 'model iris-numbers unloaded' "$work/mme.out"; then
  pass "multi-model endpoint in the image: two models loaded, each invoked (the named one answers class names), one unloaded"
else
  cat "$work/mme.err" "$work/mme.out" "$work/mme.log"
  fail "multi-model endpoint in the image (/ping ${code:-no answer}, mme_predict.sh exit $rc; output and log above)"
fi
mme_byoc=$(byoc_pid "$serve_pid")
if [ -z "$mme_byoc" ]; then
  fail "no byoc process found under serve_local.sh (pid $serve_pid) for the multi-model endpoint"
else
  kill -TERM "$mme_byoc"
  wait "$serve_pid"
  rc=$?
  serve_pid=
  if [ $rc -eq 0 ]; then pass "multi-model serve exits 0 on SIGTERM"; else fail "multi-model serve exit code $rc on SIGTERM"; fi
fi


# ---- serverless-like: non-root uid, read-only root filesystem, 1 GiB memory limit ----------------
# Serverless endpoints may run the image as a non-root user with 1-6 GB of memory. buildah has no
# --read-only: every top-level folder of the image is bind-mounted read-only over itself instead, so
# only /tmp (TMPDIR, a tmpfs here) and what is mounted at /opt/ml can be written.
uid=12345:12345
step "non-root (uid $uid), read-only root, 1 GiB memory cgroup: train, then serve what it trained"
lock_ctr=$(buildah from --quiet "$image")
lock_root=$(buildah mount "$lock_ctr")
readonly_mounts=(--mount type=tmpfs,destination=/tmp)
for d in "$lock_root"/* "$lock_root"/opt/*; do
  rel=${d#"$lock_root"}
  case "$rel" in /tmp | /proc | /sys | /dev | /opt | /opt/ml) continue ;; esac
  [ -d "$d" ] && [ ! -L "$d" ] && readonly_mounts+=(-v "$d:$rel:ro")
done
echo "read-only: $(printf '%s\n' "${readonly_mounts[@]}" | sed -n 's/^.*:\(\/[^:]*\):ro$/\1/p' | tr '\n' ' ')"

# A memory cgroup below this process's own (v2 memory.max or v1 memory.limit_in_bytes).
memory_cg= memory_limit=$((1024 * 1024 * 1024))
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  memory_cg=/sys/fs/cgroup$own/byoc-container-test-$$
  mkdir "$memory_cg" 2>/dev/null && echo "$memory_limit" >"$memory_cg/memory.max" 2>/dev/null || memory_cg=
elif [ -d /sys/fs/cgroup/memory ]; then
  own=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
  memory_cg=/sys/fs/cgroup/memory$own/byoc-container-test-$$
  mkdir "$memory_cg" 2>/dev/null && echo "$memory_limit" >"$memory_cg/memory.limit_in_bytes" 2>/dev/null || memory_cg=
fi
[ -n "$memory_cg" ] && echo "memory cgroup $memory_cg: limit $memory_limit bytes" || echo "no memory cgroup could be made here: measuring peak memory instead"
peak_memory() {
  if [ -z "$memory_cg" ]; then echo "${measured_peak:-0}"
  elif [ -f "$memory_cg/memory.peak" ]; then cat "$memory_cg/memory.peak"
  else cat "$memory_cg/memory.max_usage_in_bytes"; fi
}
# run_locked VERB LOG [buildah run options...]: in the background; sets locked_pid.
run_locked() {
  local verb=$1 log=$2
  shift 2
  # buildah bind-mounts these files itself (and removes some after each run): their mount points must
  # exist before /etc and /run turn read-only.
  mkdir -p "$lock_root/etc" "$lock_root/run"
  touch "$lock_root/etc/hostname" "$lock_root/etc/hosts" "$lock_root/etc/resolv.conf" "$lock_root/run/.containerenv"
  (
    [ -n "$memory_cg" ] && echo "$BASHPID" >"$memory_cg/cgroup.procs"
    exec buildah run --isolation chroot --user "$uid" "${readonly_mounts[@]}" "$@" "$lock_ctr" -- /app/byoc "$verb"
  ) >"$log" 2>&1 &
  locked_pid=$!
}

locked_dir=$work/locked
cp -a "$root/local_test/test_dir" "$locked_dir"
rm -rf "$locked_dir/model" "$locked_dir/output" && mkdir -p "$locked_dir/model" "$locked_dir/output"
chmod -R a+rX "$locked_dir" && chmod 0777 "$locked_dir/model" "$locked_dir/output"
echo "+ buildah run --isolation chroot --user $uid (read-only mounts) -v $locked_dir:/opt/ml $lock_ctr -- /app/byoc train"
run_locked train "$work/locked-train.log" -v "$locked_dir:/opt/ml"
wait "$locked_pid"
rc=$?
tail -n 5 "$work/locked-train.log"
if [ $rc -eq 0 ] && [ -s "$locked_dir/model/model.onnx" ]; then
  pass "train as uid $uid with a read-only root: exit 0, wrote $(cd "$locked_dir/model" && ls | tr '\n' ' ')"
else
  fail "train as uid $uid with a read-only root (exit $rc; log above)"
fi

port=$((port + 1))
# A TypeScript handler beside the trained model (load() only: requests keep byoc's own path), so the type
# check, a child process writing its scratch files under TMPDIR, runs as this uid with a read-only root.
mkdir -p "$locked_dir/model/code"
cat >"$locked_dir/model/code/handler.ts" <<'HANDLER'
import type { ModelContext } from 'byoc'
export function load(ctx: ModelContext): void {
  ctx.log.info(`handler loaded in worker ${ctx.worker}`)
}
HANDLER
chmod -R a+rX "$locked_dir/model"
# Serve: the model folder read-only too, as SageMaker mounts it; /opt/ml/output stays writable.
echo "+ buildah run --isolation chroot --user $uid (read-only mounts) -v $locked_dir:/opt/ml -v $locked_dir/model:/opt/ml/model:ro $lock_ctr -- /app/byoc serve"
run_locked serve "$work/locked-serve.log" -v "$locked_dir:/opt/ml" -v "$locked_dir/model:/opt/ml/model:ro" \
  -e "SAGEMAKER_BIND_TO_PORT=$port" -e SAGEMAKER_MAX_PAYLOAD_IN_MB=50 -e MODEL_SERVER_WORKERS=2
t0=$(ms)
wait_ping "$locked_pid"
byoc=$(byoc_pid "$locked_pid")
if [ "$code" = 200 ]; then
  pass "serve as uid $uid with a read-only root: /ping 200 after $(($(ms) - t0)) ms"
  who=$(awk '/^Uid:/ { print $2 }' "/proc/$byoc/status" 2>/dev/null)
  if [ -n "$who" ] && [ "$who" != 0 ]; then pass "byoc runs as uid $who"; else fail "byoc's uid is ${who:-unknown}, not ${uid%%:*}"; fi
  checked=$(grep -o 'handler [^ ]*code/handler\.ts type-checked in [0-9]* ms' "$work/locked-serve.log")
  if [ -n "$checked" ]; then pass "non-root, read-only root: $checked"; else fail "non-root: no 'type-checked' line in the serve log"; fi
  answer=$(curl -sS --fail-with-body --data-binary "@$payload" -H 'Content-Type: text/csv' "http://127.0.0.1:$port/invocations")
  if [ "$(printf '%s\n' "$answer" | wc -l)" -eq "$rows" ]; then pass "non-root answers $rows lines for $rows rows"; else fail "non-root answer: $(printf '%s' "$answer" | head -c 300)"; fi
  params=$(curl -sS "http://127.0.0.1:$port/execution-parameters")
  # 50 MB payloads x 10 bytes held per payload byte leave room for one transform in half of 1 GiB;
  # without the limit this machine's memory would allow both workers (2).
  if [ -z "$memory_cg" ]; then
    echo "execution-parameters without a memory limit: $params"
  elif [[ "$params" == *'"MaxConcurrentTransforms":1,'* ]]; then
    pass "/execution-parameters under the 1 GiB limit: $params"
  else
    fail "/execution-parameters does not reflect the 1 GiB limit: $params"
  fi
  measured_peak=$(($(awk '/^VmHWM:/ { print $2 }' "/proc/$byoc/status" 2>/dev/null || echo 0) * 1024))
  kill -TERM "$byoc"
else
  cat "$work/locked-serve.log"
  fail "serve as uid $uid with a read-only root: /ping ${code:-no answer} within 60 s (log above)"
  [ -n "$byoc" ] && kill -KILL "$byoc"
fi
wait "$locked_pid"
rc=$?
if [ "$code" = 200 ]; then
  if [ $rc -eq 0 ]; then pass "non-root serve exits 0 on SIGTERM"; else fail "non-root serve exit $rc on SIGTERM"; fi
fi
tail -n 4 "$work/locked-serve.log"
if grep -qi 'read-only\|EROFS\|permission denied\|EACCES' "$work/locked-serve.log" "$work/locked-train.log"; then
  fail "a write outside TMPDIR or /opt/ml was refused (see the logs above)"
fi
peak=$(peak_memory)
if [ "$peak" -gt 0 ] && [ "$peak" -lt "$memory_limit" ]; then
  pass "peak memory $((peak / 1048576)) MiB (train, then serve with 2 workers) within the 1 GiB limit"
else
  fail "peak memory ${peak:-?} bytes, limit $memory_limit"
fi
buildah umount "$lock_ctr" >/dev/null
buildah rm "$lock_ctr" >/dev/null
lock_ctr=
[ -n "$memory_cg" ] && rmdir "$memory_cg" 2>/dev/null

finish
