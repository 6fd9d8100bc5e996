"""Product images: uploaded by the seller, checked, stored through the media port."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from sqlalchemy import func, select

from emporium.contexts.catalog.access import product_for_update
from emporium.contexts.catalog.denormalize import refresh_product
from emporium.contexts.catalog.events import ProductUpdated
from emporium.contexts.catalog.media import MediaStorage, check_image
from emporium.contexts.catalog.models import ProductImage
from emporium.contexts.catalog.schemas import ImageRead
from emporium.kernel.errors import NotFound, ValidationFailed
from emporium.kernel.http.auth import SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import new_id, parse_id

router = APIRouter(tags=["products"])
MEDIA = "media"
MAX_IMAGES = 20


@router.post("/seller/products/{product_id}/images", status_code=201, response_model=ImageRead)
async def upload_image(
    product_id: str,
    principal: SellerOrAdminPrincipal,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File()],
    alt: Annotated[str, Form(max_length=300)] = "",
) -> ImageRead:
    data = await file.read(runtime.settings.max_body_bytes + 1)
    checked = check_image(data, max_bytes=runtime.settings.max_body_bytes)
    storage: MediaStorage = runtime.services[MEDIA]
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        count = int(
            await uow.session.scalar(
                select(func.count())
                .select_from(ProductImage)
                .where(ProductImage.product_id == product.id)
            )
            or 0
        )
        if count >= MAX_IMAGES:
            raise ValidationFailed(f"A product has at most {MAX_IMAGES} images")
        image_id = new_id()
        key = f"products/{product.id}/{image_id}.{checked.extension}"
        url = await storage.put(key, data, checked.content_type)
        image = ProductImage(
            id=image_id,
            product_id=product.id,
            storage_key=key,
            url=url,
            content_type=checked.content_type,
            size_bytes=len(data),
            width=checked.width,
            height=checked.height,
            alt=alt,
            position=count,
            created_at=uow.clock.now(),
        )
        uow.session.add(image)
        await refresh_product(uow, product)
        uow.record(ProductUpdated(id=product.id, vendor_id=product.vendor_id, changed=["images"]))
        await uow.commit()
    return ImageRead.model_validate(image, from_attributes=True)


@router.delete("/seller/products/{product_id}/images/{image_id}", status_code=204)
async def delete_image(
    product_id: str, image_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> Response:
    storage: MediaStorage = runtime.services[MEDIA]
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        key = parse_id(image_id)
        image = await uow.session.get(ProductImage, key) if key else None
        if image is None or image.product_id != product.id:
            raise NotFound("Image not found")
        await uow.session.delete(image)
        await refresh_product(uow, product)
        uow.record(ProductUpdated(id=product.id, vendor_id=product.vendor_id, changed=["images"]))
        await uow.commit()
    # The file goes after the commit: a crash leaves an orphan file, never a broken link.
    await storage.delete(image.storage_key)
    return Response(status_code=204)
