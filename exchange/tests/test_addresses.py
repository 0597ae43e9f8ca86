"""Address → grid against the base information of the tiny city, the ways callers write
addresses, and keys several grids share."""

import pytest

from exchange.addresses import AddressIndex, Match, address_index, normalise
from org.models import Building, Household


@pytest.mark.parametrize(
    "written, normal",
    [
        ("朝阳路261号桂梅家园1栋0101室", "朝阳路261桂梅家园1栋101"),
        ("朝阳路 261 号 桂梅家园 1 栋 101 室", "朝阳路261桂梅家园1栋101"),
        ("朝阳路２６１号桂梅家园１幢", "朝阳路261桂梅家园1栋"),
        ("朝阳路261号桂梅家园1号楼", "朝阳路261桂梅家园1栋"),
        ("桂梅家园一栋", "桂梅家园1栋"),
        ("桂梅家园十二栋", "桂梅家园12栋"),
        ("桂梅家园（东门）", "桂梅家园东门"),
    ],
)
def test_the_usual_ways_of_writing_an_address_normalise_alike(written, normal):
    assert normalise(written) == normal


@pytest.fixture
def index(db, city):
    return AddressIndex.build()


@pytest.mark.parametrize(
    "address, how",
    [
        ("朝阳路261号桂梅家园1栋0101室", "address"),
        ("朝阳路261桂梅家园1栋101室", "address"),
        ("吉州区永康镇东桂社区朝阳路261号桂梅家园1栋0101室", "building"),
        ("永康镇 朝阳路261号 桂梅家园 1幢", "building"),
        ("桂梅家园2号楼楼下", "building"),
        ("桂梅家园东门停车场", "compound"),
        ("朝阳路261号门口", "road"),
    ],
)
def test_addresses_are_placed_in_their_grid(index, address, how):
    assert index.match(address) == Match("360802001001001", how)


def test_every_household_address_finds_its_own_grid(index):
    rows = Household.objects.values_list("address", "grid__code")
    assert all(index.match(address).grid_code == grid for address, grid in rows)


def test_unknown_addresses_stay_unplaced(index):
    for address in ("望星路12号幸福里3栋", "北京市海淀区中关村大街1号", "", "路"):
        assert index.match(address) is None


def test_a_compound_name_two_grids_share_is_not_guessed(index):
    # Both 东桂社区 and 乐溪社区 have a 物流园单位 grid in the tiny city.
    assert Building.objects.filter(address__contains="物流园单位1栋").count() == 2
    assert index.match("物流园单位1栋") is None
    assert index.match("物流园单位门口") is None


def test_the_community_named_in_the_text_decides_a_shared_name(index):
    assert index.match("乐溪社区物流园单位1栋").grid_code == "360802001002004"
    assert index.match("东桂社区 物流园单位门口").grid_code == "360802001001004"


def test_the_content_helps_choose_between_grids_sharing_a_road_number(index):
    # Give two buildings of different grids the same road and number.
    Building.objects.filter(address="人民路158号乐丰花园1栋").update(
        address="人民路160号乐丰花园1栋"
    )
    fresh = AddressIndex.build()
    assert fresh.match("人民路160号门口") is None
    match = fresh.match("人民路160号门口", hint="乐丰花园门口的路灯坏了")
    assert match == Match("360802001001002", "road")


def test_the_cached_index_follows_changes_to_the_base_information(db, city):
    before = address_index.get()
    assert before.match("朝阳路261号桂梅家园1栋") is not None
    building = Building.objects.get(address="朝阳路261号桂梅家园1栋")
    building.address = "幸福路1号桂梅家园1栋"
    building.save()
    after = address_index.get()
    assert after is not before
    assert after.match("幸福路1号桂梅家园1栋").grid_code == "360802001001001"
