"""``/sw.js``: the service worker that lets the field pages open without a network (see
static/js/offline.js for the queue of forms, idempotency.offline for the server's side).

Served by a view, not as a static file, for two reasons: a service worker controls only
the paths under its own URL, and the field pages live at the root (``/cases/queue/``,
``/patrol/…``), so it must be ``/sw.js`` (no ``Service-Worker-Allowed`` header needed);
and the static files it keeps are named through ``static()``, which in production gives
their hashed names, so a deploy that changes one changes the worker's text and phones
fetch the new worker (and drop the old cache) on their next visit."""

import hashlib
import json

from django.conf import settings as django_settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from idempotency.offline_pages import offline_pages

# The shell every page needs (base.html) and the field pages' own scripts.
SHELL = [
    "css/gridgov.css",
    "css/offline.css",
    "favicon.svg",
    "vendor/htmx/htmx.min.js",
    "js/forms.js",
    "js/offline.js",
    "js/report.js",
]
# Never kept: they change who is logged in, or are not pages.
NEVER_CACHED = ["/admin/", "/api/", "/login/", "/logout/", "/open311/"]


@require_GET
@never_cache
def service_worker(request):
    """The worker script (JavaScript, no login needed: it holds no data). The pages it
    keeps are the user's (``offline_pages``): another user on the same phone gets another
    script, and the phone installs it."""
    shell = [static(path) for path in SHELL]
    settings = {
        "shell": shell,
        "pages": offline_pages(request.user),
        "never": NEVER_CACHED,
        # The prefix, not static(""): the manifest storage of the demo and production has
        # no entry for "" and raises ValueError (a 500 for every phone asking for /sw.js).
        "static": django_settings.STATIC_URL,
    }
    text = json.dumps(settings, ensure_ascii=False, sort_keys=True)
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    body = render_to_string(
        "idempotency/sw.js", {"settings": text, "version": version}, request=request
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")
