"""Content-Security-Policy on every response."""

import base64
import hashlib
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse

HEADER = "Content-Security-Policy"
_INLINE = re.compile(rb"<(script|style)>(.*?)</\1>", re.DOTALL)


def tile_source(url: str) -> str:
    """The CSP source for a tile URL template: https://{s}.tile.example.org/{z}/{x}/{y}.png
    gives https://*.tile.example.org (a wildcard may only stand for leading labels)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
    return f"{parts.scheme}://{'.'.join(labels)}"


def build_policy(*, img_extra: str = "", script: str = "'self'", style: str = "'self'") -> str:
    img = " ".join(filter(None, ["'self' data: blob:", img_extra]))
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {img}",
            f"script-src {script}",
            f"style-src {style}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def inline_hashes(body: bytes) -> tuple[list[str], list[str]]:
    """CSP hash sources for each inline <script> and <style> block of a page we render."""
    found = {b"script": [], b"style": []}
    for tag, content in _INLINE.findall(body):
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
        found[tag].append(f"'sha256-{digest}'")
    return found[b"script"], found[b"style"]


class ContentSecurityPolicyMiddleware:
    """Scripts and styles from our own origin only, no inline code. The one exception is
    drf-spectacular's Swagger UI page, whose inline bootstrap script and style block are
    allowed by their hashes (computed from the page itself, so only those blocks run)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.img_extra = tile_source(getattr(settings, "MAP_TILE_URL", "") or "")
        self.policy = build_policy(img_extra=self.img_extra)
        self._docs_path = None

    @property
    def docs_path(self) -> str | None:
        if self._docs_path is None:
            try:
                self._docs_path = reverse("api:docs")
            except NoReverseMatch:  # a URL configuration without the API (some tests)
                self._docs_path = ""
        return self._docs_path or None

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER in response:
            return response
        policy = self.policy
        if request.path == self.docs_path and not getattr(response, "streaming", False):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            scripts, styles = inline_hashes(response.content)
            policy = build_policy(
                img_extra=self.img_extra,
                script=" ".join(["'self'", *scripts]),
                style=" ".join(["'self'", *styles]),
            )
        response[HEADER] = policy
        return response
