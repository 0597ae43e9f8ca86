"""The learned classifier's model: character n-grams and a linear model with calibrated
probabilities, and how well a classifier does on labelled text.

Chinese needs no word segmenter here: TF-IDF over single characters and character pairs
(scikit-learn's ``TfidfVectorizer(analyzer="char")``) carries the words, and a linear
SVM (``LinearSVC``) separates the catalogue's entries. Its scores become probabilities by
temperature scaling fitted on held-out folds (``CalibratedClassifierCV(method=
"temperature")``): a probability of 0.6 means about six in ten such guesses are right.

Examples are ``(text, code)`` pairs: the catalogue's own words (``seed_examples``) and the
cases whose category a person set (``cases.classified``). This module knows no model
rows and no cases; ``catalog.retrain`` trains and saves versions.
"""

import io
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

# Long messages say what they are about first (title, first sentences); the rest adds
# names and history that blur it. Measured on the labelled messages: 400 characters.
MAX_CHARS = 400
# Character unigrams and bigrams: trigrams cost twice the time for +1 point top-1.
NGRAMS = (1, 2)
SVM_C = 0.5
CALIBRATION_FOLDS = 3
FOLDS = 5

# A ranking: (catalogue code, probability 0–1), best first.
Ranking = list[tuple[str, float]]
Predict = Callable[[Sequence[str]], list[Ranking]]


def seed_examples(entries: Iterable) -> list[tuple[str, str]]:
    """The catalogue's words as examples: each entry's name, its group and name, each
    keyword and all keywords together. ``entries`` have ``code, name, group, keywords``
    (MatterCategory rows or catalogue dicts)."""

    def get(entry, name):
        return entry[name] if isinstance(entry, dict) else getattr(entry, name)

    examples = []
    for entry in entries:
        code, name, keywords = get(entry, "code"), get(entry, "name"), get(entry, "keywords")
        examples.append((name, code))
        examples.append((f"{get(entry, 'group')} {name}", code))
        examples.extend((keyword, code) for keyword in keywords)
        examples.append((" ".join(keywords), code))
    return examples


def _clip(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARS]


@dataclass
class Model:
    """A fitted model: ``rank(texts)`` gives each text's likeliest codes with their
    probabilities. Picklable (joblib), see ``dumps``/``loads``."""

    vectorizer: TfidfVectorizer
    classifier: CalibratedClassifierCV
    classes: list[str] = field(default_factory=list)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), len(classes)) probabilities, rows summing to 1."""
        return self.classifier.predict_proba(self.vectorizer.transform([_clip(t) for t in texts]))

    def rank(self, texts: Sequence[str], limit: int = 3) -> list[Ranking]:
        rankings = []
        for row in self.probabilities(texts):
            best = np.argsort(-row)[:limit]
            rankings.append([(self.classes[i], float(row[i])) for i in best])
        return rankings


def fit(examples: Sequence[tuple[str, str]]) -> Model:
    """Fit on ``(text, code)`` pairs. Every code needs CALIBRATION_FOLDS examples (the
    seeds give each entry at least five); raises ValueError otherwise."""
    texts = [_clip(text) for text, _ in examples]
    codes = [code for _, code in examples]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    classifier = CalibratedClassifierCV(
        LinearSVC(C=SVM_C), method="temperature", cv=CALIBRATION_FOLDS, ensemble=False
    )
    classifier.fit(matrix, codes)
    return Model(vectorizer, classifier, [str(code) for code in classifier.classes_])


def dumps(model: Model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Model:
    return joblib.load(io.BytesIO(bytes(blob)))


# -- measuring --------------------------------------------------------------------------


@dataclass
class Metrics:
    """How a classifier did on ``n`` labelled texts (``none``: no catalogue entry fits).

    top1/top3: share of texts whose right code is first / among the first three (a
    ``none`` text never is). abstention: share whose best probability is below the
    threshold (no category, to triage). precision: of the texts auto-categorised (the
    rest), the share given the right code. wrong_hours: auto-categorised wrongly into a
    category whose tier's deadline is in hours (Jizhou's 2-hour 简易问题)."""

    n: int = 0
    top1: float = 0.0
    top3: float = 0.0
    abstention: float = 0.0
    auto: int = 0
    precision: float = 0.0
    wrong_hours: int = 0
    # (right code, code given) -> count, over wrong first choices.
    confusion: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        return (
            f"n={self.n} top-1 {self.top1:.1%} top-3 {self.top3:.1%} "
            f"abstention {self.abstention:.1%} auto-categorised {self.auto} "
            f"of which right {self.precision:.1%}; wrongly given an hours tier {self.wrong_hours}"
        )


def measure(
    rankings: Sequence[Ranking],
    truth: Sequence[str],
    threshold: float,
    hours_codes: set[str] = frozenset(),
) -> Metrics:
    """Metrics of ``rankings`` (one per text, best first) against the ``truth`` codes."""
    n = len(truth)
    if not n:
        return Metrics()
    top1 = top3 = auto = right = wrong_hours = 0
    confusion = Counter()
    for ranking, code in zip(rankings, truth, strict=True):
        codes = [c for c, _ in ranking[:3]]
        first = codes[0] if codes else None
        top1 += first == code
        top3 += code in codes
        if first is not None and first != code:
            confusion[(code, first)] += 1
        if ranking and ranking[0][1] >= threshold:
            auto += 1
            right += first == code
            wrong_hours += first != code and first in hours_codes
    return Metrics(
        n=n,
        top1=top1 / n,
        top3=top3 / n,
        abstention=1 - auto / n,
        auto=auto,
        precision=right / auto if auto else 0.0,
        wrong_hours=wrong_hours,
        confusion=confusion,
    )


def cross_validate(
    seeds: Sequence[tuple[str, str]],
    labelled: Sequence[tuple[str, str]],
    threshold: float,
    hours_codes: set[str] = frozenset(),
    folds: int = FOLDS,
    seed: int = 0,
) -> Metrics:
    """k-fold over ``labelled`` (text, code or "none"): each fold is ranked by a model
    fitted on the seeds and the other folds' labelled texts (not their ``none`` ones)."""
    order = list(range(len(labelled)))
    random.Random(seed).shuffle(order)
    rankings: list[Ranking | None] = [None] * len(labelled)
    for k in range(folds):
        held = set(order[k::folds])
        train = [
            *seeds,
            *(labelled[i] for i in order if i not in held and labelled[i][1] != "none"),
        ]
        model = fit(train)
        held_ids = sorted(held)
        for i, ranking in zip(
            held_ids, model.rank([labelled[i][0] for i in held_ids]), strict=True
        ):
            rankings[i] = ranking
    return measure(rankings, [code for _, code in labelled], threshold, hours_codes)
