"""A photo keeps no metadata but its JFIF header and RGB colour profile: not in the copy we
store, not in the public copy behind Open311's media_url (issue 10: a JPEG comment with a
name and a phone number survived the re-encoding)."""

import io
from urllib.parse import urlparse

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image, ImageCms

from cases.actions import Report, do_create_case
from cases.models import Case, CasePhoto, PhotoKind
from cases.photos import clean_photo, shared_photo_token, strip_metadata
from open311.models import ApiClient
from open311.tests.conftest import get
from org.models import User

pytestmark = pytest.mark.usefixtures("city", "db")

READER_KEY = "reader-key-0123456789abcdef"
GPS_IFD = 0x8825
SECRET_NAME, SECRET_PHONE = "张三", "13800138000"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="' + SECRET_NAME.encode() + b'"/></rdf:RDF></x:xmpmeta>'
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# Made once: a profile's header carries the time it was made.
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def _dirty_jpeg() -> bytes:
    """A phone's photo at its worst: EXIF with GPS, XMP, an ICC profile, a comment with a
    name and a phone, and an IPTC (APP13, Photoshop 3.0) record with both."""
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (27.0, 6.0, 36.0), 3: "E", 4: (114.0, 58.0, 12.0)})
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        exif=exif,
        xmp=XMP,
        icc_profile=SRGB,
        comment=f"{SECRET_NAME} {SECRET_PHONE}".encode(),
    )
    data = out.getvalue()
    iptc = _segment(0xED, b"Photoshop 3.0\0" + f"{SECRET_NAME} {SECRET_PHONE}".encode())
    data = data[:2] + iptc + data[2:]
    assert {name for name, _ in _segments(data)} >= {"APP0", "APP1", "APP2", "APP13", "COM"}
    return data


def _segments(data: bytes) -> list[tuple[str, bytes]]:
    """The JPEG's segments before the image data: [(name, payload)], APPn by number."""
    assert data[:2] == b"\xff\xd8"
    found, at = [], 2
    while True:
        assert data[at] == 0xFF
        marker = data[at + 1]
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == 0xDA:  # start of scan: the image data follows
            return found
        name = f"APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else "COM" if marker == 0xFE else ""
        if name:
            found.append((name, data[at + 4 : at + 2 + length]))
        at += 2 + length


def _assert_clean(data: bytes) -> None:
    segments = _segments(data)
    assert [name for name, _ in segments] == ["APP0", "APP2"], [n for n, _ in segments]
    assert segments[0][1].startswith(b"JFIF\0")
    assert segments[1][1].startswith(b"ICC_PROFILE\0")
    assert SECRET_PHONE.encode() not in data and SECRET_NAME.encode() not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and "comment" not in image.info and "xmp" not in image.info
    assert image.info["icc_profile"] == SRGB


def test_the_public_media_url_copy_keeps_only_jfif_and_the_colour_profile(client):
    reader = ApiClient(name="读取", slug="reader", requests_public=False)
    reader.scopes = ["open311.read_all"]
    reader.set_key(READER_KEY)
    reader.save()
    grid = User.objects.get(username="demo-grid").assignments.get().node
    upload = io.BytesIO(_dirty_jpeg())
    upload.name = "IMG_0001.jpg"
    response = client.post(
        reverse("cases:report", args=[grid.code]), {"title": "井盖松动", "photos": [upload]}
    )
    assert response.status_code == 302
    case = Case.objects.get(title="井盖松动")
    with case.photos.get().image.open("rb") as handle:
        _assert_clean(handle.read())  # the stored copy

    status, (row,) = get(
        client, f"requests/{case.number}", "json", "service_requests", api_key=READER_KEY
    )
    assert status == 200 and row["media_url"]
    public = client.get(urlparse(row["media_url"]).path)  # no login, no key
    assert public.status_code == 200 and public["Content-Type"] == "image/jpeg"
    _assert_clean(b"".join(public))


def test_a_photo_stored_before_the_rule_is_served_without_its_metadata(client):
    """Photos re-encoded by the older code kept their comment: the public copy drops it."""
    grid = User.objects.get(username="demo-grid").assignments.get().node
    case = do_create_case(Report(title="旧照片", grid_code=grid.code), actor=None)
    photo = CasePhoto.objects.create(
        case=case, kind=PhotoKind.REPORT, image=ContentFile(_dirty_jpeg(), name="old.jpg")
    )
    public = client.get(reverse("cases:shared_photo", args=[shared_photo_token(photo.pk)]))
    assert public.status_code == 200
    data = b"".join(public)
    _assert_clean(data)
    assert Image.open(io.BytesIO(data)).size == (640, 480)  # the image itself untouched


def test_a_profile_that_is_not_rgb_is_not_kept_on_the_rgb_copy():
    grey = Image.new("L", (32, 32), 128)
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    grey.save(out, format="JPEG", icc_profile=profile)
    upload = ContentFile(out.getvalue(), name="grey.jpg")
    cleaned = clean_photo(upload).read()
    assert [name for name, _ in _segments(cleaned)] == ["APP0"]


def test_strip_metadata_leaves_what_is_not_a_jpeg_alone():
    assert strip_metadata(b"not a jpeg") == b"not a jpeg"
