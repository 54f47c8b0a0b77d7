#!/usr/bin/env bash
# Installs what the tests run for real, when missing: the CNCF distribution registry
# (Debian's docker-registry), skopeo as an independent oracle, zstd for zstd layers,
# htpasswd for the Basic-auth registry, Chromium for the HTML report test, buildah and podman
# to build and push real images (and serve the Docker Engine API), promtool (Debian's
# prometheus package) and prometheus-pushgateway for the metrics, unshare for private mounts.
# Then the npm dependencies, when node_modules is missing.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-pushgateway >/dev/null 2>&1 || need+=(prometheus-pushgateway)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
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
