"""Every hostile file of the corpus, against every importer, through the
real upload screen: each is refused with its clear pt-BR error (of the file,
or of the row and column in the check) and nothing is written."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from plugins.importing.base import importers
from plugins.importing.models import ImportJob
from tests.plugins.importing.hostile import SAMPLES, corpus

#: who imports with each importer in the suite. A registered importer without
#: a sample (hostile.SAMPLES) and a role fails the test below.
ROLES = {
    "shelves.shelves": "manager",
    "content.catalog": "editor",
    "stock.receipts": "stock_manager",
    "stock.counts": "stock_manager",
    "orders.marketplace": "superuser",
    "finance.settlement": "finance_manager",
    "logistics.freight_rates": "logistics_manager",
}
#: importers that read file types of their own (``Importer.read_sheet``):
#: their hostile files are tested with their formats, in the module named
OWN_CORPUS = {
    "finance.statement": "tests/plugins/finance/test_statements.py",
    "fiscal.supplier_nfe": "tests/plugins/fiscal/intake/test_import.py",
}


def _bank_account() -> dict:
    from plugins.finance.models import BankAccount

    account, _created = BankAccount.objects.get_or_create(
        name="Conta do corpus", defaults={"bank_code": "341", "agency": "1"}
    )
    return {"account": account.pk}


#: the start screen's choices an importer needs besides the file
OPTIONS = {"finance.settlement": _bank_account}

CASES = [
    pytest.param(key, hostile, id=f"{key}-{hostile.name}")
    for key, (header, row) in SAMPLES.items()
    for hostile in corpus(header, row)
]


@pytest.fixture
def stock_manager(db):
    from tests.factories import UserFactory

    return UserFactory(username="gerente-estoque", roles=["stock_manager"])


@pytest.fixture
def logistics_manager(db):
    from tests.factories import UserFactory

    return UserFactory(username="gerente-logistica", roles=["logistics_manager"])


@pytest.fixture
def finance_manager(db):
    from tests.factories import UserFactory

    return UserFactory(username="gerente-financeiro", roles=["finance_manager"])


def test_every_importer_has_a_sample(db):
    assert set(importers()) - set(OWN_CORPUS) == set(SAMPLES) == set(ROLES)


def _counts() -> dict[str, int]:
    """Rows of every model the project owns, but the import's own job."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"content", "plugins", "orders", "stock", "shelves", "finance", "logistics"}
        and model is not ImportJob
        and model._meta.managed
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "hostile"), CASES)
def test_hostile_file_is_refused_and_writes_nothing(
    key, hostile, client, request, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(ROLES[key]))
    options = OPTIONS[key]() if key in OPTIONS else {}
    before = _counts()
    # large files are checked on the task worker (immediate in the tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:start", args=[key]),
            {"file": SimpleUploadedFile(hostile.name, hostile.data), **options},
        )
    if response.status_code == 302:
        response = client.get(response.url)
    assert response.status_code == 200
    page = strip_tags(response.content.decode())
    assert hostile.message in page, " ".join(page.split())[-1500:]
    job = ImportJob.objects.first()
    if hostile.kind == "row":
        errors = job.dry_run_report["errors"]
        assert [(e["row"], e["column"]) for e in errors] == [(2, hostile.column)]
        assert hostile.message in errors[0]["message"]
    elif job is not None:
        assert job.dry_run_report["file_error"]
        assert not job.can_confirm
    if job is not None and job.can_confirm:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("imports:confirm", args=[job.pk]), {"skip_invalid": "on"}
            )
    assert _counts() == before
