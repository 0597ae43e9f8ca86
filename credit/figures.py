"""What credit offers the dashboards (``gridgov.figures``): residents with points and the
points they earned, counted for a node's subtree."""

from django.db.models import Sum

from credit.models import CreditAccount
from org.codes import subtree_q


def count_accounts(node_code: str) -> int:
    """Residents in the subtree who have a points account (积分账户)."""
    return CreditAccount.objects.filter(subtree_q(node_code, "resident__household__code")).count()


def points_earned(node_code: str) -> int:
    """Points ever earned by the subtree's residents (累计获得)."""
    total = CreditAccount.objects.filter(
        subtree_q(node_code, "resident__household__code")
    ).aggregate(n=Sum("earned"))["n"]
    return int(total or 0)
