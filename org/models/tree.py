"""The administrative tree down to households, addressed by unified codes."""

import secrets

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from org.models.base import ScopedQuerySet, TimeStampedModel


class LevelKind(models.TextChoices):
    ADMIN = "admin", _("行政层级")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")
    HOUSEHOLD = "household", _("户")


class Level(models.Model):
    """One level of the tree as the loaded preset names it (e.g. 镇街, 村社区, 网格)."""

    depth = models.PositiveSmallIntegerField(unique=True)
    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=LevelKind.choices)
    code_width = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["depth"]
        verbose_name = _("层级")
        verbose_name_plural = _("层级")

    def __str__(self):
        return self.name


class GridKind(models.TextChoices):
    RESIDENTIAL = "residential", _("小区(自然村)网格")
    UNIT = "unit", _("单位网格")


class OrgNode(TimeStampedModel):
    """A node of the administrative tree: city, district, street, community or grid."""

    code = models.CharField(_("统一编码"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.ForeignKey(Level, models.PROTECT, related_name="nodes")
    name = models.CharField(_("名称"), max_length=100)
    grid_kind = models.CharField(_("网格类型"), max_length=16, choices=GridKind.choices, blank=True)
    # GeoJSON Polygon geometry in WGS84 lng/lat; grids have one, other nodes may.
    geometry = models.JSONField(_("边界"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "code", False

    class Meta:
        ordering = ["code"]
        verbose_name = _("组织节点")
        verbose_name_plural = _("组织节点")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_grid(self) -> bool:
        return bool(self.grid_kind)

    def clean(self):
        """The code follows the scheme (``org.codes.node_code``: digits, the parent's code
        plus this level's width; a 12-digit padded code is cut to it), the level is the
        one below the parent's, a grid level node has a grid kind, and a node with nodes
        below it keeps its code (theirs start with it)."""
        from django.core.exceptions import ValidationError

        from org.codes import CodeError, node_code

        if self.level_id is None:
            return
        level, parent = self.level, self.parent if self.parent_id else None
        if level.kind not in (LevelKind.ADMIN, LevelKind.GRID):
            raise ValidationError({"level": f"「{level.name}」不是组织节点的层级"})
        expected = parent.level.depth + 1 if parent else 0
        if level.depth != expected:
            where = f"「{parent.name}」下" if parent else "最上层"
            raise ValidationError({"level": f"{where}的节点应在第 {expected + 1} 级"})
        if level.kind == LevelKind.GRID and not self.grid_kind:
            raise ValidationError({"grid_kind": "网格要选网格类型"})
        if level.kind != LevelKind.GRID and self.grid_kind:
            raise ValidationError({"grid_kind": "只有网格有网格类型"})
        try:
            self.code = node_code(
                self.code,
                parent_code=parent.code if parent else "",
                width=level.code_width,
                level_name=level.name,
            )
        except CodeError as error:
            raise ValidationError({"code": error.reason}) from None
        if self.pk is not None:
            before = OrgNode.objects.filter(pk=self.pk).values_list("code", flat=True).first()
            below = self.children.exists() or self.buildings.exists() or self.households.exists()
            if before and before != self.code and below:
                raise ValidationError({"code": f"{before} 下已有节点, 不能改编码"})


class GridMapVersion(models.Model):
    """A counter bumped whenever grid geometry changes, so every process can tell
    that its in-memory point→grid index is stale with one indexed read."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"grid map v{self.version}"

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls) -> None:
        updated = cls.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            # A random start, so a process that knew the counter of an earlier database
            # (before a flush or a restore) cannot mistake the new one for it.
            cls.objects.get_or_create(pk=1, defaults={"version": secrets.randbits(62)})


class Building(TimeStampedModel):
    code = models.CharField(_("统一编码"), max_length=32, unique=True)
    grid = models.ForeignKey(OrgNode, models.PROTECT, related_name="buildings")
    name = models.CharField(_("名称"), max_length=100)
    # Indexed: intake places a case reported with an address by exact match.
    address = models.CharField(_("地址"), max_length=200, blank=True, db_index=True)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "code", False

    class Meta:
        ordering = ["code"]
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")

    def __str__(self):
        return self.name


class BuildingUnit(models.Model):
    code = models.CharField(_("统一编码"), max_length=32, unique=True)
    building = models.ForeignKey(Building, models.CASCADE, related_name="units")
    name = models.CharField(_("名称"), max_length=50)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "code", False

    class Meta:
        ordering = ["code"]
        verbose_name = _("单元")
        verbose_name_plural = _("单元")

    def __str__(self):
        return self.name


class Household(TimeStampedModel):
    code = models.CharField(_("统一编码"), max_length=40, unique=True)
    grid = models.ForeignKey(OrgNode, models.PROTECT, related_name="households")
    building = models.ForeignKey(
        Building, models.PROTECT, null=True, blank=True, related_name="households"
    )
    unit = models.ForeignKey(
        BuildingUnit, models.PROTECT, null=True, blank=True, related_name="households"
    )
    room = models.CharField(_("门牌/房号"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, db_index=True)
    is_party_member_household = models.BooleanField(_("党员中心户"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "code", True

    class Meta:
        ordering = ["code"]
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self):
        return self.address
