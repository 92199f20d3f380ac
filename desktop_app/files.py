"""Writing a file the user chose (a letter, a report) so that none is left cut short."""

from __future__ import annotations

import contextlib
from pathlib import Path


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``. A file this began and could not finish (the disk full
    halfway) goes again: a letter or report cut short is personal data left on a stick for
    nothing, and a file that looks saved but does not open. A file that was there before is
    left as the failure left it (it is not this write's to delete)."""
    existed = path.exists()
    try:
        path.write_bytes(data)
    except OSError:
        if not existed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
