"""The letterhead's logo as the store keeps it and the team's laptops receive it: a small PNG,
made once from the file a coordinator chose, and checked again wherever it arrives.

Limits: the file chosen is at most ``FILE_MAX`` bytes and ``SIDE_MAX`` pixels a side (a
designer's logo at print size is a few hundred KB; a larger one is a photograph or a poster,
and 3000 x 3000 RGBA is already 36 MB in memory while it is read). What is kept is a PNG of at
most ``BOX`` pixels (the letter draws the logo in a box of 40 x 18 mm: 800 x 360 px are over
500 dpi there) and at most ``STORED_MAX`` bytes, so that the publication that carries it, in
base64 beside the letterhead, stays well inside one sync envelope (``MAX_CIPHERTEXT_BYTES``,
256 KiB) and a publication file (``reference.MAX_FILE_CHARS``, 200,000 characters). Re-encoded,
it also leaves behind what the file carried besides the picture (EXIF: the camera, a place).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps

FILE_MAX = 1024 * 1024
SIDE_MAX = 3000
BOX = (800, 360)
STORED_MAX = 128 * 1024
# Smaller boxes tried in turn when a detailed logo's PNG is larger than STORED_MAX; the last
# one in 256 colours always fits (400 x 180 bytes and a palette).
_FALLBACK_BOXES = ((800, 360), (600, 270), (400, 180))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class LogoRefused(ValueError):
    """A logo that cannot be kept; ``code`` keys the message at the field."""

    def __init__(self, code: str, params: dict[str, int | str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class Logo:
    """A logo kept in the store or published: ``png`` empty means "no logo" (removed);
    ``name`` the file it was taken from (on the laptop that chose it, its path; on the team's
    laptops its name only)."""

    png: bytes
    name: str
    digest: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", hashlib.sha256(self.png).hexdigest())


def _kind(data: bytes) -> str | None:
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def _opened(data: bytes, side_max: int) -> Image.Image:
    """The image in ``data`` (PNG or JPEG by its first bytes), decoded, of at most
    ``side_max`` pixels a side; ``LogoRefused`` otherwise. The size is asked before the
    pixels are decoded: a small file can claim an enormous picture."""
    kind = _kind(data)
    if kind is None:
        raise LogoRefused("logo_format")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            width, height = image.size
            if max(width, height) > side_max:
                raise LogoRefused("logo_too_many_pixels", {"max": side_max})
            image.load()
    except LogoRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        raise LogoRefused("logo_unreadable") from exc
    if width < 1 or height < 1:
        raise LogoRefused("logo_unreadable")
    return image


def logo_png(data: bytes) -> bytes:
    """``data`` (a PNG or JPEG file's bytes) as the PNG the store keeps: turned as the camera
    says, no larger than ``BOX``, at most ``STORED_MAX`` bytes. ``LogoRefused`` if it is not
    a PNG or JPEG, is too large, or cannot be decoded."""
    if len(data) > FILE_MAX:
        raise LogoRefused("logo_too_large", {"max": FILE_MAX // 1024})
    image = ImageOps.exif_transpose(_opened(data, SIDE_MAX))
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail(BOX, Image.Resampling.LANCZOS)  # never enlarged
    for index, box in enumerate(_FALLBACK_BOXES):
        small = image.copy()
        small.thumbnail(box, Image.Resampling.LANCZOS)
        last = index == len(_FALLBACK_BOXES) - 1
        for candidate in (small, small.quantize(256)) if last else (small,):
            out = io.BytesIO()
            candidate.save(out, format="PNG", optimize=True)
            if out.tell() <= STORED_MAX:
                return out.getvalue()
    raise LogoRefused("logo_too_large", {"max": FILE_MAX // 1024})  # not reached: see boxes


def logo_png_from_file(path: Path) -> bytes:
    """The file at ``path`` as ``logo_png`` keeps it; ``LogoRefused`` ("logo_missing" where
    there is no file to read)."""
    try:
        with path.open("rb") as file:
            data = file.read(FILE_MAX + 1)  # a larger file is refused unread
    except OSError as exc:
        raise LogoRefused("logo_missing") from exc
    return logo_png(data)


def check_kept_logo(data: bytes) -> None:
    """Raise ``LogoRefused`` unless ``data`` is a logo as ``logo_png`` keeps them: a PNG or
    JPEG of at most ``STORED_MAX`` bytes and ``BOX`` pixels that decodes. Asked of a logo
    that came from another laptop before it is drawn."""
    if len(data) > STORED_MAX:
        raise LogoRefused("logo_too_large", {"max": STORED_MAX // 1024})
    image = _opened(data, max(BOX))
    if image.width > BOX[0] or image.height > BOX[1]:
        raise LogoRefused("logo_too_many_pixels", {"max": max(BOX)})
