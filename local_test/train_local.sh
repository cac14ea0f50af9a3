#!/bin/sh
# Runs a training job locally, as SageMaker does: `docker run -v test_dir:/opt/ml IMAGE train`.
# The model lands in test_dir/model, a failure reason in test_dir/output/failure.
# Usage: local_test/train_local.sh IMAGE   (environment: see common.sh)
set -u
. "$(dirname "$0")/common.sh"
image=${1:?usage: train_local.sh IMAGE}

mkdir -p "$TEST_DIR/model" "$TEST_DIR/output"
# Start from an empty model/ and output/, as a new training job does (keeps .gitkeep).
find "$TEST_DIR/model" "$TEST_DIR/output" -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +

run_image "$image" train
rc=$?
echo "train exited with $rc" >&2
[ -f "$TEST_DIR/output/failure" ] && { echo "output/failure:" >&2; cat "$TEST_DIR/output/failure" >&2; }
exit "$rc"
