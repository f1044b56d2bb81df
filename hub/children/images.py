"""Photos are decoded and encoded anew before they are stored.

What a client uploads may be more than a picture: EXIF with the GPS position where it was
taken (a child's hiding place), comments, or a polyglot that is also HTML or a zip.
Only the pixels survive: they are copied into a fresh image (turned upright as EXIF
said) and written in the declared format with no metadata at all. Pillow does the
decoding, with its decompression-bomb guard set to what a portrait needs.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from hub.errors import InvalidInput

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; more is a bomb, not a portrait
_FIELD = "photo.data"


def reencode(content_type: str, data: bytes) -> bytes:
    """The picture in `data`, re-encoded as `content_type`, stripped of all metadata."""
    wanted = FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format != wanted:
                    raise InvalidInput(f"the photo's bytes are not {content_type}", field=_FIELD)
                if opened.width * opened.height > MAX_PIXELS:
                    raise InvalidInput("the photo has too many pixels", field=_FIELD)
                upright = ImageOps.exif_transpose(opened)
                upright.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise InvalidInput(f"the photo is not a readable {content_type}", field=_FIELD) from None
    mode = upright.mode
    if wanted == "JPEG" and mode not in ("RGB", "L"):
        mode = "RGB"
    elif mode not in ("RGB", "RGBA", "L", "LA"):
        mode = "RGBA"
    pixels = upright.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())  # pixels, nothing else
    out = io.BytesIO()
    clean.save(out, format=wanted, **({"quality": 90} if wanted != "PNG" else {}))
    return out.getvalue()
