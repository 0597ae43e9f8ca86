"""Suggesting a category for residents' own words, in both shipped catalogues."""

import pytest
from django.utils import timezone

from catalog import classify
from catalog.classify import KeywordClassifier, Suggestion, get_classifier, suggest_categories
from catalog.learned import LearnedClassifier
from catalog.loader import do_load_catalog
from catalog.models import MatterCategory, Tier
from presets.loader import read_preset

# (report, expected code): the code is the same in the shared and the Fuzhou catalogue.
REPORTS = [
    ("小区门口垃圾堆了好几天没人清理", "HW-001"),
    ("楼上漏水到我家天花板", "WY-001"),
    ("有人在绿化带违章搭建棚子", "WZ-001"),
    ("饭店后厨卫生很差", "SP-001"),
    ("电梯又坏了，把老人困在里面半个小时", "WY-002"),
    ("我们这条路的路灯晚上都不亮，走路很危险", "JS-001"),
    ("楼道里有人私拉电线给电动车充电", "XF-002"),
    ("楼下烧烤店油烟太大，熏得窗户都不敢开", "ST-001"),
    ("旁边工地半夜还在施工，噪音吵得睡不着", "ST-002"),
    ("老板拖欠我们工资三个月了一直不发", "LD-001"),
    ("家里从早上开始停水，到现在还没来水", "MS-001"),
    ("马路上的井盖丢了，晚上很容易掉下去", "JS-002"),
    ("接到冒充客服的电话，被骗转账五千元", "ZA-003"),
    ("隔壁独居老人好几天没出门了，敲门也没人应", "YZ-001"),
    ("小区里老鼠蟑螂特别多", "WS-001"),
    ("路边流动摊贩占道经营，行人只能走马路", "SR-001"),
]


def _load(catalogue):
    data = read_preset("jizhou").model_copy(update={"catalog": catalogue})
    do_load_catalog(data)


@pytest.mark.django_db
@pytest.mark.parametrize("catalogue", ["base", "fuzhou"])
def test_realistic_reports_get_the_right_category_first(catalogue):
    _load(catalogue)
    wrong = {}
    for text, code in REPORTS:
        suggestions = suggest_categories(text)
        if not suggestions or suggestions[0].category.code != code:
            wrong[text] = [(s.category.code, s.category.name, s.score) for s in suggestions]
    assert not wrong


@pytest.mark.django_db
def test_a_suggestion_says_which_words_matched_and_ranks_by_score():
    _load("fuzhou")
    suggestions = suggest_categories("有人在绿化带违章搭建棚子", limit=5)
    assert isinstance(suggestions[0], Suggestion)
    assert {"违章搭建", "棚子"} <= set(suggestions[0].matched_keywords)
    scores = [suggestion.score for suggestion in suggestions]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 5
    assert suggestions[0].category.default_tier.code == "coordinated"


@pytest.mark.django_db
def test_text_with_nothing_recognisable_gets_no_suggestion():
    _load("base")
    assert suggest_categories("") == []
    assert suggest_categories("今天天气不错") == []


@pytest.mark.django_db
def test_the_classifier_follows_catalogue_changes():
    _load("base")
    classifier = KeywordClassifier()
    assert classifier.suggest("无人机在小区上空乱飞") == []
    drone = MatterCategory.objects.create(
        code="ZA-099",
        name="无人机黑飞",
        group="社会治安",
        default_tier=Tier.objects.get(code="coordinated"),
        department_kind="police",
        keywords=["无人机", "黑飞", "航拍"],
    )
    assert classifier.suggest("无人机在小区上空乱飞")[0].category == drone
    drone.is_active = False
    drone.save()
    assert classifier.suggest("无人机在小区上空乱飞") == []
    # The loader's bulk writes move the version too.
    MatterCategory.objects.filter(pk=drone.pk).update(is_active=True, updated_at=timezone.now())
    assert classifier.suggest("无人机在小区上空乱飞")[0].category == drone


class FixedClassifier:
    def suggest(self, text, limit=3):
        category = MatterCategory.objects.get(code="HW-001")
        return [Suggestion(category, 1.0, ())]


@pytest.mark.django_db
def test_the_configured_classifier_is_used(settings, monkeypatch):
    _load("base")
    monkeypatch.setattr(classify, "_instances", {})
    assert isinstance(get_classifier(), LearnedClassifier)
    settings.CASE_CLASSIFIER = f"{__name__}.FixedClassifier"
    assert isinstance(get_classifier(), FixedClassifier)
    assert suggest_categories("路灯不亮")[0].category.code == "HW-001"
