"""Render the application icon (resources/icons/welcome-desk.svg) to PNG sizes and a Windows
.ico, for the bundle and the desktop entry. Build-time only; the outputs are not committed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "welcome-desk.svg"))
    if not renderer.isValid():
        print("the icon SVG cannot be read", file=sys.stderr)
        return 1
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = ICONS / f"welcome-desk-{size}.png"
        # Written whole, then put in place: a program starting meanwhile (the test suite builds
        # the bundle while other tests run) reads the old icon or the new one, never half of one.
        partial = path.with_name(f".{path.name}.partial")
        if not image.save(str(partial), "PNG"):
            return 1
        partial.replace(path)
        written.append(path)
    from PIL import Image  # Pillow writes multi-size .ico files

    big = Image.open(ICONS / "welcome-desk-256.png")
    big.save(ICONS / "welcome-desk.ico", sizes=[(s, s) for s in SIZES])
    for path in written:
        print(path.relative_to(ROOT))
    print((ICONS / "welcome-desk.ico").relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
