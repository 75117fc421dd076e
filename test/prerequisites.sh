#!/usr/bin/env bash
# What `npm test` needs from the system besides npm packages: Chromium (end-to-end tests), D-Bus and
# gnome-keyring (a private keychain session), libsecret (keytar's link to it) and ffmpeg (the tests
# make clips with it and count their frames with ffprobe; the app itself ships no ffmpeg). Installs what is
# missing with apt when it can (root, or sudo without a password), else stops at once and names the
# one command that installs it.
set -uo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v dbus-run-session >/dev/null || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libsecret-1\.so\.0' || missing+=(libsecret-1-0)
{ command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; } || missing+=(ffmpeg)
[ ${#missing[@]} -eq 0 ] && exit 0

install="apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null; then
  echo "npm test needs ${missing[*]} (Debian package names); install them with your system's package manager." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "npm test needs ${missing[*]}, which only an administrator can install. Run:" >&2
  echo "  sudo apt-get update && sudo $install" >&2
  exit 1
fi
echo "== installing what the tests need: ${missing[*]}"
if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" $install -qq >/dev/null; }; then
  echo "Installing ${missing[*]} failed (see above). The command: ${sudo[*]}${sudo[*]:+ }$install" >&2
  exit 1
fi
