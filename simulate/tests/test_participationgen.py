"""The demo's volunteering and credit: made through the actions, every state present, and
the ledger adds up."""

from django.core.management import call_command
from django.db.models import Sum

from credit.models import CreditAccount, CreditEntry, Redemption, StockChange, StoreItem
from participation.models import OrderEvent, OrderKind, OrderStatus, ServiceOrder
from tests.conftest import build_city


def test_the_demo_market_has_every_state_and_a_ledger_that_adds_up(db):
    build_city()
    call_command("make_participation", "--seed=1")
    assert set(ServiceOrder.objects.values_list("kind", flat=True)) == set(OrderKind.values)
    statuses = set(ServiceOrder.objects.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values) - {OrderStatus.CANCELLED}
    assert OrderEvent.objects.count() >= ServiceOrder.objects.count()
    assert Redemption.objects.exists() and StoreItem.objects.exists()
    for account in CreditAccount.objects.all():
        total = CreditEntry.objects.filter(account=account).aggregate(s=Sum("delta"))["s"]
        assert total == account.balance >= 0
    for item in StoreItem.objects.all():
        total = StockChange.objects.filter(item=item).aggregate(s=Sum("delta"))["s"]
        assert total == item.stock >= 0
    paid = ServiceOrder.objects.filter(status=OrderStatus.CONFIRMED, points__gt=0)
    assert paid.exists()  # demo-volunteer's hours became points


def test_it_runs_once_with_if_empty(db, capsys):
    build_city()
    call_command("make_participation", "--seed=1")
    count = ServiceOrder.objects.count()
    call_command("make_participation", "--seed=1", "--if-empty")
    assert ServiceOrder.objects.count() == count
    assert "跳过" in capsys.readouterr().out
