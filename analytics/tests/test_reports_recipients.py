"""Whom a report is told to: the node's leaders, and the bodies the rhythm names (张掖:
「社區大黨委每月聽取匯報」, 「包抓社區領導每半年調研」,
「街道黨工委對“社工委”組織進行半年綜合考評」)."""

import pytest

from analytics.report_actions import recipients
from org.models import OrgNode, RoleAssignment
from presets.loader import active_preset
from tests.conftest import build_city


@pytest.mark.django_db
def test_zhangye_tells_the_bodies_each_review_is_for():
    build_city("zhangye")
    rhythms = {r.key: r for r in active_preset().reporting}
    community = OrgNode.objects.filter(level__key="community").order_by("code").first()
    seats = RoleAssignment.objects.select_related("role", "node")

    def told(key):
        users = set(recipients(community, rhythms[key]).values_list("pk", flat=True))
        return {(s.role.code, s.node.code) for s in seats.filter(user__in=users)}

    secretary = seats.filter(role__code="community-secretary", node=community)
    street = seats.filter(role__code="street-staff", node=community.parent)
    liaison = seats.filter(role__code="liaison-leader", node__code__in=[community.code[:6]])
    assert secretary.exists() and street.exists()
    assert ("community-secretary", community.code) in told("hearing")
    assert ("street-staff", community.parent.code) in told("assessment")
    assert ("street-staff", community.parent.code) not in told("hearing")
    if liaison.exists():
        assert ("liaison-leader", liaison.first().node.code) in told("research")
