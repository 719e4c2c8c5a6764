"""The fiscal plugin's KPIs (plugins.fiscal.analytics), live and from the
rollups, within the emitters' scopes.

Two emitters in homologação, Matriz (M) and Filial (F), and one in
production (P); days D1 = T−3, D2 = T−2, T = today (store's local days).
Taxes are the documents' stored totals (ICMS, FCP + DIFAL's FCP, DIFAL,
IPI, PIS, COFINS; IBS and CBS apart):

====  ==  ======  ===========  =========  ==================================
 #    em  op      status       issued     totals
====  ==  ======  ===========  =========  ==================================
 m1   M   sale    authorised   D1 10:00   icms 18, fcp 2, pis 1,65,
                                          cofins 7,60, ibs 0,10, cbs 0,90
 m2   M   sale    authorised   D1 23:30   icms 36, difal 10, difal_fcp 2,
                                          pis 3,30, cofins 15,20
 m3   M   sale    rejected     D2
 m4   M   sale    cancelled    D2         icms 50
 m5   M   return  authorised   D2         icms 18, pis 1,65, cofins 7,60
 m6   M   transf  authorised   T          icms 5
 m7   M   purch.  received     D2         icms 70
 m8   M   sale    sent         D2         icms 40
 f1   F   sale    authorised   D1         icms 100, ipi 10
 f2   F   sale    denied       D2
 m9   M   sale    authorised   T−10       icms 999 (before the period)
 f3   F   sale    authorised   T−4        icms 999 (before the period)
 p1   P   sale    authorised   D1         icms 999 (homologação, P is in
                                          production)
====  ==  ======  ===========  =========  ==================================

Over D1..T: authorised 5 (M 4, F 1; D1 3, D2 1, T 1), rejected 1 (M),
cancelled 1 (M). Taxes: M 29,25 + 66,50 − 27,25 = 68,50, F 110,00, total
178,50 = ICMS 136 + FCP 4 + DIFAL 10 + IPI 10 + PIS 3,30 + COFINS 15,20.
IBS and CBS 1,00 (m1). Cancelling m1 today: authorised 4, cancelled 2,
taxes 149,25, IBS and CBS 0.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plugins.analytics import engine, rollups
from plugins.analytics.periods import store_today
from plugins.fiscal.models import DocumentStatus
from plugins.permissions import clear_permission_cache
from tests.factories import UserFactory
from tests.plugins.fiscal.admin.conftest import (
    FILIAL_CNPJ,
    MATRIZ_CNPJ,
    make_document,
    make_emitter,
)

pytestmark = pytest.mark.django_db

COUNTS = ("fiscal.authorised", "fiscal.rejected", "fiscal.cancelled")
TAXES = ("fiscal.taxes", "fiscal.reform_taxes")
ALL = COUNTS + TAXES
EXPECTED = {
    "fiscal.authorised": D(5),
    "fiscal.rejected": D(1),
    "fiscal.cancelled": D(1),
    "fiscal.taxes": D("178.50"),
    "fiscal.reform_taxes": D("1.00"),
}
BY_TAX = {
    "icms": D("136.00"),
    "fcp": D("4.00"),
    "difal": D("10.00"),
    "ipi": D("10.00"),
    "pis": D("3.30"),
    "cofins": D("15.20"),
}


def day(n: int) -> datetime.date:
    return store_today() + datetime.timedelta(days=n)


def at(n: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """``hour``:``minute`` of the store's local day ``n`` days from today."""
    return timezone.make_aware(
        datetime.datetime.combine(day(n), datetime.time(hour, minute)),
        timezone.get_default_timezone(),
    )


def totals(**values) -> dict:
    return {key: f"{D(value):.2f}" for key, value in values.items()}


class Documents:
    def __init__(self):
        self.matriz = make_emitter("Loja Matriz", MATRIZ_CNPJ)
        self.filial = make_emitter("Loja Filial", FILIAL_CNPJ)
        self.production = make_emitter("Loja Online", "11333444000140", environment="1")
        m, f = self.matriz, self.filial
        A, S = DocumentStatus.AUTHORISED, DocumentStatus
        self.m1 = make_document(
            m,
            status=A,
            issued_at=at(-3),
            totals=totals(
                icms=18, fcp=2, pis="1.65", cofins="7.60", ibs="0.10", cbs="0.90"
            ),
        )
        # 23:30 in São Paulo is already the next day in UTC: still D1
        make_document(
            m,
            status=A,
            issued_at=at(-3, 23, 30),
            totals=totals(icms=36, difal=10, difal_fcp=2, pis="3.30", cofins="15.20"),
        )
        make_document(m, status=S.REJECTED, issued_at=at(-2))
        make_document(m, status=S.CANCELLED, issued_at=at(-2), totals=totals(icms=50))
        make_document(
            m,
            status=A,
            operation="return",
            issued_at=at(-2),
            totals=totals(icms=18, pis="1.65", cofins="7.60"),
        )
        make_document(
            m,
            status=A,
            operation="transfer",
            issued_at=at(0, 0, 5),
            totals=totals(icms=5),
        )
        make_document(
            m,
            status=S.RECEIVED,
            operation="purchase",
            issued_at=at(-2),
            totals=totals(icms=70),
        )
        make_document(m, status=S.SENT, issued_at=at(-2), totals=totals(icms=40))
        make_document(f, status=A, issued_at=at(-3), totals=totals(icms=100, ipi=10))
        make_document(f, status=S.DENIED, issued_at=at(-2))
        make_document(m, status=A, issued_at=at(-10), totals=totals(icms=999))
        make_document(f, status=A, issued_at=at(-4), totals=totals(icms=999))
        make_document(
            self.production, status=A, issued_at=at(-3), totals=totals(icms=999)
        )


