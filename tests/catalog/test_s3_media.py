"""With a bucket configured, images go to S3-compatible storage (an S3 server over HTTP)."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from emporium.app import create_app
from emporium.bootstrap import build_runtime
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from tests.conftest import make_settings
from tests.support.auth import make_admin
from tests.support.catalog import approved_seller, create_product

BUCKET = "emporium-media"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server speaking the real protocol on a loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
async def s3_app(
    database_url: str, tmp_path: Path, clock: FakeClock, s3_endpoint: str, aws_credentials: None
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    admin = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
    admin.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    # Public reads come from the bucket policy (or a CDN in front), as an operator sets it up.
    admin.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )
    settings = make_settings(
        database_url, tmp_path, media_s3_bucket=BUCKET, media_s3_endpoint_url=s3_endpoint
    )
    runtime = build_runtime(settings, clock=clock)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, runtime
    finally:
        await runtime.aclose()
        s3 = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
        s3.Bucket(BUCKET).objects.all().delete()
        s3.Bucket(BUCKET).delete()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


async def test_images_are_stored_in_the_bucket_and_deleted_from_it(
    s3_app: tuple[httpx.AsyncClient, Runtime], s3_endpoint: str
) -> None:
    client, runtime = s3_app
    seller = await approved_seller(client, await make_admin(runtime, client))
    product = await create_product(client, seller)
    data = _jpeg()
    response = await client.post(
        f"/api/v1/seller/products/{product['id']}/images",
        files={"file": ("cover.jpg", data, "image/jpeg")},
        headers=seller.headers,
    )
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["url"].startswith(f"{s3_endpoint}/{BUCKET}/products/{product['id']}/")
    async with httpx.AsyncClient() as plain:
        served = await plain.get(image["url"])
    assert served.content == data
    assert served.headers["content-type"] == "image/jpeg"

    await client.delete(
        f"/api/v1/seller/products/{product['id']}/images/{image['id']}", headers=seller.headers
    )
    async with httpx.AsyncClient() as plain:
        assert (await plain.get(image["url"])).status_code == 404
