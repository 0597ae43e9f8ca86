"""What participation offers the dashboards (``gridgov.figures``): its volunteers and its
volunteer orders, counted for a node's subtree. The three lists (三单) are preset data
only so far; they will add their counts here when they have rows."""

from django.db.models import Count, Sum

from org.codes import subtree_q
from org.models import RoleAssignment
from participation.models import OrderStatus, ServiceOrder

# The duty of a registered volunteer (志愿者), whatever the preset calls the role.
VOLUNTEER_DUTY = "volunteer"


def count_volunteers(node_code: str) -> int:
    """People holding a volunteer's seat in the subtree (each person once)."""
    return RoleAssignment.objects.filter(
        subtree_q(node_code, "node__code"), role__duty=VOLUNTEER_DUTY
    ).aggregate(n=Count("user", distinct=True))["n"]


def count_open_orders(node_code: str) -> int:
    """Orders and micro-wishes waiting for someone to take them (待接单)."""
    return ServiceOrder.objects.filter(
        subtree_q(node_code, "node__code"), status=OrderStatus.OPEN
    ).count()


def count_done_orders(node_code: str) -> int:
    """Orders done and confirmed (已完成), all time."""
    return ServiceOrder.objects.filter(
        subtree_q(node_code, "node__code"), status=OrderStatus.CONFIRMED
    ).count()


def service_hours(node_code: str) -> int:
    """Hours of confirmed volunteer service, all time, rounded down."""
    total = ServiceOrder.objects.filter(
        subtree_q(node_code, "node__code"), status=OrderStatus.CONFIRMED
    ).aggregate(h=Sum("hours"))["h"]
    return int(total or 0)
