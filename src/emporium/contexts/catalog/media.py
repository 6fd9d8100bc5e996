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


class S3MediaStorage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph…), served from public_base_url."""

    def __init__(
        self,
        bucket: str,
        *,
        public_base_url: str,
        endpoint_url: str | None = None,
        region: str = "eu-central-1",
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/")
        # Checksums only when required: many S3-compatible servers reject or mangle the
        # streaming (aws-chunked) uploads newer boto3 sends by default.
        config = Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        # boto3 is synchronous: every call runs in a worker thread.
        self._client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=config
        )

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable",
        )
        return f"{self.public_base_url}/{key}"

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=key)


def build_media_storage(
    *,
    media_dir: Path,
    bucket: str | None,
    endpoint_url: str | None,
    region: str,
    public_base_url: str | None,
) -> MediaStorage:
    """S3 when a bucket is configured, else the local folder served at /media."""
    if not bucket:
        return LocalMediaStorage(media_dir)
    base = public_base_url or f"{(endpoint_url or 'https://s3.amazonaws.com').rstrip('/')}/{bucket}"
    return S3MediaStorage(bucket, public_base_url=base, endpoint_url=endpoint_url, region=region)


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
