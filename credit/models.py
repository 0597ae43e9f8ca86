"""Credit points (信用积分): incentive rules from the preset, one account per resident, an
append-only ledger, and the credit store (信用超市) where points buy goods.

A balance never goes below zero and a store item's stock never below zero: both are changed
only by conditional UPDATEs in ``credit.actions``, and the database refuses the rest.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.codes import ancestor_prefixes
from org.models import OrgNode
from org.models.base import ScopedQuerySet
from org.scoping import scope_prefixes
from residents.models import Resident

# An award is at most 100 deeds or hours, so a balance stays far from the column's limit.
MAX_RULE_POINTS = 10_000


class CreditSubject(models.Model):
    """Who can hold credit in the preset's scheme (residents, model households, merchants…)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("信用主体")
        verbose_name_plural = _("信用主体")

    def __str__(self):
        return self.name


class RuleUnit(models.TextChoices):
    DEED = "deed", _("次")
    HOUR = "hour", _("小时")


class IncentiveRule(models.Model):
    """One incentive item (激励事项): a good deed and the points it earns per deed or hour."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    subject = models.ForeignKey(
        CreditSubject, models.SET_NULL, null=True, blank=True, verbose_name=_("信用主体")
    )
    points = models.PositiveIntegerField(
        _("积分"), validators=[MinValueValidator(1), MaxValueValidator(MAX_RULE_POINTS)]
    )
    unit = models.CharField(
        _("计量"), max_length=8, choices=RuleUnit.choices, default=RuleUnit.DEED
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("激励事项")
        verbose_name_plural = _("激励事项")

    def __str__(self):
        return self.name


class CreditAccount(models.Model):
    resident = models.OneToOneField(
        Resident, models.PROTECT, related_name="credit_account", verbose_name=_("居民")
    )
    balance = models.IntegerField(_("余额"), default=0)
    earned = models.PositiveIntegerField(_("累计获得"), default=0)
    volunteer_hours = models.DecimalField(
        _("志愿时长(小时)"), max_digits=8, decimal_places=1, default=0
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "resident__household__code", True

    class Meta:
        ordering = ["-balance", "pk"]
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="credit_balance_not_negative")
        ]

    def __str__(self):
        return f"{self.resident} · {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("获得")
    SPEND = "spend", _("兑换")
    REFUND = "refund", _("退回")


class CreditEntry(models.Model):
    """Append-only: every change of a balance, with the balance after it."""

    account = models.ForeignKey(CreditAccount, models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=8, choices=EntryKind.choices)
    delta = models.IntegerField(_("变动"))
    balance_after = models.IntegerField(_("变动后余额"))
    rule = models.ForeignKey(IncentiveRule, models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=8, decimal_places=1, default=1)
    redemption = models.ForeignKey(
        "Redemption", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    source = models.CharField(_("来源"), max_length=60, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "account__resident__household__code", True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        constraints = [
            # One award per source (a volunteer order pays its taker once, however often retried).
            models.UniqueConstraint(
                fields=["account", "source"], condition=~Q(source=""), name="credit_entry_source"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.delta:+d}"


class StoreItem(models.Model):
    """Goods or a service in a community's credit store, with its price in points."""

    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="store_items")
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    cost = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), default=0)
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        ordering = ["node__code", "cost", "pk"]
        verbose_name = _("信用超市商品")
        verbose_name_plural = _("信用超市商品")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="store_stock_not_negative"),
            models.CheckConstraint(condition=Q(cost__gt=0), name="store_cost_positive"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """A grid's people also shop in the store of their community, an ancestor node."""
        own = scope_prefixes(user, personal=False) or []
        resident = getattr(user, "resident", None)
        if resident is not None:
            own = [*own, resident.household.code]
        return Q(node__code__in=ancestor_prefixes(own))


class RedemptionStatus(models.TextChoices):
    PLACED = "placed", _("待领取")
    FULFILLED = "fulfilled", _("已领取")
    CANCELLED = "cancelled", _("已取消")


class Redemption(models.Model):
    account = models.ForeignKey(CreditAccount, models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(StoreItem, models.PROTECT, related_name="redemptions")
    cost = models.PositiveIntegerField(_("积分"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.PLACED
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("兑换时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "account__resident__household__code", True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("兑换单")
        verbose_name_plural = _("兑换单")

    def __str__(self):
        return f"{self.item} · {self.get_status_display()}"


class StockReason(models.TextChoices):
    ADD = "add", _("上架")
    RESTOCK = "restock", _("调整库存")
    REDEEM = "redeem", _("兑换")
    CANCEL = "cancel", _("取消兑换")


class StockChange(models.Model):
    """Append-only: every change of a store item's stock, who made it and why."""

    item = models.ForeignKey(StoreItem, models.PROTECT, related_name="stock_changes")
    delta = models.IntegerField(_("变动"))
    stock_after = models.IntegerField(_("变动后库存"))
    reason = models.CharField(_("原因"), max_length=8, choices=StockReason.choices)
    redemption = models.ForeignKey(
        Redemption, models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "item__node__code", False

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("库存变动")
        verbose_name_plural = _("库存变动")

    def __str__(self):
        return f"{self.item} {self.delta:+d}"
