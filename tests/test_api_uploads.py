"""Photo uploads through POST /api/v1/cases/{id}/photos/: checked by content, not by name;
at most 10 MB; re-encoded as JPEG, which drops EXIF (the phone's GPS position) before
anyone else sees the photo (cases/photos.py)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from accounts.tokens import do_issue_token
from cases.actions import Report, do_create_case
from cases.models import Case, CasePhoto
from cases.photos import MAX_BYTES
from org.models import User

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (27.0, 5.0, 24.8),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (114.0, 58.0, 14.9),
}


def picture(fmt: str, exif: Image.Exif | None = None, size=(64, 48)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    if exif is not None:
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FuzzPhone"
    exif[ExifTags.Base.GPSInfo] = GPS
    data = picture("JPEG", exif)
    with Image.open(io.BytesIO(data)) as image:  # the fixture really carries the position
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    return data


@pytest.fixture
def case(db, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    worker = User.objects.get(username="demo-grid")
    grid = worker.assignments.get().node
    return do_create_case(
        Report(title="路灯不亮", channel="grid_report", grid_code=grid.code), actor=worker
    )


@pytest.fixture
def upload(client):
    token, _ = do_issue_token(User.objects.get(username="demo-grid"))

    def send(
        case, name: str, content: bytes, content_type="image/jpeg", kind="report", version=None
    ):
        version = Case.objects.get(pk=case.pk).version if version is None else version
        response = client.post(
            f"/api/v1/cases/{case.pk}/photos/",
            {
                "photos": SimpleUploadedFile(name, content, content_type),
                "kind": kind,
                "version": version,
            },
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        return response.status_code, response.json()

    return send


def stored(photo_id: int) -> Image.Image:
    photo = CasePhoto.objects.get(pk=photo_id)
    with photo.image.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def test_a_jpeg_comes_back_without_its_exif_and_gps_position(case, upload):
    status, body = upload(case, "现场.jpg", jpeg_with_gps())
    assert status == 201, body
    image = stored(body["photos"][0])
    assert image.format == "JPEG"
    assert "exif" not in image.info
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_a_png_is_reencoded_as_jpeg(case, upload):
    status, body = upload(case, "screenshot.png", picture("PNG"), "image/png")
    assert status == 201, body
    photo = CasePhoto.objects.get(pk=body["photos"][0])
    assert photo.image.name.endswith(".jpg")
    image = stored(photo.pk)
    assert image.format == "JPEG"
    assert image.size == (64, 48)


def test_a_text_file_named_jpg_is_refused(case, upload):
    status, body = upload(case, "photo.jpg", b"#!/bin/sh\nrm -rf /\n" * 50)
    assert status == 400, body
    assert body["code"] == "invalid"
    assert not CasePhoto.objects.filter(case=case).exists()


def test_a_file_just_over_10_mb_is_refused(case, upload):
    header = picture("JPEG")
    status, body = upload(case, "big.jpg", header + b"\0" * (MAX_BYTES + 1 - len(header)))
    assert status == 400, body
    assert "10 MB" in body["detail"]
    assert not CasePhoto.objects.filter(case=case).exists()


def test_a_photo_is_an_action_with_a_version_and_a_timeline_row(case, upload):
    status, body = upload(case, "现场.jpg", jpeg_with_gps())
    assert status == 201, body
    case.refresh_from_db()
    assert case.version == 2 == body["version"]
    event = case.events.get(action="add_photo")
    assert event.data == {"kind": "report", "photos": body["photos"]}
    status, body = upload(case, "又一张.jpg", jpeg_with_gps(), version=1)
    assert (status, body["code"]) == (409, "stale_version")


def test_a_reporter_cannot_add_a_result_photo(db, city, settings, tmp_path, client):
    """The result's photos come from whoever holds the case, never from the reporter."""
    settings.MEDIA_ROOT = tmp_path
    resident = User.objects.get(username="demo-resident")
    case = do_create_case(Report(title="楼道灯坏了", channel="qr_code"), actor=resident)
    token, _ = do_issue_token(resident)

    def send(kind):
        return client.post(
            f"/api/v1/cases/{case.pk}/photos/",
            {
                "photos": SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg"),
                "kind": kind,
                "version": Case.objects.get(pk=case.pk).version,
            },
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    refused = send("result")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_permitted")
    assert not CasePhoto.objects.filter(case=case).exists()
    assert send("report").status_code == 201
