#!/usr/bin/env bash
# Installs Debian's headless-capable `chromium` when it is missing: the browser tests (review page,
# comparison report) look at generated pages in a real browser. Needs root or password-less sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
echo "installing chromium (apt) for the browser tests" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
