import base64
import hashlib
import re

import pytest

from accounts.middleware import ContentSecurityPolicyMiddleware, tile_source

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "img-src 'self' data: blob:" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe" not in policy


def test_the_api_carries_the_policy_too(client):
    response = client.get("/api/v1/org/nodes/")
    assert response.status_code == 401
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_docs_page_renders_and_allows_only_its_own_inline_blocks(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    body = response.content
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    inline = re.findall(rb"<script>(.*?)</script>", body, re.DOTALL)
    assert inline
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    # Other pages do not get the docs page's allowances.
    assert "sha256" not in client.get("/login/")["Content-Security-Policy"]


def test_map_tiles_host_is_allowed_for_images(settings):
    settings.MAP_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    middleware = ContentSecurityPolicyMiddleware(lambda request: None)
    assert "img-src 'self' data: blob: https://*.tile.openstreetmap.org;" in middleware.policy


def test_tile_sources():
    assert tile_source("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    assert tile_source("https://{s}.a.example.org:8443/{z}.png") == "https://*.a.example.org:8443"
    assert tile_source("") == ""
