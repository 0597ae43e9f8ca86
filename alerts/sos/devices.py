"""The device sheet: an Excel workbook (openpyxl) that registers devices and binds them to
residents, all rows or none.

Columns (first row, by name): 厂商, 设备号, 设备类型 (optional), 身份证号 or 户编码 + 姓名
(the resident; both empty leaves the device unbound), 启用 (optional: 否/0 switches it
off). The resident must be one the importer sees (``residents.Resident.restrict``). A
device already registered (same vendor and number) is updated: rebinding a wristband
handed to another resident is a row like any other.

Why not an ``exchange`` register: the sheet is a few hundred rows per community, its verb
is ``alerts.manage_devices`` (an exchange register runs under ``exchange.import``), and a
wrong row is shown on the page with its reason, so the preview and error file of the
registers would add a step without adding safety.
"""

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from alerts.models import Device, Vendor
from gridgov.errors import ActionError, InvalidInput, NotPermitted
from org.permissions import has
from residents.models import Resident

MAX_ROWS = 5000
COLUMNS = ["厂商", "设备号", "设备类型", "身份证号", "户编码", "姓名", "启用"]
OFF = {"否", "0", "停用", "false", "no"}


class DeviceSheetError(ActionError):
    """The sheet's wrong rows: ``rows`` is ``[(row number, reason)]``."""

    def __init__(self, rows):
        super().__init__(f"有 {len(rows)} 行有误，未导入任何设备", code="invalid_sheet")
        self.rows = rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload) -> list[dict]:
    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).active
    except Exception as error:  # openpyxl raises several kinds for a file that is not xlsx
        raise InvalidInput("请上传 Excel 文件（.xlsx）") from error
    rows = sheet.iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    if "厂商" not in header or "设备号" not in header:
        raise InvalidInput("第一行须有「厂商」「设备号」两列")
    found = []
    for values in rows:
        row = {name: _text(v) for name, v in zip(header, values, strict=False) if name}
        if any(row.values()):
            found.append(row)
        if len(found) > MAX_ROWS:
            raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行")
    return found


def _resident(row, residents):
    id_number, household, name = row.get("身份证号"), row.get("户编码"), row.get("姓名")
    if id_number:
        return residents.filter(id_number=id_number.upper()).first(), "身份证号"
    if household and name:
        return residents.filter(household__code=household, name=name).first(), "户编码和姓名"
    return None, ""


def do_import_devices(upload, *, actor) -> dict:
    """Register and bind the sheet's devices; ``{"added", "updated"}``. Raises
    DeviceSheetError with every wrong row, InvalidInput for a file that is no sheet."""
    if not has(actor, "alerts.manage_devices"):
        raise NotPermitted("只有管理求助设备的工作人员可以导入设备")
    if upload is None:
        raise InvalidInput("请选择文件")
    rows = read_rows(upload)
    vendors = {vendor.name: vendor for vendor in Vendor.objects.all()}
    residents = Resident.objects.restrict(actor)
    errors, plan = [], []
    for number, row in enumerate(rows, start=2):
        vendor = vendors.get(row.get("厂商", ""))
        device_id = row.get("设备号", "")[:64]
        if vendor is None:
            errors.append((number, f"没有厂商「{row.get('厂商', '')}」，请先创建"))
            continue
        if not device_id:
            errors.append((number, "设备号为空"))
            continue
        resident, how = _resident(row, residents)
        if how and resident is None:
            errors.append((number, f"按{how}找不到居民，或不在您的管辖范围内"))
            continue
        bound_to = (
            Device.objects.filter(vendor=vendor, device_id=device_id)
            .values_list("resident_id", flat=True)
            .first()
        )
        if bound_to and not residents.filter(pk=bound_to).exists():
            errors.append((number, "这个设备已绑定您管辖范围以外的居民"))
            continue
        active = row.get("启用", "").lower() not in OFF
        plan.append((vendor, device_id, row.get("设备类型", "")[:20], resident, active))
    if errors:
        raise DeviceSheetError(errors)
    added = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for vendor, device_id, kind, resident, active in plan:
            device = Device.objects.filter(vendor=vendor, device_id=device_id).first()
            if device is None:
                device = Device(vendor=vendor, device_id=device_id)
                added += 1
            else:
                updated += 1
            if device.resident_id != (resident.pk if resident else None):
                device.bound_at = now if resident else None
            device.resident, device.kind, device.is_active = resident, kind, active
            device.save()
    return {"added": added, "updated": updated}
