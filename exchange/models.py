"""Data exchange with other systems: 12345 hotline systems with their column layout and
API keys, import jobs (file, progress, error file) and the log of every export."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


class HotlineSystem(models.Model):
    """A hotline system (12345, 12343…) we exchange work orders with.

    ``mapping`` maps our field names (exchange.hotline.FIELDS) to the headers of the
    hotline's own files; fields it leaves out use our default header and its aliases, and a
    field mapped to ``""`` or ``false`` is not read at all. ``slug`` is what
    the cases keep as ``Case.source_system``, so it must never change once orders came in.
    """

    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("标识"), max_length=32, unique=True)
    channel = models.SlugField(_("渠道"), max_length=32, default="hotline_12345")
    mapping = models.JSONField(_("列映射"), default=dict, blank=True)
    date_format = models.CharField(
        _("日期格式"),
        max_length=40,
        default=DEFAULT_DATE_FORMAT,
        help_text=_("Python strftime 格式, 例如 %Y-%m-%d %H:%M:%S 或 %Y/%m/%d %H:%M"),
    )
    # Our status → the hotline's word for it in the export (blank: our own labels).
    status_names = models.JSONField(_("状态名称"), default=dict, blank=True)
    # The zone of the hotline's times that carry no offset (an IANA name).
    time_zone = models.CharField(_("时区"), max_length=64, default=DEFAULT_TIME_ZONE)
    # The hotline's status words → ours, for historical orders (exchange.history).
    status_map = models.JSONField(_("状态对照"), default=dict, blank=True)
    # The hotline's category wording ("城乡建设" or "城乡建设/市政设施") → a catalogue code.
    category_map = models.JSONField(_("分类对照"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("热线系统")
        verbose_name_plural = _("热线系统")

    def __str__(self):
        return self.name


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class HotlineApiKeyQuerySet(models.QuerySet):
    def for_raw_key(self, raw: str):
        return self.filter(key_hash=_hash_key(raw), is_active=True, system__is_active=True)


class HotlineApiKey(models.Model):
    """A key a hotline system sends as ``Authorization: Api-Key <key>`` to push orders.

    Only its SHA-256 is stored; the key itself is shown once when it is issued. Orders
    pushed with it are filed as ``user`` (whose scope bounds where they may land)."""

    system = models.ForeignKey(HotlineSystem, models.CASCADE, related_name="api_keys")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("代表账号"),
        help_text=_("推送的工单以这个账号的名义和管辖范围登记"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = HotlineApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("热线接口密钥")
        verbose_name_plural = _("热线接口密钥")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self) -> str:
        """Give this key a fresh secret; returns it (the only time it is readable)."""
        raw = "hk_" + secrets.token_urlsafe(30)
        self.prefix = raw[:8]
        self.key_hash = _hash_key(raw)
        return raw

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            HotlineApiKey.objects.filter(pk=self.pk).update(last_used_at=now)


class ImportKind(models.TextChoices):
    HOTLINE = "hotline", _("12345 工单")
    STAFF = "staff", _("工作人员名册")
    RESIDENTS = "residents", _("户和居民")
    PARTNERS = "partners", _("共建单位")
    CATALOGUE = "catalogue", _("事项清单")
    DIVISIONS = "divisions", _("行政区划和网格")
    MEMBERS = "members", _("双报到名册")


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("待确认")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def upload_path(job, filename):
    return f"exchange/imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}-{filename}"


class ImportJob(models.Model):
    """One import of one file: who, what, how far it got, and what went wrong."""

    kind = models.CharField(_("类型"), max_length=16, choices=ImportKind.choices)
    system = models.ForeignKey(
        HotlineSystem, models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.FileField(upload_to=upload_path, max_length=300, blank=True)
    source_name = models.CharField(_("文件名"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.UPLOADED
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    created = models.PositiveIntegerField(_("新建"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    # Rows the sheet passes over on purpose (a division above or beside the preset's root).
    skipped = models.PositiveIntegerField(_("跳过"), default=0)
    # Hotline orders placed in a grid (by coordinates or address).
    located = models.PositiveIntegerField(_("定位到网格"), default=0)
    error_file = models.FileField(max_length=300, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    # What a person should look at besides the bad rows, from the sheet's ``finish``:
    # [{"kind": "renamed" | "moved" | "missing" | …, "code", "name", "detail"}].
    report = models.JSONField(_("报告"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return f"{self.get_kind_display()} {self.source_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()

    @property
    def rows_per_second(self) -> float | None:
        seconds = self.seconds
        return self.done / seconds if seconds else None


class ExportRecord(models.Model):
    """Append-only: who exported which register, over which part of the tree, and
    whether personal data went out unmasked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    kind = models.CharField(_("内容"), max_length=40)
    scope = models.CharField(_("范围"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    revealed = models.BooleanField(_("含未脱敏信息"), default=False)
    file_format = models.CharField(max_length=8)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")

    def __str__(self):
        return f"{self.user} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("export records are never changed")
        super().save(*args, **kwargs)


class BoundaryStatus(models.TextChoices):
    UPLOADED = "uploaded", _("待确认")
    APPLIED = "applied", _("已导入")


def boundary_upload_path(record, filename):
    return f"exchange/boundaries/{timezone.now():%Y/%m}/{secrets.token_hex(8)}-{filename}"


class BoundaryImport(models.Model):
    """One import of boundaries (org.boundaries) onto one level of the tree: who, when,
    which file, the counts, the report, and the outlines it replaced.

    ``previous`` maps each updated node's code to its geometry before the import (None
    where it had none), so any import can be undone by writing those back (an undo is a
    record of its own, ``reverts`` naming the import it undid). ``report`` is
    ``org.boundaries.Plan.report`` as it was applied. ``map_version`` is the grid map's
    version after the import when it touched grids (the point→grid index reloads on it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.FileField(upload_to=boundary_upload_path, max_length=300, blank=True)
    source_name = models.CharField(_("文件名"), max_length=300)
    level = models.CharField(_("层级"), max_length=32)
    parent_code = models.CharField(_("上级节点"), max_length=32, blank=True)
    match = models.CharField(_("匹配方式"), max_length=8, default="code")
    match_property = models.CharField(_("匹配属性"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=BoundaryStatus.choices, default=BoundaryStatus.UPLOADED
    )
    features = models.PositiveIntegerField(_("要素"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    repaired = models.PositiveIntegerField(_("已修复"), default=0)
    refused = models.PositiveIntegerField(_("拒绝"), default=0)
    unmatched = models.PositiveIntegerField(_("未匹配"), default=0)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    previous = models.JSONField(_("原边界"), default=dict, blank=True)
    map_version = models.PositiveBigIntegerField(null=True, blank=True)
    # An undo is an import of its own, writing back another import's ``previous``.
    reverts = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reverted_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("边界导入")
        verbose_name_plural = _("边界导入")

    def __str__(self):
        return f"边界 {self.source_name}"
