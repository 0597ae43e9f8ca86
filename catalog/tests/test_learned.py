"""The learned classifier: probabilities, training from people's categories, versions,
the periodic task, the threshold at intake and who set a case's category."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cases.actions.flow import do_case_action
from cases.actions.intake import Report, do_create_case
from cases.classified import confirmed_examples
from cases.models import CategorySource
from catalog import retrain, training
from catalog.classify import KeywordClassifier, auto_category_threshold, get_classifier
from catalog.learned import LearnedClassifier
from catalog.loader import BASE_CATALOGUE, read_catalogue
from catalog.models import ClassifierModel, MatterCategory
from catalog.tasks import retrain_classifier

EXAMPLES = [
    ("小区门口垃圾堆了好几天没人清理", "HW-001"),
    ("出租车司机绕路多收钱还拒载", "JT-009"),
    ("医院看病排队太久医生态度差", "WS-010"),
    ("楼道里有人私拉电线给电动车充电", "XF-002"),
    ("公交车班次太少末班车太早", "JT-011"),
    ("学校周末补课还收补课费", "JY-008"),
]


@pytest.fixture
def jizhou(jizhou_city, db):
    """A tiny Jizhou city (module-wide), each test rolled back."""


def test_a_model_fitted_on_the_catalogue_ranks_with_probabilities():
    model = training.fit(training.seed_examples(read_catalogue(BASE_CATALOGUE)))
    for text, code in EXAMPLES:
        ranking = model.rank([text])[0]
        assert ranking[0][0] == code, (text, ranking)
        assert all(0 <= p <= 1 for _, p in ranking)
        assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)
    assert abs(model.probabilities(["路灯不亮"])[0].sum() - 1) < 1e-6
    assert training.loads(training.dumps(model)).rank(["路灯不亮"]) == model.rank(["路灯不亮"])


def test_measure_counts_top1_top3_abstention_and_wrong_hour_tiers():
    rankings = [
        [("A", 0.9), ("B", 0.05)],  # right, auto
        [("B", 0.7), ("A", 0.2)],  # wrong, auto, B has an hours tier
        [("C", 0.3), ("A", 0.2)],  # right in top-3, abstained
        [],  # nothing suggested
    ]
    metrics = training.measure(rankings, ["A", "A", "A", "none"], 0.5, {"B"})
    assert (metrics.n, metrics.auto, metrics.wrong_hours) == (4, 2, 1)
    assert (metrics.top1, metrics.top3, metrics.abstention) == (0.25, 0.75, 0.5)
    assert metrics.precision == 0.5
    assert metrics.confusion == {("A", "B"): 1, ("A", "C"): 1}


def test_keyword_scores_are_probabilities(jizhou):
    suggestions = KeywordClassifier().suggest("楼道里有人私拉电线给电动车充电", limit=5)
    assert suggestions and all(0 < s.score <= 1 for s in suggestions)
    assert sum(s.score for s in suggestions) <= 1 + 1e-6


def test_the_threshold_comes_from_the_preset(jizhou):
    assert auto_category_threshold() == 0.5


def test_without_a_trained_version_the_learned_classifier_uses_the_keywords(jizhou):
    classifier = LearnedClassifier()
    suggestions = classifier.suggest("楼道里有人私拉电线给电动车充电")
    assert suggestions[0].category.code == "XF-002" and classifier.version is None


def _case(title, code=None, actor=None):
    return do_create_case(
        Report(title=title, channel="grid_report", category_code=code), actor=actor
    )


def test_cases_record_who_set_their_category(jizhou):
    admin = get_user_model().objects.create_superuser("root", password="x")
    by_person = _case("路灯坏了", "JS-001", admin)
    assert by_person.category_source == CategorySource.PERSON
    imported = do_create_case(
        Report(title="路灯坏了", channel="grid_report", category_code="JS-001", source_system="h")
    )
    assert imported.category_source == CategorySource.IMPORT
    guessed = _case("楼道里有人私拉电线给电动车充电，插线板就放在楼梯口")
    assert (guessed.category.code, guessed.category_source) == ("XF-002", "classifier")
    unsure = _case("想反映一个情况")
    assert unsure.category is None and unsure.category_source == ""
    # A dispatcher picks the category in triage: a person's choice, an example to learn.
    do_case_action(
        unsure.pk,
        "dispatch",
        actor=admin,
        version=unsure.version,
        data={"category_code": "MS-005", "lead": {"node": unsure.org_code}},
    )
    unsure.refresh_from_db()
    assert (unsure.category.code, unsure.category_source) == ("MS-005", "person")
    # Dispatching a guessed case without changing its category confirms it.
    do_case_action(
        guessed.pk,
        "dispatch",
        actor=admin,
        version=guessed.version,
        data={"lead": {"node": guessed.org_code}},
    )
    guessed.refresh_from_db()
    assert guessed.category_source == CategorySource.PERSON
    examples = confirmed_examples()
    assert ("想反映一个情况", "MS-005") in examples and len(examples) == 3


def test_retraining_learns_the_instances_own_words_and_keeps_versions(jizhou, monkeypatch):
    monkeypatch.setattr(retrain, "MIN_CONFIRMED_TO_MEASURE", 6)
    admin = get_user_model().objects.create_superuser("root", password="x")
    # Cold start: the catalogue's words alone.
    first = retrain.do_train_classifier()
    assert first.version == 1 and first.n_confirmed == 0 and first.top1 is None
    assert first.n_seed > MatterCategory.objects.filter(is_active=True).count() * 5
    assert retrain.do_train_classifier() is None  # nothing changed
    # This instance's residents call a broken street light 「黑灯」: people teach it.
    for n in range(8):
        _case(f"{n}号楼前面晚上黑灯一片", "JS-001", admin)
    retrain_classifier.call_local()  # the periodic task
    second = ClassifierModel.objects.first()
    assert second.version == 2 and second.n_confirmed == 8
    assert 0 <= second.top1 <= second.top3 <= 1 and second.threshold == 0.5
    classifier = LearnedClassifier()
    suggestion = classifier.suggest("9号楼前面晚上黑灯一片")[0]
    assert classifier.version == 2
    assert suggestion.category.code == "JS-001" and 0.5 <= suggestion.score <= 1
    # The seam: callers ask get_classifier(), which is the learned one.
    assert isinstance(get_classifier(), LearnedClassifier)


def test_the_train_command_reports_the_version(jizhou, capsys):
    call_command("train_classifier")
    assert "classifier v1" in capsys.readouterr().out
    call_command("train_classifier")
    assert "nothing changed" in capsys.readouterr().out


def test_old_versions_lose_their_model_but_keep_their_figures(jizhou, monkeypatch):
    monkeypatch.setattr(retrain, "KEEP_VERSIONS", 1)
    retrain.do_train_classifier()
    retrain.do_train_classifier(force=True)
    old, new = ClassifierModel.objects.order_by("version")
    assert bytes(old.blob) == b"" and len(bytes(new.blob)) > 1000


def test_a_guess_below_the_threshold_keeps_the_safe_tier(jizhou):
    received = timezone.now()
    case = do_create_case(
        Report(title="咨询滨湖西路两头的规划", channel="hotline_12345"), at=received
    )
    assert case.category is None and case.tier.code == "coordinated"
    assert case.due_at - received > dt.timedelta(hours=24)
    suggestions = case.events.get(action="submit").data["suggestions"]
    assert suggestions and all(s["score"] < 0.5 for s in suggestions)


def test_a_guess_never_gives_the_hours_tier_until_a_person_confirms_it(jizhou):
    from org.models import GridKind, OrgNode, User

    # The keyword classifier (no model trained yet) is sure of 「咨询」 alone.
    grid = OrgNode.objects.filter(grid_kind=GridKind.RESIDENTIAL).order_by("code").first()
    case = do_create_case(
        Report(title="咨询一下怎么开证明", channel="hotline_12345", grid_code=grid.code)
    )
    assert case.category_source == CategorySource.CLASSIFIER
    assert case.category.default_tier.code == "immediate"
    assert case.tier.code == "coordinated"  # the safe default, not 2 hours
    community = User.objects.get(username="demo-community")
    case = do_case_action(
        case.pk,
        "dispatch",
        actor=community,
        version=case.version,
        data={"lead": {"node": grid.parent.code}},
    )
    assert case.category_source == CategorySource.PERSON
    assert case.tier == MatterCategory.objects.get(pk=case.category_id).default_tier
