#!/bin/sh
# Adds Welcome Desk to this user's application menu (no root needed). Run it from the
# unpacked bundle folder: ./install-desktop-entry.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/welcome-desk.png" "$icons/welcome-desk.png"
# Quote the path for the Exec key (spaces in folder names are common).
sed "s|^Exec=welcome-desk$|Exec=\"$here/welcome-desk\"|" "$here/welcome-desk.desktop" \
  > "$apps/welcome-desk.desktop"
chmod 644 "$apps/welcome-desk.desktop"
echo "Welcome Desk added to the application menu ($apps/welcome-desk.desktop)."
