"""The one pagination of every API list: ``?limit=`` (default PAGE_SIZE, at most MAX_LIMIT)
and ``?offset=``. A limit above MAX_LIMIT is served as MAX_LIMIT (the ``next`` link says
so); a limit or offset that is not an integer in range is a 400 ``invalid``."""

from django.conf import settings
from rest_framework import pagination

from gridgov.parsing import MAX_ID, query_int

MAX_LIMIT = 500


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        limit = query_int(
            request.query_params,
            self.limit_query_param,
            self.default_limit,
            minimum=1,
            maximum=MAX_ID,
        )
        return min(limit, self.max_limit)

    def get_offset(self, request):
        return query_int(request.query_params, self.offset_query_param, 0)

    def get_schema_operation_parameters(self, view):
        default = settings.REST_FRAMEWORK["PAGE_SIZE"]
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数: 默认 {default}, 最多 {MAX_LIMIT} (更大的按 {MAX_LIMIT})",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": default,
                },
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "从第几条开始(从 0 起)",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0},
            },
        ]
