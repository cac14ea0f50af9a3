#!/bin/sh
# The gpu image's CUDA check, run by the Dockerfile in two steps (and by test/dockerfile.test.ts against
# fake objdump/ldconfig output):
#
#   cuda-check.sh needed PROVIDER_LIB OUT     (build stage with binutils) writes PROVIDER_LIB's NEEDED
#                                             libraries to OUT, one per line
#   cuda-check.sh check NEEDED MAJOR LIBDIR   (the CUDA base image) fails unless the provider links
#                                             libcudart.so.MAJOR, the base image's CUDA runtime is that
#                                             major, and every NEEDED library is in LIBDIR or the
#                                             loader cache (ldconfig -p)
#
# ONNX Runtime has shipped CUDA 13 under the name "cuda12" (NuGet and npm from 1.27 on): a provider
# that links another CUDA major than the base image provides loads nowhere, so the build must stop.
# libcuda.so.1 is the host driver's, mounted by the NVIDIA container runtime: never in the image.
set -eu

case "${1:-}" in
needed)
  lib=$2 out=$3
  objdump -p "$lib" >"$out.objdump"
  sed -n 's/^[[:space:]]*NEEDED[[:space:]]*//p' "$out.objdump" >"$out"
  rm -f "$out.objdump"
  if [ ! -s "$out" ]; then
    echo "CUDA check failed: objdump -p $lib lists no NEEDED libraries" >&2
    exit 1
  fi
  echo "NEEDED by $lib:" $(cat "$out")
  ;;
check)
  needed=$(cat "$2") major=$3 libdir=$4
  cache=$(ldconfig -p)
  need=$(printf '%s\n' "$needed" | sed -n 's/^libcudart\.so\.\([0-9][0-9]*\)$/\1/p' | head -n 1)
  have=$(printf '%s\n' "$cache" | sed -n 's/^[[:space:]]*libcudart\.so\.\([0-9][0-9]*\) .*/\1/p' | head -n 1)
  echo "CUDA check: provider needs libcudart.so.${need:-?}; base image (CUDA ${CUDA_VERSION:-?}) has libcudart.so.${have:-?}; CUDA_MAJOR=$major"
  if [ -z "$need" ]; then
    echo "CUDA check failed: the CUDA provider does not link libcudart (NEEDED:" $needed")" >&2
    exit 1
  fi
  if [ "$need" != "$major" ]; then
    echo "CUDA check failed: the CUDA provider links CUDA $need but this is the CUDA_MAJOR=$major build; the ONNX Runtime package for CUDA $major has changed: use the CUDA $need variant (--build-arg CUDA_MAJOR=$need) or pin another ONNX Runtime" >&2
    exit 1
  fi
  if [ "$need" != "$have" ]; then
    echo "CUDA check failed: the CUDA provider needs CUDA $need but the base image provides CUDA ${have:-none}; pick a CUDA $need base (CUDA${need}_IMAGE=nvidia/cuda:$need.x-cudnn-runtime-...)" >&2
    exit 1
  fi
  missing=
  for lib in $needed; do
    case "$lib" in libcuda.so.*) continue ;; esac
    [ -e "$libdir/$lib" ] || printf '%s\n' "$cache" | grep -q "^[[:space:]]*$lib " || missing="$missing $lib"
  done
  if [ -n "$missing" ]; then
    echo "CUDA check failed: the base image lacks libraries the CUDA provider needs:$missing" >&2
    exit 1
  fi
  echo "CUDA check passed"
  ;;
*)
  echo "usage: cuda-check.sh needed PROVIDER_LIB OUT | check NEEDED_FILE MAJOR LIBDIR" >&2
  exit 2
  ;;
esac
