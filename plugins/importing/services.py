"""Import jobs change here and nowhere else: started from an upload, checked,
confirmed (claimed once, whatever the number of clicks), imported, failed.

Small files run right away, in the request; files over
``RETAGUARDA_IMPORT_INLINE_ROWS`` rows run on the task worker, with progress
on the job."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from plugins.audit import log_change
from plugins.importing.base import Importer, get_importer
from plugins.importing.engine import InvalidRows, run
from plugins.importing.models import ImportJob
from plugins.importing.reader import XLSX_MAGIC

logger = logging.getLogger(__name__)
IMPORT_LOG_ACTION = "retaguarda.import"
Status = ImportJob.Status
#: The database alias that writes a job's progress while its import runs: a
#: second connection to the same database (the settings define it on
#: PostgreSQL), whose writes others see at once, while the rows wait for the
#: import's transaction to commit. Without it the progress of the import
#: phase shows when the import ends (that of the check, at once).
PROGRESS_DB = "progress"


def rows_hint(data: bytes) -> int:
    """About how many rows a file has, to choose between running now and on
    the worker, and to show progress."""
    if data[:4] == XLSX_MAGIC:
        return max(1, len(data) // 40)  # a compressed row is about 40 bytes
    return data.count(b"\n")


def start(
    importer: type[Importer], *, user, upload, options: dict | None = None
) -> ImportJob:
    """Store the uploaded file as a new job and check it (the dry run)."""
    if not importer.user_can_import(user):
        raise PermissionDenied
    data = upload.read()
    upload.seek(0)
    job = ImportJob.objects.create(
        importer=importer.key,
        created_by=user,
        file=upload,
        original_name=upload.name[:255],
        rows_hint=rows_hint(data),
        options=options or {},
    )
    _schedule(job, dry_run=True)
    return job


def confirm(job: ImportJob, *, user, skip_invalid: bool) -> bool:
    """Import a checked job. Only the first of several confirmations runs it
    (the job is claimed with a conditional update); returns whether this one
    did."""
    importer = get_importer(job.importer)
    if importer is None or not importer.user_can_import(user):
        raise PermissionDenied
    if job.created_by_id != user.pk:
        raise PermissionDenied
    if not job.can_confirm:
        return False
    if job.dry_run_report.get("invalid_rows") and not skip_invalid:
        return False
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=Status.CHECKED, report={}
    ).update(status=Status.PENDING, progress=0, skip_invalid=skip_invalid)
    if not claimed:
        return False
    job.status, job.skip_invalid = Status.PENDING, skip_invalid
    _schedule(job, dry_run=False)
    return True


def _schedule(job: ImportJob, *, dry_run: bool) -> None:
    if job.rows_hint <= settings.RETAGUARDA_IMPORT_INLINE_ROWS:
        run_job(job.pk, dry_run=dry_run)
        return
    from plugins.importing.tasks import run_import_job

    job_id = str(job.pk)
    transaction.on_commit(lambda: run_import_job.enqueue(job_id, dry_run))


def _set(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def _progress_writer(job: ImportJob):
    """Writes ``job``'s progress where others see it at once: through
    :data:`PROGRESS_DB` when the settings have it and the job runs outside
    any transaction (the worker). Inside one (a small file in the request),
    another connection could wait for the job row this one holds: the
    progress then goes with the rest."""
    separate = PROGRESS_DB in settings.DATABASES and transaction.get_autocommit()

    def write(percent: int) -> None:
        job.progress = percent
        if not separate:
            ImportJob.objects.filter(pk=job.pk).update(progress=percent)
            return
        try:
            ImportJob.objects.using(PROGRESS_DB).filter(pk=job.pk).update(
                progress=percent
            )
        except DatabaseError:  # the row locked: not worth waiting for
            logger.warning("progress of import %s not written", job.pk)

    return write


def run_job(job_id, *, dry_run: bool) -> ImportJob:
    """Check or import a job's file; the job's state says how it went."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    importer_class = get_importer(job.importer)
    _set(job, status=Status.CHECKING if dry_run else Status.IMPORTING, progress=0)

    def finish(report) -> None:
        _set(
            job,
            status=Status.DONE,
            progress=100,
            report=report.as_dict(),
            finished_at=timezone.now(),
        )
        log_change(
            job,
            IMPORT_LOG_ACTION,
            user=job.created_by,
            importer=job.importer,
            file=job.original_name,
            rows=report.valid_rows,
            skipped_rows=report.invalid_rows,
            counts=report.counts,
        )

    try:
        if importer_class is None:  # its plugin was switched off meanwhile
            raise LookupError(f"no importer {job.importer!r}")
        importer = importer_class(job.created_by, job.options, job)
        with job.file.open("rb") as handle:
            data = handle.read()
        invalid = InvalidRows(importer) if dry_run else None
        report = run(
            importer,
            data,
            name=job.original_name,
            dry_run=dry_run,
            skip_invalid=job.skip_invalid,
            rows_hint=job.rows_hint,
            progress=_progress_writer(job),
            invalid_rows=invalid,
            finish=finish,
        )
    except Exception:
        logger.exception("import %s (%s) failed", job.pk, job.importer)
        _set(job, status=Status.FAILED, finished_at=timezone.now())
        return job
    if dry_run:
        if invalid.count:
            job.invalid_rows_file.save(
                f"{job.pk}-linhas-invalidas.xlsx",
                ContentFile(invalid.content()),
                save=False,
            )
        _set(
            job,
            status=Status.CHECKED,
            progress=100,
            dry_run_report=report.as_dict(),
            invalid_rows_file=job.invalid_rows_file.name or "",
        )
    elif not report.committed:
        # The data changed since the check: what the import found now is
        # the new check, and nothing was written.
        _set(job, status=Status.CHECKED, progress=100, dry_run_report=report.as_dict())
    return job


