"""Background imports: the page queues a job, a huey worker runs it (inline in tests)."""

from django.db import transaction
from huey.contrib.djhuey import db_task

from exchange.jobs import execute_job
from exchange.models import ImportJob, JobStatus


@db_task()
def run_import_job(job_id):
    """Takes the job's id, re-reads it and does nothing if it is gone or already taken."""
    execute_job(job_id)


def do_start_job(job: ImportJob) -> bool:
    """Queue an uploaded job (once: a second click does nothing); the worker runs it
    after the commit."""
    with transaction.atomic():
        queued = ImportJob.objects.filter(pk=job.pk, status=JobStatus.UPLOADED).update(
            status=JobStatus.QUEUED
        )
        if queued:
            transaction.on_commit(lambda: run_import_job(job.pk))
    return bool(queued)
