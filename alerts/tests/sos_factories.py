"""Small builders for the SOS tests over the tiny Jizhou city (``tests.conftest``): a
vendor with its key, a device bound to a resident of the demo grid worker's grid."""

from alerts.models import Device
from alerts.sos.keys import do_create_vendor
from org.models import User
from residents.models import Resident


def admin():
    return User.objects.get(username="demo-admin")


def demo_grid():
    return User.objects.get(username="demo-grid").assignments.get().node


def resident_of(grid, n=0) -> Resident:
    return Resident.objects.filter(household__grid=grid).order_by("pk")[n]


def vendor_with_key(name="智慧手环公司"):
    return do_create_vendor(name, actor=admin())


def bound_device(vendor, resident, device_id="WB-0001", **fields) -> Device:
    return Device.objects.create(
        vendor=vendor, device_id=device_id, resident=resident, kind="智能手环", **fields
    )
