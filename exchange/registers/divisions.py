"""The tree itself: administrative divisions (GB/T 2260, 统计用区划代码) and the grids below
the communities, one row per node.

Columns: 编码 (a node's unified code; the published 4/6/9/12-digit forms and the 12-digit
right-padded one are accepted and cut to the level's width), 名称, 上级编码, 层级 (the
preset's level key or name, or city/county/town/village as the statistics bureau's files
say), 网格类型. The statistics bureau's export (``code, name, parent_code, level,
source_code``) imports as it is.

Rules (the code scheme is ``org.codes.node_code``, the same as the admin's):

- the level comes from the 层级 column, else from the code's length; the code must start
  with its parent's code and have the level's width; a bad row goes to the error file
  with the reason, never silently dropped;
- rows above the preset's root (福州市 for a county preset) or beside it (another county
  of the city) are skipped and counted, not errors: a county takes its own subtree from
  the city's file;
- a grid row may leave 编码 empty: it gets the next free code of its level's width under
  its community (or the code of the grid of that name already there);
- natural key: the code. The same file twice changes nothing; a new name renames the
  node (reported); a node the file no longer lists under a node it lists (on a level the
  file has rows of), or that
  now appears under another parent (same name and level, new code), is reported in the
  error file and ``ImportJob.report`` and never deleted: its grids, households and cases
  need a person to move them.

Who: ``org.import_divisions`` at the node (renaming) or at its parent (adding).
"""

from dataclasses import dataclass, field

from django.utils import timezone

from exchange.access import in_division_scope
from exchange.importing import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Column,
    HeaderError,
    Row,
    RowError,
    Sheet,
)
from exchange.models import ImportJob, ImportKind
from exchange.tabular import ErrorSink, text
from org.codes import PUBLISHED_LENGTHS, CodeError, digits, node_code, subtree_q, unpad
from org.models import GridKind, Level, LevelKind, OrgNode
from presets.loader import PresetError, active_preset

COLUMNS = (
    Column("code", "编码", False, ("code", "统一编码", "区划代码", "节点编码")),
    Column("name", "名称", True, ("name", "节点名称", "区划名称")),
    Column("parent_code", "上级编码", False, ("parent_code", "上级代码", "上级区划代码")),
    Column("level", "层级", False, ("level", "级别")),
    Column("grid_kind", "网格类型", False, ("grid_kind",)),
)
# The statistics bureau's level words → the length of their codes (GB/T 2260 + 统计用区划代码).
PUBLISHED_LEVELS = {
    "province": 2,
    "省": 2,
    "city": 4,
    "市": 4,
    "county": 6,
    "区县": 6,
    "县": 6,
    "town": 9,
    "乡镇": 9,
    "乡镇街道": 9,
    "village": 12,
    "村": 12,
    "村社区": 12,
}
GRID_WORDS = {"grid", "网格"}
UNIT_GRID_WORDS = {GridKind.UNIT.value, str(GridKind.UNIT.label), "单位", "单位网格"}
REPORT_LIMIT = 500  # report entries kept on the job (the error file has them all)
MAX_NAME = OrgNode._meta.get_field("name").max_length


@dataclass
class Known:
    """A node as the import sees it: in the database (pk) or only in this file so far."""

    pk: int | None
    name: str
    depth: int
    parent: str
    grid_kind: str = ""


@dataclass
class DivisionRow:
    code: str
    name: str
    parent: str
    level: Level | None
    grid_kind: str = ""
    skip: str = ""  # "above" / "outside" the preset's root
    note: str = ""


@dataclass
class Outcome:
    """What the file as a whole said, for the report."""

    renamed: list = field(default_factory=list)
    created: dict = field(default_factory=dict)  # (depth, name) → [codes] made by this import
    above: int = 0
    outside: int = 0


