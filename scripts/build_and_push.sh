#!/usr/bin/env bash
# Builds the image and pushes it to Amazon ECR as ACCOUNT.dkr.ecr.REGION.amazonaws.com/IMAGE:TAG,
# creating the repository when it is missing.
#
#   scripts/build_and_push.sh IMAGE [TAG] [--gpu]
#     IMAGE  ECR repository name, e.g. byoc (lowercase letters, digits, . _ - /)
#     TAG    default: latest (cpu target) or latest-gpu (--gpu)
#     --gpu  build the gpu target (CUDA 12 + cuDNN 9; BUILD_ARGS="--build-arg CUDA_MAJOR=13" for CUDA 13)
#
# Region: AWS_REGION, else AWS_DEFAULT_REGION, else `aws configure get region` (the CLI profile).
# Account: `aws sts get-caller-identity` with the CLI's credentials (AWS_PROFILE etc.).
# Builder: docker, or podman when there is no docker engine (override with CONTAINER_TOOL=...).
# Extra build options (e.g. a mirror of a base image): BUILD_ARGS="--build-arg CUDA12_IMAGE=..."
set -euo pipefail

usage() { echo "usage: $0 IMAGE [TAG] [--gpu]" >&2; exit 2; }
die() { echo "error: $*" >&2; exit 1; }
show() { printf '+ %s\n' "$*" >&2; "$@"; }

target=cpu
positional=()
for arg in "$@"; do
  case "$arg" in
    --gpu) target=gpu ;;
    -h | --help) usage ;;
    -*) echo "unknown option $arg" >&2; usage ;;
    *) positional+=("$arg") ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && [ ${#positional[@]} -le 2 ] || usage
image=${positional[0]}
tag=${positional[1]:-$([ "$target" = gpu ] && echo latest-gpu || echo latest)}
[[ "$image" =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] ||
  die "IMAGE \"$image\" is not a valid ECR repository name (lowercase letters, digits and . _ - / between them)"
root=$(cd "$(dirname "$0")/.." && pwd)

command -v aws >/dev/null ||
  die "the AWS CLI (aws) is not installed: see https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"
tool=${CONTAINER_TOOL:-}
if [ -z "$tool" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then tool=docker
  elif command -v podman >/dev/null; then tool=podman
  else die "no docker engine answers (docker info) and podman is not installed"
  fi
fi

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
[ -n "$region" ] || die "no AWS region: set AWS_REGION or run 'aws configure set region REGION'"
if ! account=$(aws sts get-caller-identity --query Account --output text 2>&1); then
  die "no usable AWS credentials (aws sts get-caller-identity said: $account); run 'aws configure' or set AWS_PROFILE"
fi
suffix=amazonaws.com
[[ "$region" == cn-* ]] && suffix=amazonaws.com.cn
registry=$account.dkr.ecr.$region.$suffix
fullname=$registry/$image:$tag
echo "building the $target target as $fullname" >&2

# SageMaker instances are x86_64 and the build copies onnxruntime-node's linux/x64 binaries.
# shellcheck disable=SC2086 # BUILD_ARGS is a list of options
show "$tool" build --platform linux/amd64 --target "$target" ${BUILD_ARGS:-} -t "$image:$tag" "$root"

if ! aws ecr describe-repositories --region "$region" --repository-names "$image" >/dev/null 2>&1; then
  show aws ecr create-repository --region "$region" --repository-name "$image" \
    --image-scanning-configuration scanOnPush=true >/dev/null
fi
printf '+ aws ecr get-login-password --region %s | %s login --username AWS --password-stdin %s\n' "$region" "$tool" "$registry" >&2
aws ecr get-login-password --region "$region" | "$tool" login --username AWS --password-stdin "$registry"
show "$tool" tag "$image:$tag" "$fullname"
show "$tool" push "$fullname"
echo "pushed $fullname"
