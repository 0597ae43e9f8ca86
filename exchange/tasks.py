"""Background imports: the page queues a job, a huey worker runs it (inline in tests)."""

from huey.contrib.djhuey import db_task

from exchange.jobs import execute_job


@db_task()
def run_import_job(job_id):
    """Takes the job's id, re-reads it and does nothing if it is gone or already taken."""
    execute_job(job_id)
