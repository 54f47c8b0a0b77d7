#!/usr/bin/env bash
# Installs what the tests run for real, when missing: the CNCF distribution registry
# (Debian's docker-registry), skopeo as an independent oracle, zstd for zstd layers,
# htpasswd for the Basic-auth registry, and Chromium for the HTML report test.
# Then the npm dependencies, when node_modules is missing.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${need[@]}"
fi
[ -d node_modules ] || npm ci
