#!/bin/sh
# Serves the model in test_dir/model locally, as a SageMaker endpoint does: `docker run IMAGE serve`,
# listening on PORT (8080). Stop it with Ctrl-C (the server gets SIGTERM and exits 0).
# Usage: local_test/serve_local.sh IMAGE   (environment: see common.sh)
set -u
. "$(dirname "$0")/common.sh"
image=${1:?usage: serve_local.sh IMAGE}

run_image "$image" serve
