"""Measure a classifier on a labelled CSV file: top-1, top-3, abstention, the accuracy of
what it would categorise on its own, and the categories it gets wrong most.

    manage.py evaluate_classifier FILE.csv [--labels LABELS.csv] [--label-map MAP.csv]
        [--text-column title --text-column text] [--label-column category]
        [--classifier current|keyword|seeds|cv] [--threshold P]

Labels come from FILE's ``--label-column``, or from ``--labels`` (``id,category_code``
joined on ``--id-column``). ``--label-map`` (``label,code``) maps a file's own labels to
catalogue codes; ``none`` (or a label the map sends to ``none``) means no entry fits.
``--classifier``: ``current`` the installed one (get_classifier), ``keyword`` the keyword
classifier, ``seeds`` the learned model trained on the catalogue's words alone (the cold
start), ``cv`` the learned model in k-fold cross-validation on the file (trained on the
other folds and the catalogue's words).
"""

import csv
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import training
from catalog.classify import (
    NONE_SCORE,
    SOFTMAX_TEMPERATURE,
    KeywordClassifier,
    auto_category_threshold,
    get_classifier,
    softmax_probabilities,
)
from catalog.models import MatterCategory
from catalog.retrain import hours_codes

NONE = "none"


def read_labelled(
    path: Path,
    *,
    text_columns: list[str],
    label_column: str | None,
    labels: Path | None,
    id_column: str,
    label_map: Path | None,
) -> list[tuple[str, str]]:
    """``(text, code or "none")`` per labelled row. Raises CommandError on a missing
    column or a label the map does not know."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise CommandError(f"{path}: no rows")
    columns = [c for c in text_columns if c in rows[0]]
    if not columns:
        raise CommandError(f"{path}: none of the text columns {text_columns}")
    if labels is not None:
        with labels.open(encoding="utf-8-sig", newline="") as handle:
            by_id = {row["id"]: row["category_code"] for row in csv.DictReader(handle)}
        pairs = [(row, by_id[row[id_column]]) for row in rows if row.get(id_column) in by_id]
    elif label_column and label_column in rows[0]:
        pairs = [(row, row[label_column].strip()) for row in rows if row[label_column].strip()]
    else:
        raise CommandError("give --labels or a --label-column the file has")
    mapping = None
    if label_map is not None:
        with label_map.open(encoding="utf-8-sig", newline="") as handle:
            mapping = {row["label"].strip(): row["code"].strip() for row in csv.DictReader(handle)}
    labelled = []
    for row, label in pairs:
        if mapping is not None:
            if label not in mapping:
                raise CommandError(f"label {label!r} is not in the label map")
            label = mapping[label]
        labelled.append((" ".join(row[c] for c in columns), label or NONE))
    return labelled


def fit_keyword_calibration(labelled) -> tuple[float, float, float]:
    """(temperature, none score, log-loss) for which the keyword classifier's first
    probability best says whether its first suggestion is right on ``labelled`` (least
    binary log-loss, grid search; texts with no match do not count)."""
    classifier = KeywordClassifier()
    raw = [(classifier.raw_scores(text), code) for text, code in labelled]
    raw = [(scores, code) for scores, code in raw if scores]
    best = None
    for temperature in (1.0, 2.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0):
        for none_score in range(0, 16):
            loss = 0.0
            for scores, code in raw:
                first = softmax_probabilities(
                    [s for _, s in scores], temperature=temperature, none_score=none_score
                )[0]
                first = min(max(first, 1e-6), 1 - 1e-6)
                loss -= math.log(first if scores[0][0] == code else 1 - first)
            loss /= len(raw)
            if best is None or loss < best[2]:
                best = (temperature, none_score, loss)
    return best


class Command(BaseCommand):
    help = "Measure the classifier on a labelled CSV file (top-1, top-3, abstention, errors)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--labels", type=Path, help="id,category_code file")
        parser.add_argument("--id-column", default="id")
        parser.add_argument("--label-map", type=Path, help="label,code file")
        parser.add_argument("--text-column", action="append", dest="text_columns")
        parser.add_argument("--label-column", default="category_code")
        parser.add_argument(
            "--classifier", choices=["current", "keyword", "seeds", "cv"], default="current"
        )
        parser.add_argument("--threshold", type=float)
        parser.add_argument("--folds", type=int, default=training.FOLDS)
        parser.add_argument("--worst", type=int, default=10)
        parser.add_argument("--fit-keyword-calibration", action="store_true")

    def handle(self, *args, **options):
        labelled = read_labelled(
            options["file"],
            text_columns=options["text_columns"] or ["title", "text", "description", "content"],
            label_column=options["label_column"],
            labels=options["labels"],
            id_column=options["id_column"],
            label_map=options["label_map"],
        )
        if options["fit_keyword_calibration"]:
            temperature, none_score, loss = fit_keyword_calibration(labelled)
            self.stdout.write(
                f"keyword calibration: temperature {temperature}, none score {none_score}, "
                f"log-loss {loss:.3f} (in use: {SOFTMAX_TEMPERATURE}, {NONE_SCORE})"
            )
            return
        threshold = options["threshold"] or auto_category_threshold()
        metrics = evaluate(labelled, options["classifier"], threshold, options["folds"])
        self.stdout.write(report(metrics, options["classifier"], threshold, options["worst"]))


def evaluate(labelled, kind: str, threshold: float, folds: int = training.FOLDS):
    """Metrics of the classifier ``kind`` (see the module) on ``labelled``."""
    hours = hours_codes()
    truth = [code for _, code in labelled]
    if kind == "cv":
        seeds = training.seed_examples(MatterCategory.objects.filter(is_active=True))
        return training.cross_validate(seeds, labelled, threshold, hours, folds=folds)
    if kind == "seeds":
        seeds = training.seed_examples(MatterCategory.objects.filter(is_active=True))
        rankings = training.fit(seeds).rank([text for text, _ in labelled])
        return training.measure(rankings, truth, threshold, hours)
    classifier = KeywordClassifier() if kind == "keyword" else get_classifier()
    rankings = [
        [(s.category.code, s.score) for s in classifier.suggest(text, limit=3)]
        for text, _ in labelled
    ]
    return training.measure(rankings, truth, threshold, hours)


def report(metrics: training.Metrics, kind: str, threshold: float, worst: int) -> str:
    names = dict(MatterCategory.objects.values_list("code", "name"))
    lines = [f"classifier {kind}, threshold {threshold}: {metrics.summary()}"]
    wrong_by_code: dict[str, int] = {}
    for (right, _), count in metrics.confusion.items():
        wrong_by_code[right] = wrong_by_code.get(right, 0) + count
    for code, count in sorted(wrong_by_code.items(), key=lambda item: -item[1])[:worst]:
        given = sorted(
            ((g, n) for (r, g), n in metrics.confusion.items() if r == code), key=lambda x: -x[1]
        )[:3]
        shown = "、".join(f"{g} {names.get(g, '')} ×{n}" for g, n in given)
        lines.append(f"  {code} {names.get(code, '')}: {count} wrong first, as {shown}")
    return "\n".join(lines)
