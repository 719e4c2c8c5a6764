"""The order listing's bulk "Emitir NF-e": the emitter chosen, the NF-e of
the selected paid orders built and sent in batches by the background task
(the local SEFAZ over HTTP), the progress page with what became of each
order; an order never gets two live NF-e, even with the selection run twice
at once, and the numbers have no gap and no duplicate."""

import threading

import pytest
from django.db import close_old_connections, connection
from guardian.shortcuts import assign_perm

from plugins.fiscal import xsd
from plugins.fiscal.models import (
    BulkIssue,
    BulkIssueItem,
    FiscalDocument,
    NumberSequence,
)
from plugins.fiscal.services.bulk import progress, run_bulk_issue, start_bulk_issue
from plugins.fiscal.services.issuing import LIVE_STATUSES
from plugins.orders.services import pay_order
from tests.helpers import is_admin_denied
from tests.plugins.fiscal.conftest import assert_signed, assert_xsd_valid
from tests.plugins.orders.admin_fixtures import login, text
from tests.plugins.orders.conftest import ADDRESS, place

LISTING = "/admin/orders/"


def bulk_url(*orders):
    ids = "&".join(f"id={order.pk}" for order in orders)
    return f"/admin/bulk/orders/order/issue_nfe/?{ids}&next={LISTING}"


@pytest.fixture
def catalog(sellable, tax_tables):
    """The catalog's products with NCM (CAN-1 is imported)."""
    from content.models import Variant

    Variant.objects.filter(sku__in=["CAM-P", "CAM-M"]).update(
        ncm="61091000", gtin="7891234567895"
    )
    Variant.objects.filter(sku="CAN-1").update(ncm="69120000", origin="1")


def paid_order(loja, *, sku="CAM-P"):
    order = place(
        loja,
        lines=[{"sku": sku, "quantity": 1}],
        shipping_address={**ADDRESS, "uf": "RJ", "city": "Rio de Janeiro"},
    )
    pay_order(order, user=None)
    order.refresh_from_db()
    return order


def live_documents(order):
    return FiscalDocument.objects.filter(order=order, status__in=LIVE_STATUSES)


def numbers(emitter):
    return sorted(
        FiscalDocument.objects.filter(emitter=emitter).values_list("number", flat=True)
    )


# -- The bulk action and its page ----------------------------------------------------


def test_the_clerk_issues_the_selected_orders_and_follows_what_became_of_each(
    sefaz,
    emitter,
    other_emitter,
    fiscal_clerk,
    loja,
    catalog,
    certificate,
    django_capture_on_commit_callbacks,
):
    from content.models import Variant

    rejected = paid_order(loja)  # the first in the batch: the authoriser rejects it
    first, second = paid_order(loja), paid_order(loja)
    no_ncm = paid_order(loja, sku="CAN-1")
    Variant.objects.filter(sku="CAN-1").update(ncm="")
    unpaid = place(loja)
    sefaz.control({"reject_next": {"cStat": "778", "xMotivo": "NCM inexistente"}})
    client = login(fiscal_clerk)
    url = bulk_url(first, second, rejected, no_ncm, unpaid)

    # the confirmation says what is issued and what is skipped, and offers
    # only the emitters the clerk issues for
    page = client.get(url)
    assert page.status_code == 200
    shown = text(page)
    assert "4 pedidos pagos" in shown
    assert unpaid.number in shown and "não está pago" in shown
    choices = page.context["form"].fields["emitter"].queryset
    assert list(choices) == [emitter]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"emitter": emitter.pk})

    job = BulkIssue.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/fiscal/bulk-issue/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done" and job.total == 5
    figures = progress(job)
    assert (figures.processed, figures.authorised, figures.rejected) == (5, 2, 1)
    assert figures.skipped == {
        "live": 0,
        "not_paid": 1,
        "not_built": 1,
        "not_allowed": 0,
    }
    # the NF-e went to the authoriser together, in one batch (enviNFe)
    sent = [r for r in sefaz.requests if r["service"] == "NFeAutorizacao4"]
    assert len(sent) == 1
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == "invoiced"
        (document,) = live_documents(order)
        assert document.status == "authorised"
        assert document.created_by == fiscal_clerk
        assert_xsd_valid(document.xml, xsd.NFE)
        assert_signed(document.xml, "infNFe", certificate=certificate)
    # the order without NCM spent no number: 1 (the rejected one), 2 and 3
    assert numbers(emitter) == [1, 2, 3]
    no_ncm.refresh_from_db()
    assert no_ncm.status == "paid" and not no_ncm.fiscal_documents.exists()

    # the job's page: the figures, and each order to look at with the reason
    page = client.get(response.url)
    assert page.status_code == 200
    shown = text(page)
    assert "Emitir NF-e em lote" in shown
    rows = {
        row.split("|")[0]: row
        for row in (
            "|".join(cell for cell in line)
            for line in _problem_rows(page.content.decode())
        )
    }
    assert set(rows) == {rejected.number, no_ncm.number, unpaid.number}
    assert "778" in rows[rejected.number]
    assert "CAN-1" in rows[no_ncm.number]
    assert "Não pago" in rows[unpaid.number]
    status = client.get(f"/admin/fiscal/bulk-issue/{job.pk}/status/").json()
    assert status["running"] is False
    assert (status["processed"], status["total"], status["authorised"]) == (5, 5, 2)


