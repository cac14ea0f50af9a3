# byoc: one image for SageMaker endpoints, batch transform and training jobs (docs/container.md).
#
#   docker build -t byoc .                                             # cpu (the default: last stage)
#   docker build --target gpu -t byoc:gpu .                            # CUDA 12, ONNX Runtime's cuda12 build
#   docker build --target gpu --build-arg CUDA_MAJOR=13 -t byoc:gpu13 .  # CUDA 13 (driver >= 580)
#
# Every base image is a build argument with a public default, so a mirror or a local stand-in can
# replace it (scripts/container-test.sh builds this file with debootstrapped bases).
# Keep BUN_IMAGE's version equal to the "bun" devDependency in package.json, and the ONNX Runtime
# release below equal to the onnxruntime-node version (the build checks it).
ARG BUN_IMAGE=oven/bun:1.4.5
ARG CPU_BASE_IMAGE=gcr.io/distroless/cc-debian12
# 12 (default) or 13: which CUDA major the gpu target's ONNX Runtime links (docs/container.md, GPU notes).
ARG CUDA_MAJOR=12
ARG CUDA12_IMAGE=nvidia/cuda:12.9.1-cudnn-runtime-ubuntu24.04
ARG CUDA13_IMAGE=nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04
# ONNX Runtime's own CUDA 12 build. The npm/NuGet "cuda12" packages link CUDA 13 since 1.27. The digest
# is the one GitHub lists for the release asset, as pinned by two unrelated public projects; it could
# not be fetched from here to confirm. Override both for a mirror.
ARG ORT_CUDA12_URL=https://github.com/microsoft/onnxruntime/releases/download/v1.30.0/onnxruntime-linux-x64-gpu_cuda12-1.30.0.tgz
ARG ORT_CUDA12_SHA256=f9886932ee7bb0b4d3fcab736a392d4ff5efaa0672b47f19f0cec03437cf64f1

# ---- deps: node_modules from the lockfile (its own stage, so cuda-libs does not rebuild on src changes)
FROM ${BUN_IMAGE} AS deps
# CA bundle of a TLS-intercepting proxy, if the build network has one (path inside the build).
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
COPY package.json bun.lock bunfig.toml ./
# --production: the image's own bun compiles; the devDependencies (bun, typescript 5) are not needed. The
# handler type checker's packages (tsc 7's binary, bun-types) are dependencies: the build copies them.
# bun does not run onnxruntime-node's postinstall, so only its bundled CPU binaries are present.
RUN bun install --frozen-lockfile --production

# ---- build: compile dist/byoc, copy dist/libonnxruntime.so.1 and dist/typescript beside it ---------
FROM deps AS build
COPY tsconfig.json ./
COPY scripts/build.ts scripts/
COPY src/ src/
# The handler types, embedded in the executable (`byoc handler-types`).
COPY types/ types/
RUN bun run build && ./dist/byoc --version

# ---- locale: en_US.UTF-8, which ONNX Runtime's StringNormalizer (skl2onnx's text pipelines) asks for by
# name. Compiled with the same Debian glibc as the cpu base; the directory form needs no locale-archive.
FROM ${BUN_IMAGE} AS locale
RUN apt-get update && apt-get install -y --no-install-recommends locales && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /opt/locale && localedef -i en_US -f UTF-8 /opt/locale/en_US.UTF-8

