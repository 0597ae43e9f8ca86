"""Keys expire after the same period everywhere: the nightly prune forgets the REST API's
and Open311's keys alike, and a key used again afterwards is a new request."""

import pytest
from django.utils import timezone

from cases.models import Case
from idempotency.keys import KEEP_DAYS, prune_idempotency_records
from idempotency.models import IdempotentRequest
from open311.tests.conftest import post, report
from org.models import User

pytestmark = pytest.mark.django_db


def test_the_prune_forgets_rest_and_open311_keys_after_the_same_period(client, demo):
    status, _, _ = post(client, "json", report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert status == 201
    grid = User.objects.get(username="demo-grid")
    client.force_login(grid)
    seat = grid.assignments.get().node.code
    response = client.post(
        "/api/v1/cases/",
        {"title": "井盖丢了", "channel": "grid_report", "grid_code": seat},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 201, response.content
    client.logout()
    scopes = set(IdempotentRequest.objects.values_list("scope", flat=True))
    assert scopes == {"", f"open311:{demo.pk}"}

    now = timezone.now()
    assert prune_idempotency_records(now=now + timezone.timedelta(days=KEEP_DAYS - 1)) == 0
    assert prune_idempotency_records(now=now + timezone.timedelta(days=KEEP_DAYS, minutes=1)) == 2
    assert not IdempotentRequest.objects.exists()

    # Forgotten: the same key with another report is now a new request, not a conflict.
    status, _, response = post(
        client, "json", report(description="井盖丢了"), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert status == 201 and response["Idempotent-Replay"] == "false"
    assert Case.objects.filter(channel="open311").count() == 2
