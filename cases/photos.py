"""Photos of cases: checked by content (not by name), size-limited, re-encoded as JPEG
that keeps no metadata but the JFIF header and an RGB colour profile: no EXIF (the
phone's GPS position, its make, the time), no XMP, no IPTC, no comment (a name and a
phone number can hide in any of them). The signed public copy (Open311's media_url) is
walked once more on the way out, so a photo stored before this rule shows none either."""

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
            icc_profile = image.info.get("icc_profile")
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF said
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            # Pillow writes the source's comment back unless told otherwise, and reads the
            # rest from what the call passes: clear it all, pass only the colour profile.
            image.info = {}
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, **_profile(icc_profile))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise InvalidInput("文件不是可识别的照片", errors={"photos": ["不是照片"]}) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _profile(icc_profile: bytes | None) -> dict:
    """``icc_profile=`` for an RGB profile (the colour space in bytes 16-19 of its header,
    ICC.1:2022 7.2.6); a CMYK or grey one does not describe the RGB copy we write."""
    if icc_profile and icc_profile[16:20] == b"RGB ":
        return {"icc_profile": icc_profile}
    return {}


# JPEG markers (ITU T.81 B.1.1.3): segments without a length, and those that carry metadata.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RSTn
_APP0, _APP2, _COM, _SOS, _EOI = 0xE0, 0xE2, 0xFE, 0xDA, 0xD9


def strip_metadata(data: bytes) -> bytes:
    """A JPEG with every APPn segment but APP0 JFIF and APP2 ICC_PROFILE, and every COM
    segment, left out; the image data is copied as it is. Bytes that are not a well-formed
    JPEG come back unchanged (ours always are: clean_photo wrote them)."""
    if data[:2] != b"\xff\xd8":
        return data
    out, at = bytearray(b"\xff\xd8"), 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return data
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            out += data[at : at + 2]
            at += 2
            continue
        if marker == _EOI:
            break
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        segment = data[at : at + 2 + length]
        if marker == _SOS:  # the scan runs to the end; nothing after it is metadata we add
            out += data[at:]
            return bytes(out)
        payload = segment[4:]
        kept = (
            (marker == _APP0 and payload.startswith(b"JFIF\0"))
            or (marker == _APP2 and payload.startswith(b"ICC_PROFILE\0"))
            or not (0xE0 <= marker <= 0xEF or marker == _COM)
        )
        if kept:
            out += segment
        at += 2 + length
    return bytes(out + b"\xff\xd9")


def add_photos(case, uploads, kind) -> list[CasePhoto]:
    if len(uploads) + case.photos.count() > MAX_PHOTOS:
        raise InvalidInput(f"每个案件最多 {MAX_PHOTOS} 张照片", errors={"photos": ["太多"]})
    cleaned = [clean_photo(upload) for upload in uploads]
    return [CasePhoto.objects.create(case=case, kind=kind, image=content) for content in cleaned]


# A shared photo address (Open311's media_url) carries its own proof: the photo's id signed
# with the site's key. It opens that one photo, with no metadata (strip_metadata), to whoever
# holds it.
_SHARED_SALT = "gridgov.cases.shared-photo"


def shared_photo_token(photo_pk: int) -> str:
    return signing.dumps(photo_pk, salt=_SHARED_SALT)


def shared_photo_pk(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_SHARED_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
