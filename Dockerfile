# byoc: one image for SageMaker endpoints, batch transform and training jobs (docs/container.md).
#
#   docker build -t byoc .                         # cpu target (the default: last stage)
#   docker build --target gpu -t byoc:gpu .        # CUDA 12 + cuDNN 9, for ml.g* / ml.p* instances
#
# Every base image is a build argument with a public default, so a mirror or a local stand-in can
# replace it (scripts/container-test.sh builds this file with debootstrapped bases).
# Keep BUN_IMAGE's version equal to the "bun" devDependency in package.json.
ARG BUN_IMAGE=oven/bun:1.4.5
ARG CPU_BASE_IMAGE=gcr.io/distroless/cc-debian12
ARG CUDA_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

# ---- deps: node_modules from the lockfile (its own stage, so cuda-libs does not rebuild on src changes)
FROM ${BUN_IMAGE} AS deps
# CA bundle of a TLS-intercepting proxy, if the build network has one (path inside the build).
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
COPY package.json bun.lock bunfig.toml ./
# --production: the image's own bun compiles; the devDependencies (bun, typescript) are not needed.
# bun does not run onnxruntime-node's postinstall, so only its bundled CPU binaries are present.
RUN bun install --frozen-lockfile --production

# ---- build: compile dist/byoc and copy dist/libonnxruntime.so.1 beside it -------------------------
FROM deps AS build
COPY tsconfig.json ./
COPY scripts/build.ts scripts/
COPY src/ src/
RUN bun run build && ./dist/byoc --version

# ---- cuda-libs: ONNX Runtime's CUDA execution provider and the list of libraries it links ----------
FROM deps AS cuda-libs
ARG NODE_EXTRA_CA_CERTS
RUN apt-get update && apt-get install -y --no-install-recommends binutils && rm -rf /var/lib/apt/lists/*
# The provider libraries are too big for npm; the package's install script fetches them from NuGet.
RUN cd node_modules/onnxruntime-node && bun script/install.js --onnxruntime-node-install=cuda12
# ONNX Runtime loads provider libraries from the folder libonnxruntime.so.1 was loaded from, so they
# share one folder. TensorRT's provider is left out: the image has no TensorRT runtime.
RUN mkdir -p /opt/ort/lib \
 && cd node_modules/onnxruntime-node/bin/napi-v6/linux/x64 \
 && cp libonnxruntime.so.1 libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so /opt/ort/lib/ \
 && objdump -p /opt/ort/lib/libonnxruntime_providers_cuda.so | grep NEEDED | tee /opt/ort/cuda-needed.txt

# ---- gpu: nvidia-docker compatible; the host supplies the driver (none bundled) ---------------------
FROM ${CUDA_IMAGE} AS gpu
COPY --from=cuda-libs /opt/ort/ /opt/ort/
# Fail the build when the CUDA provider links another CUDA major than this base image provides (ORT
# releases have moved from CUDA 12 to 13 under the same "cuda12" name), or needs a library the image
# lacks. libcuda.so.1 is the driver's: the NVIDIA container runtime mounts it at run time.
RUN needed=$(sed -n 's/^[[:space:]]*NEEDED[[:space:]]*//p' /opt/ort/cuda-needed.txt); \
    need=$(echo "$needed" | sed -n 's/^libcudart\.so\.\([0-9][0-9]*\)$/\1/p'); \
    have=$(ldconfig -p | sed -n 's/^[[:space:]]*libcudart\.so\.\([0-9][0-9]*\) .*/\1/p' | head -n 1); \
    echo "CUDA check: provider needs libcudart.so.${need:-?}; base image (CUDA ${CUDA_VERSION:-?}) has libcudart.so.${have:-?}"; \
    if [ -z "$need" ]; then echo "CUDA check failed: libonnxruntime_providers_cuda.so does not link libcudart ($needed)" >&2; exit 1; fi; \
    if [ "$need" != "$have" ]; then echo "CUDA check failed: ONNX Runtime's CUDA provider needs CUDA $need but CUDA_IMAGE provides CUDA ${have:-none}; pick a CUDA $need base image (--build-arg CUDA_IMAGE=...) or another onnxruntime-node version" >&2; exit 1; fi; \
    missing=; \
    for lib in $needed; do \
      case "$lib" in libcuda.so.*) continue ;; esac; \
      [ -e "/opt/ort/lib/$lib" ] || ldconfig -p | grep -q "^[[:space:]]*$lib " || missing="$missing $lib"; \
    done; \
    if [ -n "$missing" ]; then echo "CUDA check failed: CUDA_IMAGE lacks libraries the CUDA provider needs:$missing" >&2; exit 1; fi; \
    echo "CUDA check passed"
COPY --from=build /src/dist/byoc /app/byoc
ENV LD_LIBRARY_PATH=/opt/ort/lib:/usr/local/nvidia/lib:/usr/local/nvidia/lib64 \
    TMPDIR=/tmp \
    NODE_ENV=production \
    ORT_DISABLE_TELEMETRY=1 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
EXPOSE 8080
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
ENTRYPOINT ["/app/byoc"]

# ---- cpu (default): glibc, libstdc++, the executable and the ONNX Runtime library, nothing else ----
FROM ${CPU_BASE_IMAGE} AS cpu
# The library (46 MB) changes less often than the executable: its layer goes first.
COPY --from=build /src/dist/libonnxruntime.so.1 /opt/ort/lib/libonnxruntime.so.1
COPY --from=build /src/dist/byoc /app/byoc
# TMPDIR must be writable: the executable extracts the ONNX Runtime addon there at start.
# ORT_DISABLE_TELEMETRY: ONNX Runtime 1.30's Linux build otherwise starts a telemetry client with a
# built-in Microsoft collector URL; a model server in a customer's VPC should not phone home.
ENV LD_LIBRARY_PATH=/opt/ort/lib \
    TMPDIR=/tmp \
    NODE_ENV=production \
    ORT_DISABLE_TELEMETRY=1
EXPOSE 8080
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
ENTRYPOINT ["/app/byoc"]
