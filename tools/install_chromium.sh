#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (Playwright's own browser download is
# not reachable from every machine). Installs it when it is missing; does nothing otherwise.
set -euo pipefail

CHROMIUM="${NB2PIPE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser tests need Chromium at $CHROMIUM and this machine has no apt-get:" >&2
    echo "install Chromium yourself and set NB2PIPE_CHROMIUM to its path, or run 'make unit'." >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "browser tests need Debian's chromium package: run 'apt-get install -y chromium' as root," >&2
    echo "or run 'make unit' to skip the browser tests." >&2
    exit 1
fi
echo "installing Debian's chromium for the browser tests (once)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q chromium >/dev/null || {
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q chromium >/dev/null
}
test -x "$CHROMIUM" || { echo "chromium was installed but $CHROMIUM is missing" >&2; exit 1; }
