"""Product images: real images only, stored through the media port and served back."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product


def png_bytes(width: int = 32, height: int = 24) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_uploads_an_image_and_serves_it(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller)
    data = png_bytes()
    response = await client.post(
        f"/api/v1/seller/products/{product['id']}/images",
        files={"file": ("cover.png", data, "image/png")},
        data={"alt": "Cover"},
        headers=seller.headers,
    )
    assert response.status_code == 201, response.text
    image = response.json()
    assert (image["width"], image["height"], image["content_type"]) == (32, 24, "image/png")
    served = await client.get(image["url"])
    assert served.status_code == 200
    assert served.content == data
    own = (
        await client.get(f"/api/v1/seller/products/{product['id']}", headers=seller.headers)
    ).json()
    assert [i["alt"] for i in own["images"]] == ["Cover"]


async def test_refuses_files_that_are_not_images(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller)
    for name, data in [("x.png", b"<script>alert(1)</script>"), ("empty.png", b"")]:
        response = await client.post(
            f"/api/v1/seller/products/{product['id']}/images",
            files={"file": (name, data, "image/png")},
            headers=seller.headers,
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_deleting_an_image_removes_the_file(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller)
    image = (
        await client.post(
            f"/api/v1/seller/products/{product['id']}/images",
            files={"file": ("a.png", png_bytes(), "image/png")},
            headers=seller.headers,
        )
    ).json()
    response = await client.delete(
        f"/api/v1/seller/products/{product['id']}/images/{image['id']}", headers=seller.headers
    )
    assert response.status_code == 204
    assert (await client.get(image["url"])).status_code == 404
