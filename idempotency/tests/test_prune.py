"""Idempotency keys are remembered for a week, then forgotten in batches."""

from django.utils import timezone

from idempotency.keys import KEEP_DAYS, prune_idempotency_records
from idempotency.models import IdempotentRequest


def test_keys_older_than_a_week_are_forgotten(db, monkeypatch):
    monkeypatch.setattr("idempotency.keys.PRUNE_BATCH", 2)
    now = timezone.now()
    for n in range(5):
        IdempotentRequest.objects.create(
            key=f"old-{n}", path="/x", fingerprint="", status_code=201, body={}
        )
    IdempotentRequest.objects.update(created_at=now - timezone.timedelta(days=KEEP_DAYS + 1))
    IdempotentRequest.objects.create(key="new", path="/x", fingerprint="", status_code=201, body={})
    assert prune_idempotency_records(now=now) == 5
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert prune_idempotency_records(now=now) == 0
