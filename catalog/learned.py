"""The learned classifier behind the ``Classifier`` seam (catalog.classify).

It uses the newest trained version (``ClassifierModel``, trained by catalog.retrain from
the catalogue's words and the cases people categorised); before the first version is
trained (a new installation, until the periodic task has run) it falls back to the
keyword classifier, whose scores are probabilities too.
"""

import threading

from catalog.classify import KeywordClassifier, Suggestion, catalogue_version
from catalog.models import ClassifierModel, MatterCategory
from catalog.training import Model, loads

# Suggestions less likely than this are noise (a message that shares a few characters
# with an entry): not shown, so a text about nothing in the catalogue gets none.
MIN_SHOWN = 0.05


class LearnedClassifier:
    def __init__(self):
        self._lock = threading.Lock()
        self._fallback = KeywordClassifier()
        self._version: int | None = None
        self._model: Model | None = None
        self._catalogue = None
        self._categories: dict[str, MatterCategory] = {}

    def _current(self) -> tuple[Model | None, dict[str, MatterCategory]]:
        """The newest model (reloaded when a newer version is saved) and the active
        entries by code (reloaded when the catalogue changes): two small queries a call."""
        version = ClassifierModel.objects.values_list("version", flat=True).first()
        if version is None:
            # No model yet: the keyword fallback reads the catalogue itself, once.
            with self._lock:
                self._model, self._version = None, None
            return None, self._categories
        stamp = catalogue_version()
        with self._lock:
            if version != self._version:
                blob = (
                    ClassifierModel.objects.values_list("blob", flat=True).get(version=version)
                    if version
                    else None
                )
                self._model = loads(blob) if blob else None
                self._version = version
            if stamp != self._catalogue:
                self._categories = {
                    category.code: category
                    for category in MatterCategory.objects.filter(is_active=True).select_related(
                        "default_tier"
                    )
                }
                self._catalogue = stamp
            return self._model, self._categories

    @property
    def version(self) -> int | None:
        """The version in use after the last call (None: the keyword fallback)."""
        return self._version if self._model is not None else None

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        model, categories = self._current()
        if model is None:
            return self._fallback.suggest(text, limit)
        if not text.strip():
            return []
        suggestions = []
        # Ask for more than ``limit``: entries deactivated since training are skipped.
        for code, probability in model.rank([text], limit=limit + 5)[0]:
            category = categories.get(code)
            if category is None or probability < MIN_SHOWN:
                continue
            matched = tuple(keyword for keyword in category.keywords if keyword in text)
            suggestions.append(Suggestion(category, round(probability, 3), matched))
            if len(suggestions) == limit:
                break
        return suggestions
