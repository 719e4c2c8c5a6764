"""Background work of the catalog: imports and index refreshes."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


def _progress_writer(job_id):
    from content.models import ImportJob

    def write(percent: int, stage: str) -> None:
        # A separate, committed write so that the status page sees progress
        # while the import's own transaction is still open.
        ImportJob.objects.filter(pk=job_id).update(progress=percent, stage=stage)

    return write


def run_job(job_id, *, dry_run: bool) -> None:
    from content.importing.pipeline import run_import
    from content.models import ImportJob

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    Status = ImportJob.Status
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.VALIDATING if dry_run else Status.IMPORTING, progress=0
    )
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        report = run_import(
            data,
            user=job.created_by,
            dry_run=dry_run,
            publish=job.publish,
            skip_invalid=job.skip_invalid,
            job_id=str(job.pk),
            progress=_progress_writer(job.pk),
        )
    except Exception:
        logger.exception("catalog import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED, finished_at=timezone.now(), stage="error"
        )
        raise
    if dry_run:
        status = Status.VALIDATED
        fields = {"dry_run_report": report.as_dict()}
    else:
        status = Status.DONE if report.committed else Status.VALIDATED
        fields = {"report": report.as_dict(), "finished_at": timezone.now()}
    ImportJob.objects.filter(pk=job.pk).update(status=status, progress=100, **fields)


@task()
def validate_import(job_id: str) -> None:
    run_job(job_id, dry_run=True)


@task()
def apply_import(job_id: str) -> None:
    run_job(job_id, dry_run=False)


def start(job, *, dry_run: bool, rows_hint: int) -> None:
    """Run small files right away; queue large ones for a worker."""
    inline_limit = getattr(settings, "RETAGUARDA_IMPORT_INLINE_ROWS", 2000)
    if rows_hint <= inline_limit:
        run_job(job.pk, dry_run=dry_run)
        return
    chosen = validate_import if dry_run else apply_import
    transaction.on_commit(lambda: chosen.enqueue(str(job.pk)))


@task()
def refresh_product_indexes(product_ids: list[int]) -> None:
    """Search index and reference index entries for imported products."""
    from wagtail.models import ReferenceIndex
    from wagtail.search.backends import get_search_backend

    from content.models import Product

    backend = get_search_backend()
    for start in range(0, len(product_ids), 500):
        chunk = list(
            Product.objects.filter(
                pk__in=product_ids[start : start + 500]
            ).prefetch_related("variants", "brand")
        )
        backend.add_bulk(Product, chunk)
        for product in chunk:
            ReferenceIndex.create_or_update_for_object(product)
