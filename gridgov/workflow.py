"""The one workflow engine: every stateful thing (cases, volunteer orders, and the patrols,
alarms, deliberations and projects to come) changes state through ``Workflow.apply``.

A workflow is a table ``(state, action) → Transition`` plus, per action, a handler that does
the action's own work on a ``Step``. ``apply`` is the one step every action takes:

1. lock the row (``select_for_update``; on SQLite the write transaction is exclusive);
2. compare ``version``: a stale one is 409 ``stale_version``;
3. look the action up in the table: not applicable in this state is 409 ``invalid_transition``;
4. ask the workflow whether the actor holds one of the transition's relations (and none of
   its ``unless``): 403 ``not_permitted`` otherwise;
5. run the handler, set the new status, bump ``version``, save the changed fields;
6. write one immutable timeline event, and the handler's notices to the outbox, in the same
   transaction (the outbox delivers them after commit).

Relations are the workflow's own words for how a person stands to the object (a case's
``dispatcher``, ``handler``, ``reporter``; an order's ``taker``…); each app's
``permissions.py`` decides them from the capability table (``org.permissions.has``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion


@dataclass(frozen=True)
class Transition:
    """Where an action may lead from one state, and who may take it."""

    to: tuple[str, ...]  # the possible next states; the first unless the handler chooses
    who: tuple[str, ...]  # relations of which any one allows the action
    unless: tuple[str, ...] = ()  # relations that forbid it, whatever else the actor is


def transition(to, *who: str, unless: tuple[str, ...] = ()) -> Transition:
    return Transition(to if isinstance(to, tuple) else (to,), who, unless)


@dataclass
class Step:
    """One action in progress: the locked object, who acts, with what, and what it changes."""

    obj: models.Model
    actor: object
    data: dict
    now: datetime
    context: dict
    relations: set[str]
    changed: set[str] = field(default_factory=set)
    to: str | None = None
    note: str = ""
    event_data: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)

    def set(self, **values) -> None:
        for name, value in values.items():
            setattr(self.obj, name, value)
            self.changed.add(name)

    def tell(self, event: str, users, title: str, body: str = "") -> None:
        """Notify once the object carries its new status and version (webhooks show them)."""
        self.notices.append((event, users, title, body))


class TimelineEvent(models.Model):
    """One row per action on a stateful object, written in the action's transaction and
    never changed or deleted (status changes are rows: Healthchecks' ``Flip``). A concrete
    timeline adds the foreign key to its subject."""

    action = models.SlugField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("timeline events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("timeline events are never deleted")


class Workflow(ABC):
    """A model's lifecycle. Subclasses set the class attributes and implement ``holds`` and
    ``notify``; ``load`` and the ``refuse_*`` messages are optional hooks."""

    model: type[models.Model]
    event_model: type[TimelineEvent]
    subject_field: str  # the event model's foreign key to the object
    table: dict[tuple[str, str], Transition]
    handlers: dict[str, object]  # action → handler(step)
    names: dict[str, str]  # action → its name in Chinese, for messages
    noun: str = "对象"  # how messages call the object (案件, 订单…)
    version_required = True
    select_related: tuple[str, ...] = ()
    step_class: type[Step] = Step

    def __init__(self):
        assert set(self.handlers) == {action for _, action in self.table}, (
            "every action of the table has a handler, and only those"
        )

    @property
    def actions(self) -> list[str]:
        return sorted({action for _, action in self.table})

    # -- hooks -------------------------------------------------------------------------

    def load(self, obj, actor, **extra) -> dict:
        """What ``holds`` and the handlers need besides the object (loaded once)."""
        return dict(extra)

    @abstractmethod
    def holds(self, actor, obj, relation: str, action: str, context: dict) -> bool:
        """Whether ``actor`` stands in ``relation`` to ``obj`` holding ``action``'s verb."""

    @abstractmethod
    def notify(self, obj, event: str, users, title: str, body: str, at) -> None:
        """Write one notice to the outbox, in the action's transaction."""

    # -- questions ---------------------------------------------------------------------

    def relations_for(self, actor, obj, t: Transition, action: str, context: dict) -> set[str]:
        return {
            relation
            for relation in (*t.who, *t.unless)
            if self.holds(actor, obj, relation, action, context)
        }

    def permits(self, actor, obj, action: str, context: dict | None = None) -> bool:
        """Whether ``actor`` may take ``action`` on ``obj`` in its current state."""
        t = self.table.get((obj.status, action))
        if t is None:
            return False
        context = self.load(obj, actor) if context is None else context
        relations = self.relations_for(actor, obj, t, action, context)
        return bool(relations & set(t.who)) and not relations & set(t.unless)

    def allowed_actions(self, actor, obj, context: dict | None = None) -> list[str]:
        """The actions ``actor`` may take on ``obj`` now, sorted (the API's ``allowed_actions``)."""
        context = self.load(obj, actor) if context is None else context
        return sorted(
            action
            for (state, action) in self.table
            if state == obj.status and self.permits(actor, obj, action, context)
        )

    # -- the one apply step --------------------------------------------------------------

    def apply(self, pk: int, action: str, *, actor, version=None, data=None, at=None, **extra):
        """Apply ``action`` to the object ``pk`` and return it, saved. Raises InvalidInput
        (400: unknown action, missing version), StaleVersion (409), Conflict (409
        ``invalid_transition``) or NotPermitted (403); the caller has checked that the
        actor may see the object (404 otherwise)."""
        if action not in self.handlers:
            raise InvalidInput(f"没有这个操作: {action}", code="unknown_action")
        if version in ("", None) and not self.version_required:
            version = None
        elif not isinstance(version, int) or isinstance(version, bool):
            try:
                version = int(version)
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"请带上{self.noun}的 version", errors={"version": ["必填整数"]}
                ) from None
        data = data if isinstance(data, dict) else {}
        now = at or timezone.now()
        with transaction.atomic():
            obj = (
                self.model.objects.select_for_update(of=("self",))
                .select_related(*self.select_related)
                .get(pk=pk)
            )
            if version is not None and obj.version != version:
                self.refuse_stale(obj, action)
            t = self.table.get((obj.status, action))
            if t is None:
                self.refuse_transition(obj, action)
            context = self.load(obj, actor, **extra)
            relations = self.relations_for(actor, obj, t, action, context)
            if not relations & set(t.who) or relations & set(t.unless):
                raise NotPermitted(f"您不能对这个{self.noun}{self.names[action]}")
            step = self.step_class(obj, actor, data, now, context, relations)
            from_status = obj.status
            self.handlers[action](step)
            to_status = step.to or t.to[0]
            if to_status not in t.to:
                raise AssertionError(f"{action} led to {to_status}, not in {t.to}")
            step.set(status=to_status, version=obj.version + 1)
            obj.save(update_fields=sorted(step.changed))
            for event, users, title, body in step.notices:
                self.notify(obj, event, users, title, body, now)
            self.event_model.objects.create(
                **{self.subject_field: obj},
                action=action,
                actor=actor if actor.is_authenticated else None,
                at=now,
                from_status=from_status,
                to_status=to_status,
                note=step.note,
                data=step.event_data,
            )
        return obj

    def refuse_stale(self, obj, action: str):
        """Raise the 409 for a stale ``version``."""
        raise StaleVersion(f"{self.noun}已被他人更新（当前版本 {obj.version}），请刷新后再试")

    def refuse_transition(self, obj, action: str):
        """Raise the 409 for an action that does not apply in the object's state."""
        raise Conflict(
            f"{self.noun}{obj.get_status_display()}，不能{self.names[action]}",
            code="invalid_transition",
        )