def _problem_rows(html):
    import re

    table = html.split('id="bulk-issue-problems"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        yield [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


def test_running_the_selection_again_skips_the_orders_already_invoiced(
    sefaz, emitter, fiscal_clerk, loja, catalog
):
    orders = [paid_order(loja) for _ in range(3)]

    first = run_bulk_issue(
        start_bulk_issue(orders, emitter=emitter, user=fiscal_clerk).pk
    )
    again = run_bulk_issue(
        start_bulk_issue(orders, emitter=emitter, user=fiscal_clerk).pk
    )

    assert progress(first).authorised == 3
    assert progress(again).skipped["live"] == 3
    assert all(live_documents(order).count() == 1 for order in orders)
    assert numbers(emitter) == [1, 2, 3]
    reasons = set(
        BulkIssueItem.objects.filter(job=again).values_list("reason", flat=True)
    )
    assert all("já tem a NF-e" in reason for reason in reasons), reasons


def test_a_job_runs_once_whatever_the_number_of_workers(
    sefaz, emitter, fiscal_clerk, loja, catalog
):
    job = start_bulk_issue([paid_order(loja)], emitter=emitter, user=fiscal_clerk)
    run_bulk_issue(job.pk)
    requests_before = len(sefaz.requests)

    run_bulk_issue(job.pk)  # the task delivered twice

    assert len(sefaz.requests) == requests_before
    assert FiscalDocument.objects.count() == 1


def test_a_clerk_who_lost_the_emitter_meanwhile_issues_nothing(
    sefaz, emitter, fiscal_clerk, loja, catalog
):
    from guardian.shortcuts import remove_perm

    job = start_bulk_issue([paid_order(loja)], emitter=emitter, user=fiscal_clerk)
    remove_perm("fiscal.issue_emitter", fiscal_clerk, emitter)

    run_bulk_issue(job.pk)

    assert not FiscalDocument.objects.exists()
    assert progress(job).skipped["not_allowed"] == 1


def test_the_batches_hold_at_most_what_one_envinfe_takes(
    sefaz, emitter, fiscal_clerk, loja, catalog, settings, monkeypatch
):
    from plugins.fiscal.services import bulk

    monkeypatch.setattr(bulk, "BATCH", 2)  # 50 in production: 5 orders here
    orders = [paid_order(loja) for _ in range(5)]

    job = run_bulk_issue(
        start_bulk_issue(orders, emitter=emitter, user=fiscal_clerk).pk
    )

    assert progress(job).authorised == 5
    sent = [r for r in sefaz.requests if r["service"] == "NFeAutorizacao4"]
    assert len(sent) == 3
    assert numbers(emitter) == [1, 2, 3, 4, 5]


# -- Who may ---------------------------------------------------------------------------


def test_emitters_the_clerk_does_not_issue_for_are_refused(
    sefaz, emitter, other_emitter, fiscal_clerk, loja, catalog
):
    order = paid_order(loja)
    client = login(fiscal_clerk)

    response = client.post(bulk_url(order), {"emitter": other_emitter.pk})

    assert response.status_code == 200  # the form again, with its error
    assert response.context["form"].errors["emitter"]
    assert not BulkIssue.objects.exists()


def test_the_order_desk_cannot_issue_in_bulk(emitter, order_desk, loja, catalog):
    order = paid_order(loja)
    assert is_admin_denied(login(order_desk).get(bulk_url(order)))
    assert is_admin_denied(login(order_desk).post(bulk_url(order), {"emitter": 1}))
    assert not BulkIssue.objects.exists()


def test_a_job_is_its_creators(sefaz, emitter, fiscal_clerk, loja, catalog):
    from tests.factories import UserFactory

    job = start_bulk_issue([paid_order(loja)], emitter=emitter, user=fiscal_clerk)
    colleague = UserFactory(username="outro-faturista", roles=["fiscal"])
    assign_perm("fiscal.issue_emitter", colleague, emitter)

    client = login(colleague)
    assert client.get(f"/admin/fiscal/bulk-issue/{job.pk}/").status_code == 404
    assert client.get(f"/admin/fiscal/bulk-issue/{job.pk}/status/").status_code == 404
    page = login(fiscal_clerk).get(f"/admin/fiscal/bulk-issue/{job.pk}/")
    assert page.status_code == 200


# -- Concurrency -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_selection_run_twice_at_once_gives_each_order_one_nfe(
    sefaz, emitter, fiscal_clerk, loja, catalog
):
    # given 12 paid orders selected twice, each selection a job of its own
    orders = [paid_order(loja) for _ in range(12)]
    jobs = [
        start_bulk_issue(orders, emitter=emitter, user=fiscal_clerk).pk
        for _ in range(2)
    ]
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job_id):
        try:
            barrier.wait(timeout=60)
            run_bulk_issue(job_id)
        except Exception as error:  # a deadlock or a lock timeout fails the test
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            close_old_connections()
            connection.close()

    # when both run at once
    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    # then every order has exactly one NF-e, numbered without gap or duplicate
    assert errors == []
    assert all(live_documents(order).count() == 1 for order in orders)
    assert numbers(emitter) == list(range(1, 13))
    assert NumberSequence.objects.get().next_number == 13
    issued = sum(progress(BulkIssue.objects.get(pk=job)).authorised for job in jobs)
    skipped = sum(
        progress(BulkIssue.objects.get(pk=job)).skipped["live"] for job in jobs
    )
    assert (issued, skipped) == (12, 12)
    assert FiscalDocument.objects.filter(status="authorised").count() == 12