# ---- ort-tools: binutils for the NEEDED check; the gpu stages below start here ----------------------
FROM deps AS ort-tools
ARG NODE_EXTRA_CA_CERTS
RUN apt-get update && apt-get install -y --no-install-recommends binutils && rm -rf /var/lib/apt/lists/*
COPY scripts/cuda-check.sh /opt/ort/cuda-check.sh

# ---- cuda12-libs: libonnxruntime.so.1 and its CUDA provider from ONNX Runtime's CUDA 12 release -----
# Core and providers come from one build; the npm core would be a CPU build of the same version.
FROM ort-tools AS cuda12-libs
ARG ORT_CUDA12_URL
ARG ORT_CUDA12_SHA256
RUN if [ -z "$ORT_CUDA12_SHA256" ]; then echo "ORT_CUDA12_SHA256 must be set to the SHA-256 of $ORT_CUDA12_URL" >&2; exit 1; fi
RUN URL="$ORT_CUDA12_URL" bun -e 'const r = await fetch(process.env.URL); if (!r.ok) throw new Error(`${process.env.URL}: HTTP ${r.status}`); await Bun.write("/tmp/ort.tgz", r)' \
 && echo "$ORT_CUDA12_SHA256  /tmp/ort.tgz" | sha256sum -c - \
 && mkdir /tmp/ort && tar -xzf /tmp/ort.tgz -C /tmp/ort --strip-components=1 && rm /tmp/ort.tgz
RUN release=$(cat /tmp/ort/VERSION_NUMBER); \
    node=$(bun -p "require('./node_modules/onnxruntime-node/package.json').version"); \
    if [ "$release" != "$node" ]; then echo "ONNX Runtime release $release differs from onnxruntime-node $node: the addon needs the same version" >&2; exit 1; fi
# ONNX Runtime loads provider libraries from the folder libonnxruntime.so.1 was loaded from, so they
# share one folder. TensorRT's provider is left out: the image has no TensorRT runtime.
RUN mkdir -p /opt/ort/lib \
 && cd /tmp/ort/lib && cp -L libonnxruntime.so.1 libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so /opt/ort/lib/ \
 && rm -rf /tmp/ort \
 && sh /opt/ort/cuda-check.sh needed /opt/ort/lib/libonnxruntime_providers_cuda.so /opt/ort/cuda-needed.txt

# ---- cuda13-libs: onnxruntime-node's own GPU install (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux) -----
# The install script calls it "cuda12", but the NuGet package links CUDA 13 from ONNX Runtime 1.27 on.
FROM ort-tools AS cuda13-libs
ARG NODE_EXTRA_CA_CERTS
RUN cd node_modules/onnxruntime-node && bun script/install.js --onnxruntime-node-install=cuda12
RUN mkdir -p /opt/ort/lib \
 && cd node_modules/onnxruntime-node/bin/napi-v6/linux/x64 \
 && cp libonnxruntime.so.1 libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so /opt/ort/lib/ \
 && sh /opt/ort/cuda-check.sh needed /opt/ort/lib/libonnxruntime_providers_cuda.so /opt/ort/cuda-needed.txt

# ---- gpu: the CUDA_MAJOR variant; nvidia-docker compatible, the host supplies the driver -------------
FROM cuda${CUDA_MAJOR}-libs AS cuda-libs
FROM ${CUDA12_IMAGE} AS cuda12-base
FROM ${CUDA13_IMAGE} AS cuda13-base
FROM cuda${CUDA_MAJOR}-base AS gpu
ARG CUDA_MAJOR
# en_US.UTF-8 for StringNormalizer (see the locale stage), built by this image's own glibc.
RUN apt-get update && apt-get install -y --no-install-recommends locales && rm -rf /var/lib/apt/lists/* \
 && localedef -i en_US -f UTF-8 en_US.UTF-8
COPY --from=cuda-libs /opt/ort/ /opt/ort/
# Fails the build unless the provider links CUDA_MAJOR, the base image has that CUDA runtime, and every
# library the provider needs is in the image (scripts/cuda-check.sh).
RUN sh /opt/ort/cuda-check.sh check /opt/ort/cuda-needed.txt "$CUDA_MAJOR" /opt/ort/lib
# The handler type checker (TypeScript's native tsc and its declarations) beside the executable.
COPY --from=build /src/dist/typescript /app/typescript
COPY --from=build /src/dist/byoc /app/byoc
# NVIDIA_DISABLE_REQUIRE: the base's NVIDIA_REQUIRE_CUDA would make the NVIDIA runtime refuse a too-old
# driver before byoc starts (SageMaker: CannotStartContainerError, no logs); byoc checks the driver
# itself, says which AMI to set, and uses /usr/local/cuda/compat or the CPU (src/model/device-decision.ts).
# BYOC_CUDA_MAJOR tells byoc which driver this image needs.
ENV LD_LIBRARY_PATH=/opt/ort/lib:/usr/local/nvidia/lib:/usr/local/nvidia/lib64 \
    TMPDIR=/tmp \
    NODE_ENV=production \
    ORT_DISABLE_TELEMETRY=1 \
    MIMALLOC_PURGE_DELAY=1000 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    NVIDIA_DISABLE_REQUIRE=true \
    BYOC_CUDA_MAJOR=${CUDA_MAJOR}
EXPOSE 8080
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
LABEL com.amazonaws.sagemaker.capabilities.multi-models=true
ENTRYPOINT ["/app/byoc"]

# ---- cpu (default): glibc, libstdc++, the executable, the ONNX Runtime library, the handler checker --
FROM ${CPU_BASE_IMAGE} AS cpu
# The library (46 MB) changes less often than the executable: its layer goes first.
COPY --from=build /src/dist/libonnxruntime.so.1 /opt/ort/lib/libonnxruntime.so.1
COPY --from=locale /opt/locale/en_US.UTF-8 /usr/lib/locale/en_US.UTF-8
# The handler type checker (TypeScript's native tsc and its declarations; src/model/handler-typecheck.ts).
COPY --from=build /src/dist/typescript /app/typescript
COPY --from=build /src/dist/byoc /app/byoc
# TMPDIR must be writable: the executable extracts the ONNX Runtime addon there at start.
# ORT_DISABLE_TELEMETRY: ONNX Runtime 1.30's Linux build otherwise starts a telemetry client with a
# built-in Microsoft collector URL; a model server in a customer's VPC should not phone home.
# MIMALLOC_PURGE_DELAY: Bun's allocator keeps freed pages for a second before giving them back to the
# kernel (its default is a few milliseconds), so request bodies under load reuse memory instead of
# faulting in fresh pages; read only at process start, so it is set here, not by byoc.
ENV LD_LIBRARY_PATH=/opt/ort/lib \
    TMPDIR=/tmp \
    NODE_ENV=production \
    ORT_DISABLE_TELEMETRY=1 \
    MIMALLOC_PURGE_DELAY=1000
EXPOSE 8080
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
LABEL com.amazonaws.sagemaker.capabilities.multi-models=true
ENTRYPOINT ["/app/byoc"]
