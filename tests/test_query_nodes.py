"""``?grid=`` / ``?node=`` in the field apps' APIs over real HTTP (``org.queries.query_node``):
a code no node has, or a node outside the user's scope, is a Chinese 400 naming the
parameter, never an empty list (which reads as "nothing there"); the user's own grid
filters as before."""

from urllib.parse import quote

from org.models import OrgNode, User
from tests.conftest import Http

# (path, parameter) of every list or report that takes a node's code.
ENDPOINTS = [
    ("/api/v1/patrol/patrols/", "grid"),
    ("/api/v1/patrol/week/", "node"),
    ("/api/v1/patrol/visits/", "grid"),
    ("/api/v1/patrol/care/schedules/", "grid"),
    ("/api/v1/alerts/warnings/", "node"),
    ("/api/v1/alerts/patrol-quality/", "node"),
    ("/api/v1/members/registrations/", "grid"),
]


def test_unknown_or_out_of_scope_node_codes_are_a_400_naming_the_parameter(live_city):
    community = User.objects.get(username="demo-community").assignments.get().node
    grid = OrgNode.objects.filter(parent=community).exclude(grid_kind="").order_by("code")[0]
    outside = (
        OrgNode.objects.exclude(grid_kind="")
        .exclude(code__startswith=community.code)
        .order_by("code")
        .first()
    )
    http = Http(live_city).login("demo-community")
    for path, name in ENDPOINTS:
        status, body = http.get(f"{path}?{name}={grid.code}")
        assert status == 200, (path, body)
        for code in ("9" * 12, outside.code, "网格"):
            status, body = http.get(f"{path}?{name}={quote(code)}")
            assert status == 400 and body["code"] == "invalid", (path, code, body)
            assert body["detail"].startswith(f"{name}：没有这个节点"), (path, body)
            assert list(body["errors"]) == [name], (path, body)
