#!/bin/sh
# A multi-model endpoint walk-through against a server started with SAGEMAKER_MULTI_MODEL=true:
# lays two models out as SageMaker does (test_dir/models/<name>/model, copies of test_dir/model), loads
# both, invokes each with PAYLOAD, unloads one, and lists what is left.
#
#   RUN_ENV=SAGEMAKER_MULTI_MODEL=true local_test/serve_local.sh IMAGE &   # or, without an image:
#   SAGEMAKER_MULTI_MODEL=true BYOC_ML_ROOT=local_test/test_dir dist/byoc serve &
#   local_test/mme_predict.sh local_test/payload.csv
#
# The second model gets a byoc.json of its own (class names), so the two answer differently.
# Exits non-zero on the first call answered with an error.
set -eu
. "$(dirname "$0")/common.sh"
payload=${1:?usage: mme_predict.sh PAYLOAD}
base="http://127.0.0.1:$PORT"
[ -f "$TEST_DIR/model/model.onnx" ] || {
  echo "error: $TEST_DIR/model/model.onnx is missing: run train_local.sh or bun local_test/make_demo_model.ts" >&2
  exit 1
}
for name in iris-numbers iris-names; do
  mkdir -p "$TEST_DIR/models/$name/model"
  cp "$TEST_DIR/model/model.onnx" "$TEST_DIR/models/$name/model/model.onnx"
done
printf '{"classLabels": ["setosa", "versicolor", "virginica"]}\n' >"$TEST_DIR/models/iris-names/model/byoc.json"

call() {
  printf '+ curl %s\n' "$*" >&2
  curl -sS --fail-with-body "$@"
  echo
}
for name in iris-numbers iris-names; do
  # SageMaker sends the url as it sees it inside the container: /opt/ml/models/<name>/model.
  call -X POST -H 'Content-Type: application/json' -H "X-Amzn-SageMaker-Target-Model: $name.tar.gz" \
    --data "{\"model_name\": \"$name\", \"url\": \"/opt/ml/models/$name/model\"}" "$base/models"
done
call "$base/models"
for name in iris-numbers iris-names; do
  call -X POST -H 'Content-Type: text/csv' -H 'Accept: text/csv' --data-binary "@$payload" "$base/models/$name/invoke"
done
call -X DELETE "$base/models/iris-numbers"
call "$base/models"
