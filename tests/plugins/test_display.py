"""Wagtail's own screens read as the project's: yes/no instead of True/False
and dates instead of "0 minuto atrás"."""

import datetime

from django.contrib.auth import get_user_model

from plugins.display import absolute_date, yes_no
from tests.helpers import listing_rows, page_text


def test_user_listing_reads_sim_and_the_last_login_date(client, superuser):
    User = get_user_model()
    # 15:30 UTC is 12:30 in São Paulo (UTC-3)
    User.objects.filter(pk=superuser.pk).update(
        last_login=datetime.datetime(2026, 3, 10, 15, 30, tzinfo=datetime.UTC)
    )
    client.force_login(superuser)
    User.objects.filter(pk=superuser.pk).update(
        last_login=datetime.datetime(2026, 3, 10, 15, 30, tzinfo=datetime.UTC)
    )

    response = client.get("/admin/users/")

    (row,) = [row for row in listing_rows(response) if "root" in row]
    assert "Sim" in row and "10/03/2026 12:30" in row
    text = page_text(response)
    assert "True" not in text and "atrás" not in text


def test_values_read_in_portuguese():
    moment = datetime.datetime(2026, 12, 31, 23, 59, 30, tzinfo=datetime.UTC)
    assert absolute_date(moment) == "31/12/2026 20:59"
    assert absolute_date(datetime.date(2026, 1, 2)) == "02/01/2026"
    assert absolute_date(None) == ""
    assert (yes_no(True), yes_no(False), yes_no(None)) == ("Sim", "Não", "—")


def test_product_inspect_shows_revisions_by_local_time_and_author(
    client, superuser, camiseta
):
    from wagtail.models import Revision

    from content.models import Product

    latest = Product.objects.get(pk=camiseta.pk).latest_revision_id
    Revision.objects.filter(pk=latest).update(
        created_at=datetime.datetime(2026, 3, 10, 15, 30, tzinfo=datetime.UTC),
        user=superuser,
    )
    client.force_login(superuser)

    text = page_text(
        client.get(f"/admin/snippets/content/product/inspect/{camiseta.pk}/")
    )

    author = superuser.get_full_name() or superuser.get_username()
    assert f"Última revisão 10/03/2026 12:30 ({author})" in text
    assert "+00:00" not in text and "None" not in text


def test_relative_times_read_in_portuguese_word_order():
    from django.utils import timezone

    from plugins.display import relative_time

    now = timezone.now()
    assert (
        relative_time(now - datetime.timedelta(minutes=3)) == "Há 3\xa0minutos"
    )  # Django keeps number and unit together
    assert relative_time(now - datetime.timedelta(seconds=20)) == "Agora mesmo"
    assert relative_time(now + datetime.timedelta(days=2, hours=1)) == "Em 2\xa0dias"
    assert relative_time(None) == ""
