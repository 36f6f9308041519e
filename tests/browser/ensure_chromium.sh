#!/usr/bin/env bash
# The browser tests drive the distribution's Chromium through Playwright for Python (never `playwright install`:
# browser builds cannot be downloaded here). Idempotent: does nothing when `chromium` is already on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    echo "Installing Chromium from the distribution's packages (apt-get install chromium)..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "The browser tests need Chromium as 'chromium' on PATH (Debian/Ubuntu: apt-get install chromium)." >&2
exit 1
