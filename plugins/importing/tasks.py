"""The import's background task, for files too large to run in a request."""

from django_tasks import task


@task()
def run_import_job(job_id: str, dry_run: bool) -> None:
    from plugins.importing.services import run_job

    run_job(job_id, dry_run=dry_run)
