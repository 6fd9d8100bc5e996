"""Where product images live: a local folder by default (served at /media), behind a port."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, UnidentifiedImageError

from emporium.kernel.errors import ValidationFailed

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
MAX_PIXELS = 40_000_000


class MediaStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store data under key; returns the public URL."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object (missing is fine)."""
        ...


class LocalMediaStorage:
    """Files under a folder, served by the API at base_url."""

    def __init__(self, root: Path, base_url: str = "/media") -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self.root / key
        await asyncio.to_thread(_write, path, data)
        return f"{self.base_url}/{key}"

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(lambda: (self.root / key).unlink(missing_ok=True))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    width: int
    height: int
    extension: str


def check_image(data: bytes, *, max_bytes: int) -> CheckedImage:
    """Accept only real JPEG/PNG/WebP/GIF images of sane size (the bytes decide, not the name)."""
    if not data:
        raise ValidationFailed("The image is empty")
    if len(data) > max_bytes:
        raise ValidationFailed("The image is too large", details={"max_bytes": max_bytes})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationFailed("The image has too many pixels")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationFailed("The file is not a readable image") from exc
    content_type = ALLOWED_FORMATS.get(image_format)
    if content_type is None:
        raise ValidationFailed(
            "Images must be JPEG, PNG, WebP or GIF", details={"format": image_format}
        )
    return CheckedImage(content_type, width, height, EXTENSIONS[content_type])
