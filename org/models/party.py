"""The parallel party-organisation tree and partner units paired with grids."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models.base import ScopedQuerySet
from org.models.tree import Building, Household, Level, OrgNode


class PartyLevel(models.Model):
    """A level of the party tree as the preset names it (大工委, 大党委, 网格党支部…)."""

    depth = models.PositiveSmallIntegerField(unique=True)
    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=32)
    org_level = models.ForeignKey(Level, models.PROTECT, related_name="party_levels")

    class Meta:
        ordering = ["depth"]
        verbose_name = _("党组织层级")
        verbose_name_plural = _("党组织层级")

    def __str__(self):
        return self.name


class PartyOrg(models.Model):
    # The code of the org node, building or household it is linked to, then its level's key:
    # two party levels may sit at one org level (Rongcheng's 市级基治委 and 市社区中心).
    code = models.CharField(_("编码"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.ForeignKey(PartyLevel, models.PROTECT, related_name="orgs")
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="party_orgs")
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True)
    household = models.ForeignKey(Household, models.CASCADE, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        ordering = ["code"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self):
        return self.name


class PartnerUnit(models.Model):
    """共建单位: an organ, enterprise or institution that co-builds with grids."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=32)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    grids = models.ManyToManyField(OrgNode, through="GridPairing", related_name="partners")

    class Meta:
        ordering = ["code"]
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")

    def __str__(self):
        return self.name


class GridPairing(models.Model):
    partner = models.ForeignKey(PartnerUnit, models.CASCADE, related_name="pairings")
    grid = models.ForeignKey(OrgNode, models.CASCADE, related_name="pairings")
    since = models.DateField(_("结对日期"))

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "grid__code", False

    class Meta:
        verbose_name = _("网格结对")
        verbose_name_plural = _("网格结对")
        constraints = [
            models.UniqueConstraint(fields=["partner", "grid"], name="unique_grid_pairing")
        ]

    def __str__(self):
        return f"{self.partner} ↔ {self.grid.name}"
