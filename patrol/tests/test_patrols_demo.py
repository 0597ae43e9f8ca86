"""``make_patrols``: a month of patrols on the demo city, with what real actions write."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from shapely.geometry import Point, shape

from cases.models import Case
from org.permissions import has
from patrol.models import Finding, Patrol, PatrolEvent

pytestmark = pytest.mark.django_db


def test_make_patrols_writes_patrols_tracks_timelines_findings_and_cases(city):
    call_command("make_patrols", "--seed=1", "--days=5", stdout=StringIO())
    patrols = list(Patrol.objects.select_related("grid", "worker"))
    assert patrols and all(has(p.worker, "patrol.patrol", p.grid.code) for p in patrols)
    events = dict(PatrolEvent.objects.values_list("action").annotate(n=Count("pk")).order_by())
    assert events["start"] == events["end"] == len(patrols)
    assert events.get("left_grid", 0) == sum(1 for p in patrols if p.left_grid)
    assert not PatrolEvent.objects.filter(action="left_grid", actor__isnull=False).exists()
    for patrol in patrols[:20]:
        outline = shape(patrol.grid.geometry)
        points = patrol.chunks.get().points
        assert len(points) == patrol.point_count >= 20
        outside = sum(not outline.intersects(Point(lng, lat)) for _t, lat, lng, _a in points)
        assert outside == patrol.left_grid_count
    findings = Finding.objects.count()
    assert events["finding"] == findings
    cases = Case.objects.filter(channel="patrol")
    assert cases.exists() and cases.count() == Finding.objects.exclude(case=None).count()
    out = StringIO()
    call_command("make_patrols", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue() and Patrol.objects.count() == len(patrols)
