#!/bin/sh
# Sends a payload to the server that serve_local.sh started and prints the answer.
# Usage: local_test/predict.sh PAYLOAD [CONTENT_TYPE] [ACCEPT]
#   PAYLOAD       file to POST to /invocations (e.g. local_test/payload.csv)
#   CONTENT_TYPE  default text/csv
#   ACCEPT        default: none sent, so the server answers in CONTENT_TYPE (SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT)
# Exits non-zero when the server answers an error (its message is still printed).
set -u
payload=${1:?usage: predict.sh PAYLOAD [CONTENT_TYPE] [ACCEPT]}
content=${2:-text/csv}
accept=${3:-}
url="http://127.0.0.1:${PORT:-8080}/invocations"

set -- -sS --fail-with-body --data-binary "@$payload" -H "Content-Type: $content"
[ -n "$accept" ] && set -- "$@" -H "Accept: $accept"
printf '+ curl %s %s\n' "$*" "$url" >&2
curl "$@" "$url"
