"""The goals e-mail: who gets it and when, what it says, and the
preference in the user's account settings."""

from __future__ import annotations

# The orders plugin's fixtures are imported, then requested by name.
# ruff: noqa: F811
import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from wagtail import hooks

from plugins.analytics.digest import build_digest, send_digests
from plugins.analytics.models import DigestSubscription
from plugins.hooks import KPI_SOURCES
from plugins.kpis import KPI, Fact, Source, Unit, measure
from tests.factories import UserFactory
from tests.plugins.analytics.goals_fixtures import TODAY, goal, order
from tests.plugins.orders.conftest import (  # noqa: F401
    attendant,
    loja,
    mercado_livre,
)

MONDAY = datetime.date(2026, 3, 9)
assert TODAY.weekday() == 1 and MONDAY.weekday() == 0


@pytest.fixture
def manager(db):
    return UserFactory(username="gerente", roles=["manager"])


def subscribe(user, frequency):
    return DigestSubscription.objects.create(user=user, frequency=frequency)


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def sales(loja, mercado_livre):
    """GMV: R$ 1.000,00 on 08/03, R$ 400,00 on 09/03 (−60 %)."""
    order(loja, "1000.00", datetime.date(2026, 3, 8))
    order(loja, "400.00", datetime.date(2026, 3, 9))


class LateParcels(Source):
    """A level source: 3 parcels late right now."""

    key = "test_parcels"
    label = "Parcels"
    flow = False
    rollup = False
    kpis = (
        KPI(
            "test_parcels.late",
            "Late parcels",
            Unit.COUNT,
            measure("late"),
            higher_is_better=False,
        ),
    )

    def user_can_see(self, user):
        return user.has_perm("orders.view_order")

    def scope_ids(self, user):
        return None

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        yield Fact(end, 0, "", "late", Decimal(3))


def test_daily_and_weekly_subscribers_on_a_monday_and_a_tuesday(
    manager, attendant, loja, sales
):
    # given the manager daily, the attendant weekly, goals both see
    subscribe(manager, "daily")
    subscribe(attendant, "weekly")
    goal("orders.gmv", "31000.00", channel=loja)
    # and people who must not get it
    subscribe(UserFactory(username="semfreq", roles=["manager"]), "none")
    subscribe(UserFactory(username="semrelatorios"), "daily")
    UserFactory(username="naoassinou", roles=["manager"])

    # on Monday both
    assert send_digests(MONDAY) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [manager.email, attendant.email]
    )

    # on Tuesday only the daily one
    mail.outbox.clear()
    assert send_digests(TODAY) == 1
    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_never_twice_a_day(manager, loja, sales):
    subscribe(manager, "daily")
    goal("orders.gmv", "31000.00")

    assert send_digests(TODAY) == 1
    assert send_digests(TODAY) == 0
    call_command("analytics_digest", "--date", "10/03/2026")
    assert len(mail.outbox) == 1
    assert DigestSubscription.objects.get().last_sent_on == TODAY

    # the next day it comes again
    assert send_digests(TODAY + datetime.timedelta(days=1)) == 1


def test_nothing_to_say_sends_nothing(manager):
    subscribe(manager, "daily")

    assert send_digests(TODAY) == 0
    assert mail.outbox == []
    assert DigestSubscription.objects.get().last_sent_on is None


def test_digest_has_the_goals_and_the_exceptions(manager, loja, sales):
    subscribe(manager, "daily")
    behind = goal("orders.gmv", "31000.00")  # R$ 1.400,00 of 10.000,00 expected

    with hooks.register_temporarily(KPI_SOURCES, lambda: [LateParcels()]):
        send_digests(TODAY)

    [message] = sent_to(manager.email)
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'data-goal="{behind.pk}" data-state="behind"' in html
    assert f'data-exception="goal" data-goal="{behind.pk}"' in html
    # GMV: R$ 400,00 yesterday against R$ 1.000,00 the day before
    assert 'data-exception="worse" data-kpi="orders.gmv"' in html
    assert "R$ 400,00" in message.body and "R$ 1.000,00" in message.body
    assert "-60,0%" in message.body
    # a level where higher is worse, above zero
    assert 'data-exception="alert" data-kpi="test_parcels.late"' in html
    assert "R$ 1.400,00" in message.body  # the goal's progress
    assert "10/03/2026" in message.subject


def test_weekly_compares_the_last_7_days(manager, loja):
    # 08/03: 700,00; the week before (23/02–01/03): 2.000,00
    order(loja, "700.00", datetime.date(2026, 3, 8))
    order(loja, "2000.00", datetime.date(2026, 2, 25))

    weekly = build_digest(manager, "weekly", MONDAY)
    daily = build_digest(manager, "daily", MONDAY)

    assert weekly.period.start == datetime.date(2026, 3, 2)
    assert weekly.period.end == datetime.date(2026, 3, 8)
    assert weekly.previous.start == datetime.date(2026, 2, 23)
    assert "orders.gmv" in {change.kpi.key for change in weekly.worse}
    # daily: 700,00 on 08/03 against nothing on 07/03 is no exception
    assert "orders.gmv" not in {change.kpi.key for change in daily.worse}


def test_better_is_not_an_exception(manager, loja):
    order(loja, "400.00", datetime.date(2026, 3, 8))
    order(loja, "1000.00", datetime.date(2026, 3, 9))

    digest = build_digest(manager, "daily", TODAY)

    assert digest.worse == []


def test_exceptions_stay_within_the_users_scopes(attendant, loja, mercado_livre):
    # the drop is Mercado Livre's; the attendant works the storefront only
    order(mercado_livre, "1000.00", datetime.date(2026, 3, 8))
    order(mercado_livre, "100.00", datetime.date(2026, 3, 9))
    order(loja, "500.00", datetime.date(2026, 3, 8))
    order(loja, "500.00", datetime.date(2026, 3, 9))

    digest = build_digest(attendant, "daily", TODAY)

    assert digest.worse == []


# -- Minha conta ------------------------------------------------------------------


def account_post(user, **extra):
    return {
        "name_email-first_name": user.first_name or "Nome",
        "name_email-last_name": user.last_name or "Sobrenome",
        "name_email-email": user.email,
        "locale-preferred_language": "pt-br",
        "locale-current_time_zone": "",
        "theme-theme": "system",
        "theme-density": "default",
        "theme-contrast": "system",
        "theme-keyboard_shortcuts": "on",
        **extra,
    }


def test_users_choose_the_frequency_in_their_account(client, attendant):
    client.force_login(attendant)

    page = client.get(reverse("wagtailadmin_account"))
    assert 'name="analytics_digest-frequency"' in page.content.decode()

    response = client.post(
        reverse("wagtailadmin_account"),
        account_post(attendant, **{"analytics_digest-frequency": "weekly"}),
    )

    assert response.status_code == 302
    assert DigestSubscription.objects.get(user=attendant).frequency == "weekly"


def test_no_goals_e_mail_choice_without_the_reports(client, db):
    editor = UserFactory(username="editora", roles=["content_editor"])
    client.force_login(editor)

    page = client.get(reverse("wagtailadmin_account"))

    assert page.status_code == 200
    assert "analytics_digest-frequency" not in page.content.decode()
