#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for tests/test_report_browser.py.
# Idempotent: does nothing when a `chromium` is already on PATH.  Needs root (CI runs as root);
# without root or apt it says so and exits 0, and the browser test then skips with its reason.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: not root or no apt-get; the browser test will be skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
command -v chromium
