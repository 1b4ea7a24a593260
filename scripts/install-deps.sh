#!/usr/bin/env bash
# Installs the system packages the build needs when they are missing.
# Idempotent: does nothing on a machine that already has them.
set -euo pipefail

need=()
pkg-config --exists rdkafka 2>/dev/null || need+=(librdkafka-dev)
# The worker's allocator (Sources/CAllocator).
pkg-config --exists jemalloc 2>/dev/null || need+=(libjemalloc-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# promtool, which the tests run on the alerting rules and on a worker's /metrics
# (Tests/DeploymentTests/PrometheusRulesTests.swift): Debian ships it in the prometheus package.
command -v promtool >/dev/null 2>&1 || need+=(prometheus)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
