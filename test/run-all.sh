#!/usr/bin/env bash
# `npm test`: builds the app, then runs unit + component tests (vitest) and E2E tests (Playwright,
# Chromium + carrier), all inside a private D-Bus session with an unlocked gnome-keyring so the real
# OS keychain is used. Ends with one line summing every suite.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -n "${KEYFRAME_TEST_SESSION:-}" ] || bash test/prerequisites.sh || { echo "0 passed, 1 failed (system packages)"; exit 1; }

if [ -z "${KEYFRAME_TEST_SESSION:-}" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  export KEYFRAME_TEST_SESSION=1
  scratch=$(mktemp -d)
  export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" XDG_CONFIG_HOME="$scratch/config"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
  exec dbus-run-session -- bash "$0" "$@"
fi
if [ -n "${KEYFRAME_TEST_SESSION:-}" ]; then
  printf 'keyframe-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  echo "keychain: gnome-keyring in a private D-Bus session"
fi

rm -rf test-results/unit.json test-results/e2e.json
echo "== build"
npx electron-vite build --logLevel warn || { echo "0 passed, 1 failed (build)"; exit 1; }
echo "== unit and component tests (vitest)"
npx vitest run
echo "== end-to-end tests (Playwright)"
npx playwright test "$@"
node test/summarize.mjs
