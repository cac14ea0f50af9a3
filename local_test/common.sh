# shellcheck shell=sh
# Sourced by the local_test scripts: picks the container tool and runs the image the way SageMaker does
# (`docker run -v test_dir:/opt/ml IMAGE serve|train`), printing every command it runs.
#
# Environment:
#   CONTAINER_RUNTIME  docker | podman | buildah; default: docker when its engine answers, else podman,
#                      else buildah
#   TEST_DIR           the folder mounted at /opt/ml (default: local_test/test_dir)
#   PORT               host port of the server (default 8080); another value is also handed to the
#                      container as SAGEMAKER_BIND_TO_PORT, as SageMaker does for inference pipelines
#   GPUS               e.g. "all": pass GPUs through (docker --gpus, podman CDI nvidia.com/gpu)
#   RUN_ENV            extra "NAME=value" pairs for the container, space separated (e.g. "BYOC_DEVICE=cuda")

LOCAL_TEST_DIR=${LOCAL_TEST_DIR:-$(cd "$(dirname "$0")" && pwd)}
TEST_DIR=${TEST_DIR:-$LOCAL_TEST_DIR/test_dir}
# docker -v needs an absolute path (a relative one would name a volume).
if [ -d "$TEST_DIR" ]; then TEST_DIR=$(cd "$TEST_DIR" && pwd); fi
PORT=${PORT:-8080}

# Prints a command (to stderr, so stdout stays the command's own) and runs it.
show() {
  printf '+ %s\n' "$*" >&2
  "$@"
}

container_runtime() {
  if [ -n "${CONTAINER_RUNTIME:-}" ]; then
    echo "$CONTAINER_RUNTIME"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo docker
  elif command -v podman >/dev/null 2>&1; then
    echo podman
  elif command -v buildah >/dev/null 2>&1; then
    echo buildah
  else
    echo 'error: no container tool found: install Docker (or podman/buildah), or set CONTAINER_RUNTIME' >&2
    return 1
  fi
}

# The byoc process started under ROOT_PID (the buildah process): the topmost process named byoc, i.e. the
# one `docker stop` would signal. buildah does not forward signals, so we signal byoc ourselves.
byoc_pid() {
  ps -e -o pid= -o ppid= -o comm= | awk -v root="$1" '
    { pid[NR] = $1; parent[NR] = $2; name[$1] = $3; n = NR }
    END {
      inside[root] = 1
      for (grew = 1; grew; ) {
        grew = 0
        for (i = 1; i <= n; i++) if (!(pid[i] in inside) && (parent[i] in inside)) { inside[pid[i]] = 1; grew = 1 }
      }
      for (i = 1; i <= n; i++)
        if (name[pid[i]] == "byoc" && (pid[i] in inside) && name[parent[i]] != "byoc") { print pid[i]; exit }
    }'
}

# run_image IMAGE VERB: runs the image's ENTRYPOINT with VERB, test_dir mounted at /opt/ml; returns its
# exit code. VERB serve also publishes PORT.
run_image() {
  image=$1
  verb=$2
  runtime=$(container_runtime) || return 1
  set -- -v "$TEST_DIR:/opt/ml"
  for kv in ${RUN_ENV:-}; do set -- "$@" -e "$kv"; done
  if [ "$verb" = serve ] && [ "$PORT" != 8080 ]; then set -- "$@" -e "SAGEMAKER_BIND_TO_PORT=$PORT"; fi
  case "$runtime" in
    docker | podman)
      if [ "$verb" = serve ]; then set -- "$@" -p "$PORT:$PORT"; fi
      if [ -n "${GPUS:-}" ]; then
        if [ "$runtime" = docker ]; then set -- "$@" --gpus "$GPUS"; else set -- "$@" --device "nvidia.com/gpu=$GPUS"; fi
      fi
      show "$runtime" run --rm "$@" "$image" "$verb"
      ;;
    buildah)
      # buildah run ignores ENTRYPOINT, shares the host network (no -p needed) and does not forward
      # signals: read the entrypoint from the image and forward SIGTERM/SIGINT to byoc as docker would.
      ctr=$(buildah from --quiet "$image") || return 1
      entrypoint=$(buildah inspect --type container --format '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}' "$ctr")
      # Not through show(): $! must be buildah's own pid, not a subshell's, for byoc_pid to find byoc.
      printf '+ %s\n' "buildah run --isolation chroot $* $ctr -- $entrypoint$verb" >&2
      # shellcheck disable=SC2086 # entrypoint words hold no spaces (exec form, ["/app/byoc"])
      buildah run --isolation chroot "$@" "$ctr" -- $entrypoint "$verb" &
      run_pid=$!
      trap 'forward_signal TERM' TERM
      trap 'forward_signal INT' INT
      while :; do
        wait "$run_pid"
        rc=$?
        kill -0 "$run_pid" 2>/dev/null || break
      done
      trap - TERM INT
      buildah rm "$ctr" >/dev/null
      return "$rc"
      ;;
    *)
      echo "error: CONTAINER_RUNTIME=$runtime: use docker, podman or buildah" >&2
      return 1
      ;;
  esac
}

forward_signal() {
  target=$(byoc_pid "$run_pid")
  if [ -n "$target" ]; then
    echo "forwarding SIG$1 to byoc (pid $target)" >&2
    kill -TERM "$target"
  fi
}
