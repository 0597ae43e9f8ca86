"""Photos of cases: checked by content (not by name), size-limited, re-encoded as JPEG,
which drops EXIF data such as the phone's GPS position before anyone else sees them."""

import io
import uuid

from django.core import signing
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.models import CasePhoto
from gridgov.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9
MAX_SIDE = 2048
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}

Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


def clean_photo(upload) -> ContentFile:
    if upload.size > MAX_BYTES:
        raise InvalidInput("照片不能超过 10 MB", errors={"photos": ["照片不能超过 10 MB"]})
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    "只接受 JPEG、PNG、WebP 照片",
                    errors={"photos": [f"不支持的格式 {image.format}"]},
                )
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF said
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)  # no exif= argument: metadata dropped
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise InvalidInput("文件不是可识别的照片", errors={"photos": ["不是照片"]}) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def add_photos(case, uploads, kind) -> list[CasePhoto]:
    if len(uploads) + case.photos.count() > MAX_PHOTOS:
        raise InvalidInput(f"每个案件最多 {MAX_PHOTOS} 张照片", errors={"photos": ["太多"]})
    cleaned = [clean_photo(upload) for upload in uploads]
    return [CasePhoto.objects.create(case=case, kind=kind, image=content) for content in cleaned]


# A shared photo address (Open311's media_url) carries its own proof: the photo's id signed
# with the site's key. It opens that one photo, re-encoded without EXIF, to whoever holds it.
_SHARED_SALT = "gridgov.cases.shared-photo"


def shared_photo_token(photo_pk: int) -> str:
    return signing.dumps(photo_pk, salt=_SHARED_SALT)


def shared_photo_pk(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_SHARED_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
