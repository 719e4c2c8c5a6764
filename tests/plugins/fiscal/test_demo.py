"""The demo fiscal data written by `manage.py seed_demo` (the DEMO_DATA hook):
the store's emitter with its A1, granted to the demo fiscal user, and the
NF-e of orders of its own authorised by the local SEFAZ through the issuing
services — one rejected, one cancelled, one corrected — the orders invoiced
and moved on, the simulator `make run` starts knowing them."""

import base64
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.test import Client
from wagtail import hooks as wagtail_hooks

from content.models import Variant
from plugins.fiscal import certificates, demo
from plugins.fiscal.models import (
    DocumentStatus,
    Emitter,
    EventKind,
    FiscalDocument,
    FiscalEvent,
)
from plugins.fiscal.services import events
from plugins.fiscal.services.authorisers import may_issue
from plugins.fiscal.simulator import SefazSimulator
from plugins.fiscal.xsd import NFE_PROC
from plugins.hooks import DEMO_DATA
from plugins.orders.models import Order, OrderEvent
from tests.factories import UserFactory
from tests.helpers import listing_rows
from tests.plugins.fiscal.conftest import assert_xsd_valid
from tests.plugins.orders.conftest import sellable  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

S = DocumentStatus
#: What the demo's NF-e become (SCENARIOS): all but one authorised.
AUTHORISED = len(demo.SCENARIOS) - 1


@pytest.fixture
def catalog(sellable, tax_tables):  # noqa: F811
    """The orders' small catalog, with NCMs (as the demo catalog's)."""
    Variant.objects.filter(sku__startswith="CAM-").update(ncm="61091000")
    Variant.objects.filter(sku="CAN-1").update(ncm="69120000")


@pytest.fixture
def fiscal_user(db):
    return UserFactory(username="fiscal", roles=["fiscal"])


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.RETAGUARDA_DEMO_SIMULATORS_DIR = tmp_path / "simulators"
    return settings


@pytest.fixture
def seeded(catalog, fiscal_user, sefaz, demo_settings):
    """The demo seeded against the running local SEFAZ (make run's)."""
    out = StringIO()
    demo.seed_demo_fiscal(stdout=out)
    return out.getvalue()


def demo_documents():
    return FiscalDocument.objects.filter(order__external_id__startswith=demo.PREFIX)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_fiscal_runs_after_the_demo_orders_and_finance():
    names = [fn.__module__ for fn in wagtail_hooks.get_hooks(DEMO_DATA)]
    assert names.index("plugins.orders.demo") < names.index("plugins.fiscal.demo")
    assert names.index("plugins.finance.demo") < names.index("plugins.fiscal.demo")


