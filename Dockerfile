# syntax=docker/dockerfile:1
#
# otp-worker image: `otp-worker run` by default; `otp-worker sandbox ...` runs the provider sandbox.
# The build stage uses the same Swift toolchain as development (6.3; dependencies need tools 6.2)
# on Debian bookworm, whose librdkafka-dev (2.0.2) is the version the Kafka layer is written for.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka-dev libjemalloc-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in a layer of their own, so source edits do not fetch them again.
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve
COPY . .
RUN swift build -c release --product otp-worker --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/otp-worker" /staging/

# Runtime: the Swift runtime is linked in statically; librdkafka and jemalloc (the worker's
# allocator, see Sources/CAllocator) are the only libraries added, from the same Debian
# release the binary was built against.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 libjemalloc2 ca-certificates libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin otp
COPY --from=build /staging/otp-worker /usr/local/bin/otp-worker
# The git revision for `--version` and otp_build_info: a release builds with
# `--build-arg OTP_REVISION=$(git rev-parse --short HEAD)` (SwiftPM cannot embed it itself).
ARG OTP_REVISION=unknown
ENV OTP_REVISION=${OTP_REVISION}
USER otp
# /metrics, /healthz, /readyz when OTP_METRICS_PORT=9464 (docker-compose.yml sets it).
EXPOSE 9464
ENTRYPOINT ["otp-worker"]
CMD ["run"]
