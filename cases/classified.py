"""The cases the learned classifier learns from (catalog.retrain): every case whose
category a person set or confirmed (``category_source`` person), newest first."""

from cases.models import Case, CategorySource

# Enough to learn the instance's words; bounds the training time as cases pile up.
MAX_EXAMPLES = 20_000


def confirmed_examples() -> list[tuple[str, str]]:
    """``(title and description, category code)`` of the newest MAX_EXAMPLES cases a
    person categorised."""
    rows = (
        Case.objects.filter(category_source=CategorySource.PERSON, category__isnull=False)
        .order_by("-created_at")
        .values_list("title", "description", "category__code")[:MAX_EXAMPLES]
    )
    return [(f"{title} {description}".strip(), code) for title, description, code in rows]