@pytest.fixture
def documents():
    return Documents()


@pytest.fixture
def accountant(db):
    return UserFactory(username="contador", roles=["accountant"])


def figures(user, keys=ALL, **kwargs):
    results = engine.compute(user, keys, day(-3), day(0), **kwargs)
    return {key: result.value for key, result in results.items()}


def groups(user, key, group_by, **kwargs):
    result = engine.compute(user, [key], day(-3), day(0), group_by=group_by, **kwargs)
    return {member: value for member, _label, value in result[key].groups if value}


def test_each_figure_live_and_from_the_rollup(documents, accountant):
    # given the documents above, read live
    assert figures(accountant) == EXPECTED
    assert groups(accountant, "fiscal.taxes", "tax") == BY_TAX
    assert groups(accountant, "fiscal.authorised", "day") == {
        day(-3): D(3),
        day(-2): D(1),
        day(0): D(1),
    }
    # when the days gone by are rolled up
    rollups.refresh()
    # then the figures read from the rollups (and today live) are the same
    assert figures(accountant) == EXPECTED
    assert groups(accountant, "fiscal.taxes", "tax") == BY_TAX
    assert groups(accountant, "fiscal.authorised", "day") == {
        day(-3): D(3),
        day(-2): D(1),
        day(0): D(1),
    }
    # a filter on two taxes
    only = figures(accountant, ["fiscal.taxes"], filters={"tax": ["icms", "difal"]})
    assert only == {"fiscal.taxes": D("146.00")}


def test_a_cancellation_today_changes_the_day_of_issue(documents, accountant):
    rollups.refresh()
    # when an NF-e issued three days ago is cancelled today
    documents.m1.status = DocumentStatus.CANCELLED
    documents.m1.save(update_fields=["status", "updated_at"])
    rollups.refresh()
    # then its day of issue was rolled again
    expected = {
        "fiscal.authorised": D(4),
        "fiscal.rejected": D(1),
        "fiscal.cancelled": D(2),
        "fiscal.taxes": D("149.25"),
        "fiscal.reform_taxes": D(0),
    }
    assert figures(accountant) == expected
    assert groups(accountant, "fiscal.cancelled", "day") == {
        day(-3): D(1),
        day(-2): D(1),
    }


def test_each_clerk_sees_the_figures_of_their_emitter(documents):
    # given two fiscal clerks, one granted Matriz, the other Filial
    matriz_clerk = UserFactory(username="faturista-matriz", roles=["fiscal"])
    filial_clerk = UserFactory(username="faturista-filial", roles=["fiscal"])
    assign_perm("fiscal.view_emitter", matriz_clerk, documents.matriz)
    assign_perm("fiscal.view_emitter", filial_clerk, documents.filial)
    for user in (matriz_clerk, filial_clerk):
        clear_permission_cache(user)
    mine = {
        "fiscal.authorised": D(4),
        "fiscal.rejected": D(1),
        "fiscal.cancelled": D(1),
        "fiscal.taxes": D("68.50"),
        "fiscal.reform_taxes": D("1.00"),
    }
    theirs = {
        "fiscal.authorised": D(1),
        "fiscal.rejected": D(0),
        "fiscal.cancelled": D(0),
        "fiscal.taxes": D("110.00"),
        "fiscal.reform_taxes": D(0),
    }
    assert figures(matriz_clerk) == mine
    assert figures(filial_clerk) == theirs
    rollups.refresh()
    assert figures(matriz_clerk) == mine
    assert figures(filial_clerk) == theirs
    # per emitter, the clerk's only
    assert set(groups(matriz_clerk, "fiscal.authorised", "emitter")) == {
        str(documents.matriz.pk)
    }
    # asking for the other emitter gives nothing of it
    other = figures(
        matriz_clerk, ["fiscal.taxes"], filters={"emitter": [str(documents.filial.pk)]}
    )
    assert not other["fiscal.taxes"]


def test_users_without_fiscal_permissions_see_no_fiscal_kpi(documents):
    desk = UserFactory(username="balcao", roles=["order_desk"])
    ungranted = UserFactory(username="faturista", roles=["fiscal"])
    assert not [key for key in engine.visible_kpis(desk) if key in ALL]
    assert figures(desk) == {}
    # a fiscal clerk granted no emitter sees the KPIs, and nothing in them
    assert not any(figures(ungranted).values())


def test_the_queries_do_not_grow_with_the_documents(documents, accountant):
    def count():
        with CaptureQueriesContext(connection) as queries:
            figures(accountant)
            groups(accountant, "fiscal.taxes", "tax")
        return len(queries)

    count()  # the first run also reads permissions and content types
    before = count()
    for n in range(6):
        make_document(
            documents.filial,
            status=DocumentStatus.AUTHORISED,
            issued_at=at(-(n % 4)),
            totals=totals(icms=n, pis=1),
        )
    assert count() == before


def test_the_drilldown_lists_the_documents_counted(documents, accountant, client):
    # given the accountant on the NF-e listing the figure opens
    client.force_login(accountant)
    kpi = engine.visible_kpis(accountant)["fiscal.authorised"]
    url = kpi.source.drilldown_url(
        kpi,
        start=day(-3),
        end=day(0),
        filters={"emitter": {str(documents.matriz.pk)}},
    )
    query = parse_qs(urlsplit(url).query)
    assert query["status"] == [DocumentStatus.AUTHORISED]
    assert query["issued_at_from"] == [day(-3).strftime("%d/%m/%Y")]
    response = client.get(url)
    assert response.status_code == 200
    listed = {document.pk for document in response.context["object_list"]}
    # then it lists Matriz's four authorised NF-e of the period
    assert len(listed) == 4