def test_the_demo_emitter_is_the_store_with_its_a1_granted_to_the_fiscal_user(
    seeded, fiscal_user
):
    emitter = Emitter.objects.get()
    assert emitter.cnpj == demo.demo_cnpj()
    assert (emitter.environment, emitter.uf, emitter.city_code) == (
        "2",
        "SP",
        "3550308",
    )
    emitter.full_clean()
    certificate = certificates.load(
        base64.b64decode(emitter.certificate), emitter.certificate_password
    )
    assert certificate.cnpj == emitter.cnpj
    assert emitter.certificate_not_after == certificate.not_after
    assert emitter.certificate_subject == certificate.subject

    # the demo fiscal user issues for it
    assert may_issue(fiscal_user, emitter)
    assert fiscal_user.has_perm("fiscal.view_emitter", emitter)
    # the NF-e were issued by them
    assert set(demo_documents().values_list("created_by", flat=True)) == {
        fiscal_user.pk
    }
    # and they open the DANFE of one
    client = Client()
    client.force_login(fiscal_user)
    document = demo_documents().filter(status=S.AUTHORISED).first()
    response = client.get(f"/admin/fiscal/documents/{document.pk}/danfe/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    # from the NF-e's page, whose buttons are Wagtail's icon buttons (an
    # icon without the class takes the SVG's default size, 300 × 150)
    html = client.get(f"/admin/fiscal/nfe/inspect/{document.pk}/").content.decode()
    buttons = re.findall(r"<a [^>]*data-fiscal-action=[^>]*>", html)
    assert {re.search(r'data-fiscal-action="(\w+)"', b)[1] for b in buttons} == {
        "danfe",
        "xml",
        "correct",
        "cancel",
    }
    assert all("button--icon" in button for button in buttons)
    # and find the demo's NF-e in their listing, with their orders
    rows = listing_rows(client.get("/admin/fiscal/nfe/?status=rejected"))
    rejected = demo_documents().get(status=S.REJECTED)
    assert len(rows) == 1 and rejected.order.number in rows[0]


def test_demo_nfe_authorised_rejected_cancelled_and_corrected_once(seeded, sefaz):
    documents = demo_documents()
    statuses = sorted(documents.values_list("status", flat=True))
    assert statuses.count(S.AUTHORISED) == AUTHORISED - 1
    assert statuses.count(S.CANCELLED) == 1
    assert statuses.count(S.REJECTED) == 1
    assert len(statuses) == len(demo.SCENARIOS)

    rejected = documents.get(status=S.REJECTED)
    assert rejected.status_code == demo.REJECTION["cStat"]
    # its order waits to be issued again
    assert rejected.order.status == "paid"

    cancelled = documents.get(status=S.CANCELLED)
    assert cancelled.events.get().kind == EventKind.CANCELLATION
    corrected = FiscalEvent.objects.get(kind=EventKind.CORRECTION)
    assert corrected.document.status == S.AUTHORISED
    assert corrected.status_code == "135" and corrected.text == demo.CORRECTION

    # the authorised ones carry their protocol, in a valid nfeProc, and the
    # local SEFAZ knows them
    for document in documents.exclude(status=S.REJECTED):
        assert len(document.protocol) == 15
        assert sefaz.document(document.access_key) is not None
    assert_xsd_valid(documents.filter(status=S.AUTHORISED).first().proc_xml, NFE_PROC)
    # numbers 1, 2, 3 … without a gap
    assert sorted(documents.values_list("number", flat=True)) == list(
        range(1, len(demo.SCENARIOS) + 1)
    )

    # the orders were invoiced when their NF-e was authorised, and moved on
    orders = Order.objects.filter(external_id__startswith=demo.PREFIX)
    statuses = sorted(orders.values_list("status", flat=True))
    expected = {
        "paid": 1,  # the rejected NF-e's
        "ready_to_ship": sum(s.outcome == "ready" for s in demo.SCENARIOS),
        "shipped": sum(s.outcome == "shipped" for s in demo.SCENARIOS),
        "delivered": sum(s.outcome == "delivered" for s in demo.SCENARIOS),
    }
    expected["invoiced"] = len(demo.SCENARIOS) - sum(expected.values())
    assert {status: statuses.count(status) for status in expected} == expected
    # each passed through invoiced when its NF-e was authorised
    for order in orders.exclude(status="paid"):
        assert OrderEvent.objects.filter(order=order, to_status="invoiced").exists()
        assert order.fiscal_documents.filter(
            status__in=(S.AUTHORISED, S.CANCELLED)
        ).exists()
    assert "autorizadas" in seeded and "1 rejeitada" in seeded

    # a second run adds nothing
    def counts():
        return [
            model.objects.count()
            for model in (Emitter, Order, OrderEvent, FiscalDocument, FiscalEvent)
        ]

    before = counts()
    emitter = Emitter.objects.get()
    demo.seed_demo_fiscal(stdout=StringIO())
    assert counts() == before
    # the certificate is kept while it is valid
    assert Emitter.objects.get().certificate == emitter.certificate


def test_the_simulator_make_run_starts_knows_the_demo_nfe(
    catalog, fiscal_user, demo_settings
):
    # given no simulator at the demo's address (make run seeds first)
    port = free_port()
    demo_settings.RETAGUARDA_FISCAL_AUTHORISER_URL = f"http://127.0.0.1:{port}"
    demo.seed_demo_fiscal(stdout=StringIO())
    assert demo_documents().filter(status=S.AUTHORISED).count() == AUTHORISED - 1
    # the one started for the seeding is gone
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
    # make run's, started on its state file, knows them: the clerk cancels one
    state = demo_settings.RETAGUARDA_DEMO_SIMULATORS_DIR / "sefaz.json"
    with SefazSimulator(port=port, state_file=state) as simulator:
        document = demo_documents().filter(status=S.AUTHORISED).first()
        assert simulator.document(document.access_key) is not None
        events.cancel(
            document, justification="Cliente desistiu da compra", user=fiscal_user
        )
    document.refresh_from_db()
    assert document.status == S.CANCELLED


def test_without_the_local_sefaz_the_demo_writes_no_nfe(
    catalog, fiscal_user, demo_settings
):
    # given an authoriser address that is not the local SEFAZ
    demo_settings.RETAGUARDA_FISCAL_AUTHORISER_URL = ""
    out = StringIO()
    demo.seed_demo_fiscal(stdout=out)
    assert "NF-e de demonstração não emitidas" in out.getvalue()
    assert "RETAGUARDA_FISCAL_AUTHORISER_URL" in out.getvalue()
    # or something else answering at its port
    port = free_port()
    demo_settings.RETAGUARDA_FISCAL_AUTHORISER_URL = f"http://127.0.0.1:{port}"
    server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = StringIO()
        demo.seed_demo_fiscal(stdout=out)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert "não é o SEFAZ local" in out.getvalue()
    # then no order nor NF-e is written, but the emitter is there, granted
    assert not Order.objects.filter(external_id__startswith=demo.PREFIX).exists()
    assert not FiscalDocument.objects.exists()
    assert may_issue(fiscal_user, Emitter.objects.get())
    # and the next run, with the local SEFAZ, issues them
    demo.seed_demo_fiscal(stdout=StringIO())
    assert demo_documents().count() == len(demo.SCENARIOS)