def purge_files(older_than: datetime.timedelta) -> list[str]:
    """Delete the uploaded files (and invalid-rows spreadsheets) of jobs
    started before ``older_than`` ago: files may hold customers' personal
    data. The jobs and their reports stay. Returns the paths deleted."""
    cutoff = timezone.now() - older_than
    deleted = []
    jobs = ImportJob.objects.filter(created_at__lt=cutoff).exclude(
        file="", invalid_rows_file=""
    )
    for job in jobs.iterator():
        deleted.extend(erase_files(job))
    return deleted


def job_texts(job: ImportJob) -> list[bytes]:
    """The contents of a job's files as text to search (an XLSX's cells,
    joined), for erasing a person's data (LGPD)."""
    from plugins.importing.reader import Limits, read_sheet

    texts = []
    for field in (job.file, job.invalid_rows_file):
        if not field.name:
            continue
        with field.open("rb") as handle:
            data = handle.read()
        if data[:4] == XLSX_MAGIC:
            try:
                sheet = read_sheet(data, name=field.name, limits=Limits.from_settings())
                cells = [*sheet.header]
                for _number, row in sheet.rows:
                    cells.extend("" if cell is None else str(cell) for cell in row)
                data = "\n".join(cells).encode()
            except Exception:  # noqa: BLE001 - unreadable: erased to be safe
                data = b"\x00unreadable"
        texts.append(data)
    return texts


def erase_files(job: ImportJob) -> list[str]:
    """Delete a job's files and the rows quoted in its reports' errors; the
    job and its counts stay. Returns the paths deleted."""
    deleted = []
    for field in (job.file, job.invalid_rows_file):
        if field.name:
            field.storage.delete(field.name)
            deleted.append(field.name)
    reports = {}
    for name in ("dry_run_report", "report"):
        report = dict(getattr(job, name) or {})
        if report.get("errors"):
            report["errors"] = []
        reports[name] = report
    ImportJob.objects.filter(pk=job.pk).update(file="", invalid_rows_file="", **reports)
    return deleted
