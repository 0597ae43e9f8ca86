"""Every page form that writes (method=post) or downloads (an export form) is named in
``tests/browser_forms.py`` with the Playwright test(s) that submit it on a phone; this test
(no browser, fast) keeps the registry and the templates in step.

A form's key is ``"<template path under its templates dir>:<action>"``: the action is the
``{% url '…' %}`` name in ``action="…"``, or ``self`` when the form posts to its own page
(no action, or ``request.get_full_path``); a second form with the same key in one template
gets ``#2`` (then ``#3``…). Why: the test client alone had let forms through that no
browser could send (PREAMBLE's house rule: every such form gets a phone-sized test)."""

import ast
import re
from collections import Counter
from pathlib import Path

from tests.browser_forms import CASE_ACTION_FORMS, FORMS, ORDER_ACTION_FORMS

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "cases",
    "credit",
    "exchange",
    "org",
    "participation",
    "residents",
    "gridgov",
    "outbox",
    "catalog",
    "open311",
    "audit",
    "analytics",
    "patrol",
]
# An opening <form …> tag; template tags inside it ({% url 'x' y %}, {% if %}) may hold ">".
FORM_TAG = re.compile(r"<form\b((?:\{[%{#].*?[%}#]\}|[^>])*)>", re.IGNORECASE | re.DOTALL)
METHOD = re.compile(r"""\bmethod\s*=\s*["']?(\w+)""", re.IGNORECASE)
ACTION = re.compile(r"""\baction\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
URL_NAME = re.compile(r"""\{%\s*url\s+["']([^"']+)["']""")


def _action(attributes: str) -> str:
    """The form's target: a URL name, ``self``, or the literal action."""
    found = ACTION.search(attributes)
    if not found or not found.group(2).strip() or "get_full_path" in found.group(2):
        return "self"
    name = URL_NAME.search(found.group(2))
    return name.group(1) if name else found.group(2).strip()


def _downloads(template: str, action: str) -> bool:
    return "export" in template or "export" in action


def template_forms() -> dict[str, Path]:
    """Every writing or downloading form of our apps' templates: {key: template file}."""
    forms = {}
    for app in APPS:
        templates = ROOT / app / "templates"
        for path in sorted(templates.rglob("*.html")):
            name = path.relative_to(templates).as_posix()
            seen = Counter()
            for tag in FORM_TAG.finditer(path.read_text(encoding="utf-8")):
                attributes = tag.group(1)
                method = METHOD.search(attributes)
                action = _action(attributes)
                is_post = method is not None and method.group(1).lower() == "post"
                if not is_post and not _downloads(name, action):
                    continue
                key = f"{name}:{action}"
                seen[key] += 1
                forms[key if seen[key] == 1 else f"{key}#{seen[key]}"] = path
    return forms


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_the_parser_finds_the_forms_it_should():
    forms = template_forms()
    assert "cases/inbox.html:cases:read_all" in forms
    assert "base.html:logout" in forms
    assert "exchange/register_export.html:self" in forms
    assert "cases/inbox.html:cases:read#2" in forms  # 查看 and 标为已读 post to one URL
    assert not any(key.startswith("cases/_filters.html") for key in forms)  # a GET search


def test_every_form_that_writes_or_downloads_has_a_browser_test():
    missing = sorted(set(template_forms()) - set(FORMS))
    assert not missing, (
        "These page forms have no Playwright test in tests/browser_forms.py (add one that "
        "submits the form on a phone, then register it):\n  " + "\n  ".join(missing)
    )


def test_every_registered_form_still_exists():
    gone = sorted(set(FORMS) - set(template_forms()))
    assert not gone, (
        "tests/browser_forms.py names forms no template holds any more (renamed or removed? "
        "update the key):\n  " + "\n  ".join(gone)
    )


def _same_actions(registry: dict, actions: list[str], name: str):
    missing = sorted(set(actions) - set(registry))
    gone = sorted(set(registry) - set(actions))
    assert not missing, f"Actions with no browser test in {name}: " + ", ".join(missing)
    assert not gone, f"{name} names actions the page no longer has: " + ", ".join(gone)


def test_every_case_action_form_has_a_browser_test():
    """cases/_action_form.html is one form per action: each action is registered too."""
    from cases.views.common import ACTION_ORDER

    _same_actions(CASE_ACTION_FORMS, ACTION_ORDER, "CASE_ACTION_FORMS")


def test_every_order_action_form_has_a_browser_test():
    """participation/detail.html likewise: one form per volunteer-order action."""
    from participation.views import ACTION_ORDER

    _same_actions(ORDER_ACTION_FORMS, ACTION_ORDER, "ORDER_ACTION_FORMS")


def test_every_registered_test_exists():
    broken, functions = [], {}
    registered = {
        **FORMS,
        **{f"case action {a}": t for a, t in CASE_ACTION_FORMS.items()},
        **{f"order action {a}": t for a, t in ORDER_ACTION_FORMS.items()},
    }
    for key, tests in sorted(registered.items()):
        if not tests:
            broken.append(f"{key}: no test named")
        for test in tests:
            file, _, name = test.partition("::")
            path = ROOT / file
            if not path.is_file():
                broken.append(f"{key}: {file} does not exist")
                continue
            if path not in functions:
                functions[path] = _test_functions(path)
            if name not in functions[path]:
                broken.append(f"{key}: {file} has no function {name}")
    assert not broken, "tests/browser_forms.py names tests that do not exist:\n  " + "\n  ".join(
        broken
    )
