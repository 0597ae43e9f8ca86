"""Receivers keeping the facts and cells in step with the cases (the cases app does not
import analytics: the signals go this way)."""

from django.db.models.signals import post_delete, post_save

# Timeline rows that change nothing a KPI reads (the sweep's light: ``overdue_open`` is
# read live, and the light does not bump the case's version).
IGNORED_ACTIONS = frozenset({"light"})


def on_case_event(sender, instance, created, raw=False, **kwargs):
    """Every case action writes one CaseEvent in its transaction, after saving the case
    (intake, the workflow, the hotline import): refresh that case's fact right there, so
    the cells commit or roll back with the action."""
    if not created or raw or instance.action in IGNORED_ACTIONS:
        return
    from analytics.aggregates import add_new_case, refresh

    if instance.action == "submit" and instance.case.version == 1:
        # Intake writes the submit event right after creating the case: the case object
        # it holds is the row as written.
        add_new_case(instance.case)
    else:
        refresh([instance.case_id])


def on_fact_deleted(sender, instance, **kwargs):
    """A case deleted (its fact goes with it by cascade): its contribution leaves the cells."""
    from analytics.aggregates import subtract_fact

    subtract_fact(instance)


def connect():
    from analytics.models import CaseFact
    from cases.models import CaseEvent

    post_save.connect(on_case_event, sender=CaseEvent, dispatch_uid="analytics_case_event")
    post_delete.connect(on_fact_deleted, sender=CaseFact, dispatch_uid="analytics_fact_deleted")


def disconnect():
    """For measurements (bench/kpi_overhead.py): the upkeep off; ``sync()`` catches up."""
    from analytics.models import CaseFact
    from cases.models import CaseEvent

    post_save.disconnect(sender=CaseEvent, dispatch_uid="analytics_case_event")
    post_delete.disconnect(sender=CaseFact, dispatch_uid="analytics_fact_deleted")
