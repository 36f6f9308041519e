#!/usr/bin/env bash
# The distribution packages `make run` and `make test` need beside the virtualenv, installed when missing:
#   espeak-ng — the sandbox voices (previews, the sandbox agent and callees on the voice plane, recordings).
# Idempotent and quick when everything is there (no package manager is touched). On Debian/Ubuntu it installs with
# apt-get (as root, or through sudo), refreshing the package lists only when apt cannot install without them (a
# fresh container has none); with Homebrew, `brew install`. Anything else: it says what to install, and fails.
set -euo pipefail

# package:the command it provides
REQUIRED="espeak-ng:espeak-ng"

missing=""
for requirement in $REQUIRED; do
  command -v "${requirement#*:}" >/dev/null 2>&1 || missing="$missing ${requirement%%:*}"
done
missing="${missing# }"
if [ -z "$missing" ]; then
  exit 0
fi

echo "Installing $missing (system packages the sandbox needs)..." >&2
if command -v apt-get >/dev/null 2>&1; then
  as_root=""
  if [ "${EUID:-0}" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "Cannot install $missing: not root and no sudo. Run: apt-get install -y $missing" >&2
      exit 1
    fi
    as_root="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  # The lists are refreshed only when the install cannot do without them (none yet, or stale versions).
  # shellcheck disable=SC2086 # word splitting of $as_root and $missing is wanted
  if ! apt-cache show $missing >/dev/null 2>&1 \
      || ! $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
    $as_root apt-get update -qq
    $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
elif command -v brew >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  brew install $missing
else
  echo "Please install $missing with your system's package manager." >&2
  exit 1
fi
