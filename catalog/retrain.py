"""Training a new version of the learned classifier from the instance's own cases.

Examples are the active catalogue's words (names and keywords: the cold start, and what
keeps a rare entry known) plus every case whose category a person set or confirmed. The
catalog app knows no cases: the cases app registers where its confirmed examples come
from (``register_examples``, in its AppConfig.ready).

A version is trained when the catalogue or the confirmed cases changed since the newest
one (the periodic task ``catalog.tasks.retrain_classifier``, or ``manage.py
train_classifier``); it is measured on the confirmed cases it was not trained on (k-fold)
before it is saved, and the newest version is the one in use.
"""

import hashlib
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from catalog import training
from catalog.classify import auto_category_threshold, catalogue_version
from catalog.models import ClassifierModel, MatterCategory

log = logging.getLogger(__name__)

# Below this many confirmed cases the held-out figures would say more about chance than
# about the model: they are left empty ("not measured yet").
MIN_CONFIRMED_TO_MEASURE = 30
# Old versions are kept for the record; only the newest few keep their (large) model.
KEEP_VERSIONS = 10

ExampleSource = Callable[[], list[tuple[str, str]]]
_sources: list[ExampleSource] = []


def register_examples(source: ExampleSource) -> None:
    """Add a source of confirmed ``(text, code)`` examples (called once per app)."""
    if source not in _sources:
        _sources.append(source)


def confirmed_examples() -> list[tuple[str, str]]:
    return [example for source in _sources for example in source()]


def _stamp(confirmed: list[tuple[str, str]]) -> str:
    """What a version was trained from, as 40 hex digits: the catalogue's version and the
    confirmed examples (a digest, so it fits the column whatever the timestamps' repr)."""
    source = repr((catalogue_version(), len(confirmed), sorted(confirmed)))
    return hashlib.sha1(source.encode()).hexdigest()


def hours_codes() -> set[str]:
    """Codes whose default tier has a deadline in hours (a wrong guess costs most)."""
    return set(
        MatterCategory.objects.filter(
            is_active=True, default_tier__deadline_hours__isnull=False
        ).values_list("code", flat=True)
    )


def do_train_classifier(*, force: bool = False) -> ClassifierModel | None:
    """Train, measure and save a new version; None when nothing changed since the newest
    one (unless ``force``) or the catalogue is empty."""
    categories = list(MatterCategory.objects.filter(is_active=True))
    if not categories:
        return None
    active = {category.code for category in categories}
    confirmed = [(text, code) for text, code in confirmed_examples() if code in active]
    stamp = _stamp(confirmed)
    newest = ClassifierModel.objects.first()
    if newest is not None and newest.catalogue_stamp == stamp and not force:
        return None
    seeds = training.seed_examples(categories)
    threshold = auto_category_threshold()
    held_out = None
    if len(confirmed) >= MIN_CONFIRMED_TO_MEASURE:
        held_out = training.cross_validate(seeds, confirmed, threshold, hours_codes())
    model = training.fit([*seeds, *confirmed])
    with transaction.atomic():
        last = ClassifierModel.objects.select_for_update().values_list("version", flat=True)
        version = (last.first() or 0) + 1
        row = ClassifierModel.objects.create(
            version=version,
            trained_at=timezone.now(),
            n_seed=len(seeds),
            n_confirmed=len(confirmed),
            n_categories=len(categories),
            top1=held_out.top1 if held_out else None,
            top3=held_out.top3 if held_out else None,
            abstention=held_out.abstention if held_out else None,
            precision=held_out.precision if held_out else None,
            threshold=threshold,
            catalogue_stamp=stamp,
            blob=training.dumps(model),
        )
        old = ClassifierModel.objects.filter(version__lte=version - KEEP_VERSIONS)
        old.update(blob=b"")
    log.info("classifier v%s trained: %s confirmed cases", version, len(confirmed))
    return row