class DivisionSheet(Sheet):
    kind = ImportKind.DIVISIONS
    title = "行政区划和网格"
    columns = COLUMNS

    def __init__(self, user=None, *, dry_run: bool = False):
        super().__init__(user)
        self.dry_run = dry_run

    # -- lookups -------------------------------------------------------------------------

    def begin(self) -> None:
        self.levels = [
            level
            for level in Level.objects.order_by("depth")
            if level.kind in (LevelKind.ADMIN, LevelKind.GRID)
        ]
        if not self.levels:
            raise HeaderError("还没有加载预设的层级，不能导入区划")
        self.lengths, total = [], 0
        for level in self.levels:
            total += level.code_width
            self.lengths.append(total)
        self.by_length = {
            length: level for length, level in zip(self.lengths, self.levels, strict=True)
        }
        self.words = {}
        for level in self.levels:
            self.words[level.key.lower()] = self.words[level.name] = level
            if level.kind == LevelKind.GRID:
                self.words.update(dict.fromkeys(GRID_WORDS, level))
        for word, length in PUBLISHED_LEVELS.items():
            if length in self.by_length:
                self.words.setdefault(word, self.by_length[length])
        self.root = self._root_code()
        nodes = OrgNode.objects.all()
        if self.root:
            nodes = nodes.filter(subtree_q(self.root))
        self.index: dict[str, Known] = {}
        self.children: dict[str, list[str]] = {}
        for pk, code, name, depth, parent, grid_kind in nodes.values_list(
            "pk", "code", "name", "level__depth", "parent__code", "grid_kind"
        ):
            self.index[code] = Known(pk, name, depth, parent or "", grid_kind)
            self.children.setdefault(parent or "", []).append(code)
        self.pending: dict[str, Known] = {}
        self.seen: dict[str, int] = {}  # code → its line
        self.names: dict[tuple[str, str], str] = {
            (known.parent, known.name): code
            for code, known in self.index.items()
            if known.depth == len(self.levels) - 1
        }
        self.outcome = Outcome()

    def _root_code(self) -> str:
        """The preset's region code (the top of what this installation holds), else the
        code of the tree's one root; "" when neither says."""
        try:
            return active_preset().region.code
        except PresetError:
            roots = list(OrgNode.objects.filter(parent=None).values_list("code", flat=True))
            return roots[0] if len(roots) == 1 else ""

    def _known(self, code: str) -> Known | None:
        return self.index.get(code) or self.pending.get(code)

    def _level_word(self, value) -> Level | None:
        word = text(value)
        if not word:
            return None
        level = self.words.get(word.lower()) or self.words.get(word)
        if level is None:
            names = "、".join(level.name for level in self.levels)
            raise RowError(
                f"层级「{word}」不认识，应为 {names} 之一（或 city/county/town/village）"
            )
        return level

    # -- rows ----------------------------------------------------------------------------

    def parse(self, row: Row) -> DivisionRow:
        values = row.values
        name = text(values.get("name"))
        if not name:
            raise RowError("名称为空")
        if len(name) > MAX_NAME:
            raise RowError(f"名称超过 {MAX_NAME} 个字")
        raw = text(values.get("code"))
        raw_parent = text(values.get("parent_code"))
        try:
            if raw:
                data = self._coded(raw, name, raw_parent, values.get("level"))
            else:
                data = self._codeless(name, raw_parent, self._level_word(values.get("level")))
        except CodeError as error:
            raise RowError(error.reason) from None
        if data.skip:
            return data
        if data.level.kind == LevelKind.GRID:
            word = text(values.get("grid_kind"))
            data.grid_kind = GridKind.UNIT if word in UNIT_GRID_WORDS else GridKind.RESIDENTIAL
        first = self.seen.get(data.code)
        if first is not None:
            raise RowError(f"编码 {data.code} 与第 {first} 行重复")
        known = self.index.get(data.code)
        if known is not None and known.parent != data.parent:
            raise RowError(f"编码 {data.code} 已在上级 {known.parent or '(无)'} 下")
        if known is not None and known.depth != data.level.depth:
            raise RowError(f"编码 {data.code} 已是「{self.levels[known.depth].name}」级")
        where = data.code if known is not None else (data.parent or data.code)
        if not in_division_scope(self.user, where):
            raise RowError(f"{where} 不在您可以调整区划的范围内")
        self.seen[data.code] = row.line
        if known is None:
            self.pending[data.code] = Known(
                None, name, data.level.depth, data.parent, data.grid_kind
            )
            if data.level.kind == LevelKind.GRID:
                self.names[(data.parent, name)] = data.code
        return data

    def _coded(self, raw: str, name: str, raw_parent: str, word) -> DivisionRow:
        code = digits(raw)
        if self.root:
            published = unpad(code, {*PUBLISHED_LENGTHS, *self.lengths})
            if len(published) < len(self.root) and self.root.startswith(published):
                return DivisionRow(code, name, "", None, skip="above")
            if not code.startswith(self.root):
                return DivisionRow(code, name, "", None, skip="outside")
        level = self._level_word(word)
        if level is None:
            level = self.by_length.get(len(unpad(code, self.lengths)))
            if level is None:
                widths = "、".join(str(length) for length in self.lengths)
                raise RowError(f"编码 {code} 的位数对不上任何层级(应为 {widths} 位)")
        parent = code[: self.lengths[level.depth - 1]] if level.depth else ""
        code = node_code(code, parent_code=parent, width=level.code_width, level_name=level.name)
        if raw_parent and level.depth:
            given = unpad(digits(raw_parent), self.lengths)
            if given != parent:
                raise RowError(f"编码 {code} 应以上级编码 {given} 开头")
        if level.depth == 0 and self.root and code != self.root:
            raise RowError(f"最上层只能是 {self.root}, 不是 {code}")
        self._check_parent(parent, level)
        note = f"记为 {code}" if code != raw else ""
        return DivisionRow(code, name, parent, level, note=note)

    def _check_parent(self, parent: str, level: Level) -> None:
        """The parent exists (in the tree or earlier in the file) on the level above."""
        if level.depth == 0:
            return
        above = self.levels[level.depth - 1]
        known = self._known(parent)
        if known is None:
            raise RowError(f"上级 {parent} 不存在（先导入上级，或在文件中把它排在前面）")
        if known.depth != above.depth:
            raise RowError(f"上级 {parent} 不是「{above.name}」级")

    def _codeless(self, name: str, raw_parent: str, hint: Level | None) -> DivisionRow:
        grid = self.levels[-1]
        if hint is not None and hint != grid:
            raise RowError(f"只有「{grid.name}」可以不填编码（自动赋码）, 「{hint.name}」要填编码")
        if not raw_parent:
            raise RowError("不填编码的网格要填上级编码")
        parent = unpad(digits(raw_parent), self.lengths)
        length = self.lengths[grid.depth - 1]
        if len(parent) != length:
            above = self.levels[grid.depth - 1]
            raise RowError(f"上级编码 {parent} 不是「{above.name}」级的编码(应为 {length} 位)")
        self._check_parent(parent, grid)
        code = self.names.get((parent, name))
        if code is None:
            code = self._next_code(parent, grid.code_width)
            return DivisionRow(code, name, parent, grid, note=f"自动赋码 {code}")
        return DivisionRow(code, name, parent, grid)

    def _next_code(self, parent: str, width: int) -> str:
        taken = [
            int(code[len(parent) :])
            for code in (*self.children.get(parent, ()), *self.pending)
            if code.startswith(parent) and len(code) == len(parent) + width
        ]
        number = max(taken, default=0) + 1
        if number >= 10**width:
            raise RowError(f"{parent} 下的 {width} 位编号已用完")
        return f"{parent}{number:0{width}d}"

    def describe(self, row: Row) -> dict:
        data: DivisionRow = row.data
        if data.skip:
            return {"note": self._skip_text(data.skip)}
        known = self.index.get(data.code)
        if known is None:
            what = f"新建「{data.level.name}」"
        elif known.name != data.name:
            what = f"改名：{known.name} → {data.name}"
        else:
            what = "不变"
        return {"note": "; ".join(part for part in (what, data.note) if part)}

    def _skip_text(self, skip: str) -> str:
        return f"跳过：在 {self.root} 之上" if skip == "above" else f"跳过：不在 {self.root} 之内"

    def apply(self, row: Row) -> str:
        data: DivisionRow = row.data
        if data.skip:
            if data.skip == "above":
                self.outcome.above += 1
            else:
                self.outcome.outside += 1
            return SKIPPED
        known = self.index.get(data.code)
        if known is not None:
            return self._update(data, known)
        parent = self.index.get(data.parent) if data.parent else None
        if data.parent and parent is None:
            raise RowError(f"上级 {data.parent} 没有导入成功")
        if not self.dry_run:
            node = OrgNode(
                code=data.code,
                name=data.name,
                level=data.level,
                grid_kind=data.grid_kind,
                parent=self._stub(data.parent, parent) if parent else None,
            )
            node.clean()  # the admin's rule, once more, on what is written
            node.save()
            pk = node.pk
        else:
            pk = None
        self.index[data.code] = Known(pk, data.name, data.level.depth, data.parent, data.grid_kind)
        self.pending.pop(data.code, None)
        self.children.setdefault(data.parent, []).append(data.code)
        self.outcome.created.setdefault((data.level.depth, data.name), []).append(data.code)
        return CREATED

    def _stub(self, code: str, known: Known) -> OrgNode:
        # What OrgNode.clean reads of the parent, without a query per row.
        return OrgNode(pk=known.pk, code=code, level=self.levels[known.depth], name=known.name)

    def _update(self, data: DivisionRow, known: Known) -> str:
        changes = {}
        if known.name != data.name:
            changes["name"] = data.name
        if data.grid_kind and known.grid_kind and known.grid_kind != data.grid_kind:
            changes["grid_kind"] = data.grid_kind
        if not changes:
            return UNCHANGED
        if not self.dry_run:
            OrgNode.objects.filter(pk=known.pk).update(**changes, updated_at=timezone.now())
        if "name" in changes:
            self.outcome.renamed.append((data.code, known.name, data.name))
        known.name = data.name
        known.grid_kind = changes.get("grid_kind", known.grid_kind)
        return UPDATED

    # -- the file as a whole ---------------------------------------------------------------

    def finish(self, job: ImportJob, errors: ErrorSink) -> None:
        """Report renamed nodes, and nodes the file no longer lists under a node it lists,
        on a level it has rows of (``missing``; ``moved`` when this import created a node
        of the same name and level under another parent). Nothing is deleted."""
        outcome, report = self.outcome, []
        for code, old, new in outcome.renamed:
            report.append(
                {"kind": "renamed", "code": code, "name": new, "detail": f"原名「{old}」"}
            )
        flagged = []
        # A file speaks for the children of the nodes it lists as rows, on the levels it
        # has rows of: a file of new grids says nothing of the streets, one of the
        # statistics bureau's nothing of the grids.
        depths = {self.index[code].depth for code in self.seen if code in self.index}
        for parent in sorted(self.seen):
            for code in self.children.get(parent, ()):
                known = self.index[code]
                if code in self.seen or known.depth not in depths:
                    continue
                now = [
                    c
                    for c in outcome.created.get((known.depth, known.name), ())
                    if self.index[c].parent != parent
                ]
                if now:
                    detail = (
                        f"疑似调整隶属：文件中同名的 {now[0]} 在上级 {self.index[now[0]].parent} 下"
                    )
                    kind = "moved"
                else:
                    detail = f"文件中 {parent} 下没有这个节点"
                    kind = "missing"
                detail += "; 原节点未删除，其下的网格、住户请人工核对迁移"
                report.append({"kind": kind, "code": code, "name": known.name, "detail": detail})
                flagged.append((code, known, detail))
        self._flag_in_error_file(errors, flagged)
        job.report = report[:REPORT_LIMIT]
        job.message = self.summary(job)[:500]

    def _flag_in_error_file(self, errors: ErrorSink, flagged) -> None:
        if not flagged:
            return
        positions = self.resolve(errors.headers[:-2])
        width = len(errors.headers) - 2
        for code, known, detail in flagged:
            cells = [None] * width
            values = {
                "code": code,
                "name": known.name,
                "parent_code": known.parent,
                "level": self.levels[known.depth].key,
            }
            for key, value in values.items():
                if key in positions:
                    cells[positions[key]] = value
            errors.add(None, cells, f"需核对：{detail}")

    def summary(self, job: ImportJob) -> str:
        """One sentence over the job's counts and the report, in Chinese."""
        outcome = self.outcome
        kinds = [entry["kind"] for entry in job.report]
        parts = []
        if outcome.above or outcome.outside:
            parts.append(f"跳过 {self.root} 之上的 {outcome.above} 行、之外的 {outcome.outside} 行")
        if outcome.renamed:
            parts.append(f"改名 {len(outcome.renamed)} 个")
        if kinds.count("moved"):
            parts.append(f"疑似调整隶属 {kinds.count('moved')} 个（未删除）")
        if kinds.count("missing"):
            parts.append(f"文件中没有的节点 {kinds.count('missing')} 个（未删除，见错误文件）")
        text_ = "; ".join(parts)
        return f"试运行，没有写入。{text_}" if self.dry_run else text_


def export_divisions(user, *, reveal: bool = False) -> tuple[list[str], list[list]]:
    """The tree down to the grids the user sees, in the import's own columns."""
    nodes = (
        OrgNode.objects.restrict(user)
        .filter(level__kind__in=(LevelKind.ADMIN, LevelKind.GRID))
        .select_related("level", "parent")
        .order_by("code")
    )
    rows = [
        [
            node.code,
            node.name,
            node.parent.code if node.parent_id else "",
            node.level.key,
            node.get_grid_kind_display() if node.grid_kind else "",
        ]
        for node in nodes.iterator(chunk_size=2000)
    ]
    return [c.label for c in COLUMNS], rows
