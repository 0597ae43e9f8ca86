"""Suggesting catalogue entries for a free-text report.

The seam: anything with ``suggest(text, limit)`` returning ``Suggestion``s, best first,
each with a probability (0–1: how often a suggestion that sure is right) is a
``Classifier``; ``get_classifier()`` returns the one named by the optional setting
``CASE_CLASSIFIER`` (a dotted path), by default the learned model
(``catalog.learned.LearnedClassifier``, which uses ``KeywordClassifier`` until a model
is trained). Intake takes a suggestion as the category only at or above
``auto_category_threshold()`` (the preset's ``[classifier]``).
"""

import math
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db.models import Count, Max
from django.utils.module_loading import import_string

from catalog import segment
from catalog.models import MatterCategory
from presets.loader import active_preset

DEFAULT_CLASSIFIER = "catalog.learned.LearnedClassifier"
# How much a match counts by where the term comes from: a keyword is the catalogue's
# own word for the matter; the whole name is a strong sign; a word inside the name weak.
KEYWORD_WEIGHT = 1.0
NAME_WEIGHT = 1.5
NAME_PART_WEIGHT = 0.5
# A term found only as a substring (segmentation cut across it) counts for less.
SUBSTRING_FACTOR = 0.6
# Raw scores are sums (2 to 20 and more); a softmax over the matched entries and a
# "none of them" score turns them into probabilities: p = e^(s/T) / (e^(N/T) + Σ e^(s'/T)).
# T and N were fitted (least log-loss) on the 330 labelled real messages
# (catalog/data/labels; manage.py evaluate_classifier --fit-keyword-calibration).
SOFTMAX_TEMPERATURE = 4.5
NONE_SCORE = 3.0


@dataclass(frozen=True)
class Suggestion:
    category: MatterCategory
    score: float
    matched_keywords: tuple[str, ...]


class Classifier(Protocol):
    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]: ...


def catalogue_version() -> tuple:
    """Changes whenever an entry is added, deleted or saved (one aggregate query)."""
    row = MatterCategory.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
    return (row["n"], row["top"], row["last"])


@dataclass
class _Index:
    categories: list[MatterCategory]
    # term -> [(category position, weight, whether it is a keyword or the whole name)],
    # weights already scaled by rarity and length.
    terms: dict[str, list[tuple[int, float, bool]]]


def _length_factor(term: str) -> float:
    # Longer terms are more specific: 「违章搭建」 says more than 「搭建」.
    return min(len(term), 4) / 2


def _build_index() -> _Index:
    categories = list(MatterCategory.objects.filter(is_active=True).select_related("default_tier"))
    segment.teach([word for category in categories for word in (category.name, *category.keywords)])
    per_category: list[dict[str, float]] = []
    for category in categories:
        terms: dict[str, float] = {}
        for part in segment.search_tokens(category.name):
            if len(part) >= 2 and part != category.name:
                terms[part] = NAME_PART_WEIGHT
        for keyword in category.keywords:
            terms[keyword] = max(terms.get(keyword, 0), KEYWORD_WEIGHT)
        terms[category.name] = NAME_WEIGHT
        per_category.append(terms)
    frequency: dict[str, int] = {}
    for terms in per_category:
        for term in terms:
            frequency[term] = frequency.get(term, 0) + 1
    total = len(categories)
    index: dict[str, list[tuple[int, float, bool]]] = {}
    for position, terms in enumerate(per_category):
        for term, weight in terms.items():
            # Rarity (idf): a term shared by many entries tells them apart less.
            rarity = math.log(1 + total / frequency[term])
            index.setdefault(term, []).append(
                (position, weight * rarity * _length_factor(term), weight > NAME_PART_WEIGHT)
            )
    return _Index(categories, index)


class KeywordClassifier:
    """jieba segmentation plus the catalogue's keywords and names, weighted by rarity.
    The index is rebuilt when the catalogue changes (checked on every call)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version = None
        self._index: _Index | None = None

    def _current(self) -> _Index:
        version = catalogue_version()
        with self._lock:
            if self._index is None or version != self._version:
                self._index, self._version = _build_index(), version
            return self._index

    def _ranked(self, text: str) -> list[tuple[MatterCategory, float, tuple[str, ...]]]:
        """Every entry matched by a keyword or its whole name: (entry, raw score, matched
        terms strongest first), best first."""
        index = self._current()
        text = text.strip()
        if not text or not index.categories:
            return []
        tokens, words = segment.search_tokens(text), segment.words(text)
        scores: dict[int, float] = {}
        matched: dict[int, dict[str, float]] = {}
        # Entries matched by a keyword or their whole name; a word inside a name
        # (「小区」 of 「小区停车管理」) only adds to those, or any text would match.
        anchored: set[int] = set()
        for term, postings in index.terms.items():
            if term in tokens:
                factor = 1.0
            elif len(term) >= 2 and term in text:
                factor = SUBSTRING_FACTOR
            else:
                continue
            for position, weight, is_anchor in postings:
                if not is_anchor and term not in words:
                    # A piece of a name must be a word of the text, not a fragment of
                    # one (「动车」 inside 「电动车」).
                    continue
                scores[position] = scores.get(position, 0.0) + weight * factor
                matched.setdefault(position, {})[term] = weight * factor
                if is_anchor:
                    anchored.add(position)
        ranked = sorted(anchored, key=lambda position: (-scores[position], position))
        return [
            (
                index.categories[position],
                scores[position],
                tuple(sorted(matched[position], key=lambda term: -matched[position][term])),
            )
            for position in ranked
        ]

    def raw_scores(self, text: str) -> list[tuple[str, float]]:
        """(code, unnormalised score) of every matched entry, best first: what the
        calibration is fitted on."""
        return [(category.code, score) for category, score, _ in self._ranked(text)]

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        ranked = self._ranked(text)
        probabilities = softmax_probabilities([score for _, score, _ in ranked])
        return [
            Suggestion(category=category, score=round(probability, 3), matched_keywords=terms)
            for (category, _, terms), probability in zip(
                ranked[:limit], probabilities[:limit], strict=True
            )
        ]


def softmax_probabilities(scores: list[float], temperature=None, none_score=None) -> list[float]:
    """Softmax of the matched entries' scores against a "none of them" score."""
    temperature = temperature or SOFTMAX_TEMPERATURE
    none_score = NONE_SCORE if none_score is None else none_score
    top = max([none_score, *scores])
    weights = [math.exp((score - top) / temperature) for score in scores]
    total = math.exp((none_score - top) / temperature) + sum(weights)
    return [weight / total for weight in weights]


def auto_category_threshold(preset=None) -> float:
    """The probability at or above which intake takes the best suggestion as the case's
    category (the preset's ``[classifier] auto_category_probability``)."""
    return (preset or active_preset()).classifier.auto_category_probability


_instances: dict[str, Classifier] = {}


def get_classifier() -> Classifier:
    """The configured classifier, one instance per process."""
    path = getattr(settings, "CASE_CLASSIFIER", DEFAULT_CLASSIFIER)
    instance = _instances.get(path)
    if instance is None:
        instance = _instances.setdefault(path, import_string(path)())
    return instance


def suggest_categories(text: str, limit: int = 3) -> list[Suggestion]:
    """The likeliest catalogue entries for ``text``, best first (active entries only)."""
    return get_classifier().suggest(text, limit)
