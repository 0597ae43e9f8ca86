"""Refusing input no database can store."""

from django.http import JsonResponse

MESSAGE = "请求中含有空字符（NUL），无法处理"

_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")


class RejectNulMiddleware:
    """A NUL character in the query string or a JSON/form body: 400 with a reason.

    PostgreSQL text cannot hold NUL, so such input would otherwise fail deep inside a
    query as a 500 (SQLite would store it). Multipart bodies are not read here: they carry
    binary files, and their text fields go through form validation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Open311 answers in its own error format and checks its own input.
        if not request.path.startswith("/open311/") and self._has_nul(request):
            return JsonResponse({"code": "invalid", "detail": MESSAGE}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
            return True
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip()
        if content_type not in _TEXT_BODIES:
            return False
        body = request.body
        if content_type == "application/json":
            return b"\\u0000" in body or b"\x00" in body
        return b"%00" in body or b"\x00" in body
