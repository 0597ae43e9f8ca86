from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.boundaries import do_import_boundaries, may_import_boundaries, plan_file
from exchange.models import BoundaryImport
from org.boundaries import BoundaryFileError
from org.boundaries.readers import siblings_of
from org.models import User

FINDINGS = {
    "outside": "超出上级",
    "gap": "上级有缺口",
    "overlap": "与同级重叠",
    "child_outside": "下级超出新边界",
}


class Command(BaseCommand):
    help = (
        "Import boundaries (GeoJSON, a shapefile .zip or .shp, KML/KMZ) onto the nodes of "
        "one level, matched by code or name; invalid polygons are repaired and reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--level", required=True, help="level key: district, street, grid…")
        parser.add_argument("--parent", default="", help="only nodes under this node code")
        parser.add_argument("--match", choices=["code", "name"], default="code")
        parser.add_argument("--property", default="", help="the feature property to match on")
        parser.add_argument("--user", help="import as this account (its scope applies)")
        parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")

    def handle(self, *args, file, level, parent, match, property, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"没有文件 {path}")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None or not may_import_boundaries(actor):
                raise CommandError(f"账号 {user} 不存在或不能导入边界")
        try:
            plan, found_level, found_parent = plan_file(
                path.read_bytes(),
                path.name,
                user=actor,
                level=level,
                parent=parent,
                match=match,
                prop=property,
                siblings=siblings_of(path),
            )
        except BoundaryFileError as error:
            raise CommandError(str(error)) from None
        self._write_report(plan.report)
        if dry_run:
            self.stdout.write("只检查(--dry-run), 没有写入。")
            return
        record = BoundaryImport.objects.create(
            user=actor,
            source_name=str(path.resolve())[:300],
            level=found_level.key,
            parent_code=found_parent.code if found_parent else "",
            match=match,
        )
        record = do_import_boundaries(plan, actor=actor, record=record)
        version = f", 网格地图版本 {record.map_version}" if record.map_version else ""
        self.stdout.write(f"已导入: 更新 {record.updated} 个节点的边界(记录 #{record.pk}{version})")

    def _write_report(self, report):
        counts = report["counts"]
        self.stdout.write(
            f"{report['format']}{' · ' + report['encoding'] if report['encoding'] else ''}: "
            f"{counts['features']} 个要素, 按属性「{report['property']}」匹配"
        )
        self.stdout.write(
            f"  匹配 {counts['matched']}, 其中修复 {counts['repaired']}; 拒绝 {counts['refused']}; "
            f"未匹配 {counts['unmatched']}; 没有边界的节点 {counts['missing']}"
        )
        for note in report["notes"]:
            self.stdout.write(f"  注意: {note}")
        for item in report["repaired"]:
            self.stdout.write(f"  修复 {item['label']} → {item['code']}: {item['problem']}")
        for item in report["refused"]:
            self.stdout.write(f"  拒绝 {item['label']}: {item['reason']}")
        for item in report["unmatched"]:
            self.stdout.write(f"  未匹配 {item['label']} ({item['value']}): {item['reason']}")
        for item in report["findings"]:
            other = f" / {item['other_name']}" if item["other"] else ""
            self.stdout.write(f"  {FINDINGS[item['kind']]} {item['name']}{other}: {item['share']}%")
