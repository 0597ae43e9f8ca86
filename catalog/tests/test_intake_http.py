"""Over real HTTP: a hotline message the classifier is unsure of keeps no category and no
guessed tier (issue 10: 「咨询…」 became 证明开具与事项咨询, due in 2 hours, on one word)."""

import datetime as dt

from catalog.models import Tier
from org.models import User
from tests.conftest import Http, live_city  # noqa: F401 (fixture)

CASES = "/api/v1/cases/"


def test_an_unsure_suggestion_goes_to_triage_without_the_2_hour_tier(live_city, client):  # noqa: F811
    community = Http(live_city).login("demo-community")
    status, case = community.post(
        CASES, {"title": "咨询滨湖西路两头的规划", "channel": "hotline_12345"}
    )
    assert status == 201, case
    assert case["category_code"] is None
    assert case["tier"] == "coordinated" and Tier.objects.get(code="immediate").deadline_hours == 2
    created = dt.datetime.fromisoformat(case["created_at"])
    assert dt.datetime.fromisoformat(case["due_at"]) - created > dt.timedelta(hours=24)
    # Triage shows it with the suggestions to pick from.
    client.force_login(User.objects.get(username="demo-community"))
    page = client.get("/cases/triage/").content.decode()
    assert case["number"] in page and "城市规划与建设项目" in page
