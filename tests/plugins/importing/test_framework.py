"""The import framework through its screens, with the test plugin's shelves
importer: check, confirm with or without the invalid rows, the invalid rows
as a spreadsheet, the audit entry, the background path, and whose jobs are
whose."""

import io
from typing import ClassVar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from wagtail import hooks
from wagtail.models import ModelLogEntry

from plugins.importing import services
from plugins.importing.base import Column, Importer, RowInvalid
from plugins.importing.models import ImportJob
from plugins.importing.services import PROGRESS_DB
from tests.factories import ShelfFactory, UserFactory
from tests.helpers import page_text
from tests.plugins.importing.hostile import csv_bytes
from tests.shelves_plugin.importers import ShelvesImporter
from tests.shelves_plugin.models import Shelf

pytestmark = pytest.mark.django_db
HEADER = ["code", "name", "capacity"]


@pytest.fixture
def client_of(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def upload(
    client, rows, *, header=HEADER, name="prateleiras.csv", key="shelves.shelves"
):
    response = client.post(
        reverse("imports:start", args=[key]),
        {"file": SimpleUploadedFile(name, csv_bytes(header, rows))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("created_at")


def test_check_then_confirm_skipping_the_invalid_rows(manager, client_of):
    ShelfFactory(code="a1", name="Corredor A1", capacity=10)
    client = client_of(manager)
    job = upload(
        client,
        [
            ["A1", "Corredor A1 novo", "12"],
            ["b2", "Corredor B2", ""],
            ["c3", "", "5"],
            ["d4", "Corredor D4", "muitas"],
        ],
    )
    # the check: counts, every error with row and column, nothing written
    assert job.status == ImportJob.Status.CHECKED
    report = job.dry_run_report
    assert (report["total_rows"], report["valid_rows"], report["invalid_rows"]) == (
        4,
        2,
        2,
    )
    assert report["counts"] == {"new": 1, "updated": 1}
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (4, "name"),
        (5, "capacity"),
    ]
    assert Shelf.objects.get(code="a1").name == "Corredor A1"
    assert not Shelf.objects.filter(code="b2").exists()

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Conferência (nada foi gravado ainda)" in page
    assert "Importar as 2 linhas válidas" in page
    assert "Obrigatório." in page

    # the invalid rows, with their errors, as a spreadsheet
    response = client.get(reverse("imports:invalid_rows", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("linha", "code", "name", "capacity")
    assert rows[1][:4] == (4, "c3", None, "5") and "name: Obrigatório." in rows[1][4]
    assert rows[2][0] == 5 and "capacity" in rows[2][4]

    # confirmed on the check's result, without uploading again
    response = client.post(
        reverse("imports:confirm", args=[job.pk]), {"skip_invalid": "on"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.report["committed"] and job.report["counts"] == {"new": 1, "updated": 1}
    assert Shelf.objects.get(code="a1").name == "Corredor A1 novo"
    assert Shelf.objects.get(code="b2").capacity == 10
    assert not Shelf.objects.filter(code__in=["c3", "d4"]).exists()
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert reverse("shelves:index") in page  # a link to what was imported

    # one audit entry for the import
    entries = ModelLogEntry.objects.filter(action="retaguarda.import")
    assert entries.count() == 1
    assert entries.get().data["rows"] == 2 and entries.get().data["skipped_rows"] == 2

    # a second confirmation does nothing
    client.post(reverse("imports:confirm", args=[job.pk]), {"skip_invalid": "on"})
    assert ModelLogEntry.objects.filter(action="retaguarda.import").count() == 1


def test_invalid_rows_import_nothing_unless_skipped(manager, client_of):
    client = client_of(manager)
    job = upload(client, [["a1", "A1", "1"], ["b2", "", "1"]])
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not Shelf.objects.exists()


def test_what_changed_since_the_check_is_checked_again(manager, client_of):
    client = client_of(manager)
    job = upload(client, [["a1", "A1", "1"], ["b2", "B2", "1"]])

    # another import created b2 meanwhile: the import checks the file
    # against the database as it is now, and counts b2 as updated
    ShelfFactory(code="b2", name="Antigo", capacity=10)
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.report["counts"] == {"new": 1, "updated": 1}


def test_a_job_is_its_creators(manager, client_of, superuser):
    job = upload(client_of(manager), [["a1", "A1", "1"], ["b2", "", "1"]])
    other = UserFactory(username="outro-gerente", roles=["manager"])
    for user in (other, superuser):
        client = client_of(user)
        for name in ("job", "status", "invalid_rows"):
            assert (
                client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404
            )
        response = client.post(
            reverse("imports:confirm", args=[job.pk]), {"skip_invalid": "on"}
        )
        assert response.status_code == 404
    assert not Shelf.objects.exists()


def test_one_permission_per_importer(editor, client_of):
    client = client_of(editor)
    response = client.get(reverse("imports:start", args=["shelves.shelves"]))
    assert response.status_code in (302, 403)
    response = client.post(
        reverse("imports:start", args=["shelves.shelves"]),
        {"file": SimpleUploadedFile("x.csv", csv_bytes(HEADER, [["a1", "A1", "1"]]))},
    )
    assert response.status_code in (302, 403)
    assert not ImportJob.objects.exists()
    assert (
        client_of(editor).get(reverse("imports:start", args=["nada"])).status_code
        == 404
    )


def test_large_files_run_on_the_worker_with_progress(
    manager, client_of, settings, django_capture_on_commit_callbacks
):
    settings.RETAGUARDA_IMPORT_INLINE_ROWS = 10
    client = client_of(manager)
    rows = [[f"s{i}", f"Prateleira {i}", "3"] for i in range(50)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = upload(client, rows)
    # queued, not run in the request
    assert job.status == ImportJob.Status.PENDING and callbacks
    status = client.get(reverse("imports:status", args=[job.pk])).json()
    assert status == {
        "status": "pending",
        "status_display": "Aguardando",
        "progress": 0,
        "running": True,
    }
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'data-controller="rg-job-progress"' in page
    for callback in callbacks:
        callback()  # the worker (immediate backend in the tests)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.progress == 100
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Shelf.objects.count() == 50


class GroupedImporter(Importer):
    """Rows with the same shelf code are one shelf: name on every row."""

    key = "tests.grouped"
    verbose_name = "Grouped"
    permission = "shelves.add_shelf"
    columns = (Column("code", required=True), Column("name", required=True))
    group_by = ("code",)
    batch_size = 2

    def check_row(self, row):
        if row.values["name"] == "x":
            raise RowInvalid("name", "inválido")

    def write_batch(self, rows):
        for row in rows:
            Shelf.objects.update_or_create(
                code=row.values["code"], defaults={"name": row.values["name"]}
            )


def test_groups_are_checked_and_skipped_whole(manager, client_of):
    with hooks.register_temporarily("register_importer", lambda: GroupedImporter):
        client = client_of(manager)
        job = upload(
            client,
            [["a1", "A"], ["b2", "B"], ["A1", "x"], ["c3", "C"]],
            header=["code", "name"],
            key="tests.grouped",
        )
        report = job.dry_run_report
        # a1's two rows (2 and 4, far apart in the file) are skipped together
        assert sorted(e["row"] for e in report["errors"]) == [2, 4]
        client.post(reverse("imports:confirm", args=[job.pk]), {"skip_invalid": "on"})
    assert sorted(Shelf.objects.values_list("code", flat=True)) == ["b2", "c3"]


def test_a_refused_file_reads_as_refused_in_the_recent_imports(manager, client_of):
    client = client_of(manager)
    upload(client, [], header=["code", "cor"])  # an unknown column
    page = client.get(reverse("imports:start", args=["shelves.shelves"]))
    recent = page.content.decode().split('id="import-recent"')[1]
    assert "Recusado" in recent and "Conferido" not in recent


class WatchedImporter(ShelvesImporter):
    """The shelves importer in batches of 10, noting before each batch what
    another connection sees: the job's progress and the shelves written."""

    key = "tests.watched"
    batch_size = 10
    seen: ClassVar[list[tuple[int, int]]] = []

    def write_batch(self, rows):
        job = ImportJob.objects.using(PROGRESS_DB).get(pk=self.job.pk)
        self.seen.append((job.progress, Shelf.objects.using(PROGRESS_DB).count()))
        super().write_batch(rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", PROGRESS_DB])
def test_the_import_progress_shows_while_its_rows_wait_for_the_commit(superuser):
    """On the worker (outside any transaction) the progress of the import is
    committed batch by batch, for the job's page to show; the rows commit
    together at the end (nothing half-written)."""
    rows = [[f"s{i}", f"Prateleira {i}", "3"] for i in range(50)]
    upload = SimpleUploadedFile("prateleiras.csv", csv_bytes(HEADER, rows))
    WatchedImporter.seen = []
    with hooks.register_temporarily("register_importer", lambda: WatchedImporter):
        job = services.start(WatchedImporter, user=superuser, upload=upload)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.CHECKED
        services.confirm(job, user=superuser, skip_invalid=False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.progress == 100
    assert Shelf.objects.count() == 50
    progress = [seen_progress for seen_progress, _shelves in WatchedImporter.seen]
    assert len(progress) == 5
    assert progress[0] == 0 and progress == sorted(progress)
    assert progress[-1] >= 70  # four batches of ten rows out of 50
    assert [shelves for _progress, shelves in WatchedImporter.seen] == [0] * 5


class PipeImporter(Importer):
    """Reads a file type of its own: ``.pipe`` files, one shelf per line,
    ``code|name`` (no header), through the extension point."""

    key = "tests.pipe"
    verbose_name = "Pipe"
    permission = "shelves.add_shelf"
    columns = (Column("code", required=True), Column("name", required=True))
    file_types = (".pipe",)
    file_help_text = "A .pipe file: code|name on each line."

    def read_sheet(self, data, *, name, limits):
        from plugins.importing.errors import FileProblem
        from plugins.importing.reader import Sheet

        text = data.decode("utf-8")
        if "|" not in text:
            raise FileProblem("Não é um arquivo .pipe.")
        lines = [line.split("|") for line in text.splitlines() if line]
        return Sheet(
            "pipe",
            ["code", "name"],
            ((number, cells) for number, cells in enumerate(lines, start=1)),
        )

    def check_row(self, row):
        if not row.values["code"].isalnum():
            raise RowInvalid("code", "inválido")

    def write_batch(self, rows):
        for row in rows:
            Shelf.objects.create(code=row.values["code"], name=row.values["name"])


def test_an_importer_reads_a_file_type_of_its_own(manager, client_of):
    with hooks.register_temporarily("register_importer", lambda: PipeImporter):
        client = client_of(manager)
        start = reverse("imports:start", args=["tests.pipe"])
        page = client.get(start).content.decode()
        # the start screen offers its file types and describes them
        assert 'accept=".pipe"' in page
        assert "A .pipe file: code|name on each line." in page
        # another file type is refused before anything is stored
        response = client.post(
            start, {"file": SimpleUploadedFile("shelves.csv", b"code,name\nx1,X\n")}
        )
        assert response.status_code == 200
        assert "Esta importação aceita arquivos .pipe." in page_text(response)
        assert not ImportJob.objects.exists()
        # its reader numbers the rows; the errors name them
        client.post(
            start,
            {"file": SimpleUploadedFile("s.pipe", b"p1|Primeira\np-2|Segunda\n")},
        )
        job = ImportJob.objects.latest("created_at")
        assert job.dry_run_report["errors"][0]["row"] == 2
        client.post(reverse("imports:confirm", args=[job.pk]), {"skip_invalid": "on"})
        assert list(Shelf.objects.values_list("code", flat=True)) == ["p1"]
        # what its reader refuses is the file's error
        client.post(start, {"file": SimpleUploadedFile("bad.pipe", b"nothing")})
        job = ImportJob.objects.latest("created_at")
        assert job.dry_run_report["file_error"] == "Não é um arquivo .pipe."


class AfterImportImporter(GroupedImporter):
    key = "tests.after"
    group_by = ()
    calls: ClassVar[list] = []

    def after_import(self):
        AfterImportImporter.calls.append(Shelf.objects.count())


def test_after_import_runs_once_when_the_rows_are_written(manager, client_of):
    AfterImportImporter.calls.clear()
    with hooks.register_temporarily("register_importer", lambda: AfterImportImporter):
        client = client_of(manager)
        job = upload(
            client,
            [["a1", "A"], ["b2", "B"]],
            header=["code", "name"],
            key="tests.after",
        )
        assert AfterImportImporter.calls == []  # not in the dry run
        client.post(reverse("imports:confirm", args=[job.pk]))
    assert AfterImportImporter.calls == [2]
