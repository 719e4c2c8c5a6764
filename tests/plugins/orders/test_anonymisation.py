"""Anonymisation removes a customer's personal data from everything stored
(every table, every stored file); the LGPD export holds everything; uploaded
order import files do not outlive their retention period."""

import datetime
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from plugins.importing.models import ImportJob
from plugins.orders.customers import ANONYMOUS_NAME, export_customer_data
from plugins.orders.models import SurveyResponse
from plugins.orders.services import add_note, transition_order
from plugins.orders.surveys import submit_survey
from tests.plugins.orders.admin_fixtures import login
from tests.plugins.orders.conftest import ADDRESS, place

NAME = "Heloísa Quintanilha Bittencourt"
FORMER_NAME = "Heloisa Q. Bittencourt"
EMAIL = "heloisa.qb@example.com"
PHONE = "+55 21 99876-5432"
DOCUMENT = "111.444.777-35"
STREET = "Rua dos Girassóis Escondidos"
COMPLEMENT = "bloco Z apto 907"
CEP = "22041-011"
REFERENCE = "conta-loja-heloisa-88120"
PERSONAL = [
    NAME,
    FORMER_NAME,
    EMAIL,
    PHONE,
    "5521998765432",
    DOCUMENT,
    "11144477735",
    STREET,
    COMPLEMENT,
    CEP,
    "22041011",
    REFERENCE,
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def webhook(db):
    from api.models import WebhookSubscription

    return WebhookSubscription.objects.create(
        name="ERP",
        url="https://erp.example.com/hooks",
        events=["order.*"],
        secret="segredo-do-erp",
    )


@pytest.fixture
def heloisa(sellable, loja, superuser, webhook, media):
    """A customer with everything: a delivered and returned order with a note
    and a survey comment, an admin edit of her name, a webhook delivery that
    carries her data, and an order import file waiting with her in it."""
    order = place(
        loja,
        customer={
            "name": FORMER_NAME,
            "email": EMAIL,
            "phone": PHONE,
            "document": DOCUMENT,
            "reference": REFERENCE,
        },
        shipping_address={
            **ADDRESS,
            "recipient": NAME,
            "street": STREET,
            "complement": COMPLEMENT,
            "cep": CEP,
        },
    )
    customer = order.customer
    add_note(order, f"{NAME} ligou do {PHONE}; e-mail {EMAIL}", user=superuser)
    for name in ("pay", "invoice", "prepare", "ship", "deliver"):
        transition_order(order, name, user=superuser)
    survey = SurveyResponse.objects.get(order=order)
    submit_survey(survey.token, score=9, comment=f"Sou a {NAME}, adorei!")
    transition_order(
        order, "return", user=superuser, reason=f"Devolvido por {NAME}, {STREET}"
    )
    # an admin edit: the former name stays in the audit entry's before value
    response = login(superuser).post(
        f"/admin/customers/edit/{customer.pk}/",
        {
            "name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "document": DOCUMENT,
            "addresses-TOTAL_FORMS": 1,
            "addresses-INITIAL_FORMS": 0,
            "addresses-MIN_NUM_FORMS": 0,
            "addresses-MAX_NUM_FORMS": 1000,
            "addresses-0-label": "Casa",
            "addresses-0-recipient": NAME,
            "addresses-0-cep": CEP,
            "addresses-0-street": STREET,
            "addresses-0-number": "77",
            "addresses-0-complement": COMPLEMENT,
            "addresses-0-district": "Botafogo",
            "addresses-0-city": "Rio de Janeiro",
            "addresses-0-uf": "RJ",
        },
    )
    assert response.status_code == 302
    # a plugin's webhook payload carrying the customer
    from api.models import WebhookDelivery

    WebhookDelivery.objects.create(
        subscription=webhook,
        event="order.returned",
        payload={"number": order.number, "customer": {"name": NAME, "email": EMAIL}},
    )
    # order import files: one mentions her, one someone else
    for name, content in (
        (
            "waiting.csv",
            f"canal;pedido;cliente;email;cpf\nloja;X1;{NAME};{EMAIL};{DOCUMENT}\n".encode(
                "cp1252"
            ),
        ),
        ("someone-else.csv", b"canal;pedido;cliente\nloja;X2;Outra Pessoa\n"),
    ):
        ImportJob.objects.create(
            importer="orders.marketplace",
            created_by=superuser,
            file=ContentFile(content, name=name),
            original_name=name,
        )
    customer.refresh_from_db()
    assert customer.name == NAME
    return customer


def text_columns():
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        # Inherited fields are read in their own (parent's) table.
        for field in meta.local_concrete_fields:
            if isinstance(
                field, models.CharField | models.TextField | models.JSONField
            ):
                yield model, field


def stored_texts():
    """Every text value in the database, read raw (JSON decoded as well, so
    that escaped characters are compared as written)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, field in text_columns():
            column = quote(field.column)
            cursor.execute(
                f"SELECT CAST({column} AS TEXT) FROM {quote(model._meta.db_table)}"  # noqa: S608
            )
            for (raw,) in cursor.fetchall():
                if not raw:
                    continue
                value = raw
                if isinstance(field, models.JSONField):
                    try:
                        value = raw + json.dumps(json.loads(raw), ensure_ascii=False)
                    except ValueError:
                        pass
                yield f"{model._meta.label}.{field.name}", value


def found_in_database(needles):
    found = set()
    for where, value in stored_texts():
        lowered = value.lower()
        for needle in needles:
            if needle.lower() in lowered:
                found.add((where, needle))
    return found


def found_in_files(root: Path, needles):
    found = set()
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        for needle in needles:
            for encoding in ("utf-8", "cp1252"):
                if needle.lower().encode(encoding, "ignore") in content.lower():
                    found.add((str(path), needle))
    return found


def test_anonymising_leaves_no_personal_data_in_any_table_or_file(
    heloisa, privacy_officer, media, django_capture_on_commit_callbacks
):
    # given the customer's data is stored all over the place
    assert found_in_database(PERSONAL)
    assert found_in_files(media, PERSONAL)
    # when the privacy officer anonymises her
    with django_capture_on_commit_callbacks(execute=True):
        response = login(privacy_officer).post(
            f"/admin/customers/anonymise/{heloisa.pk}/"
        )
    assert response.status_code == 302
    # then none of her personal data is left anywhere
    assert found_in_database(PERSONAL) == set()
    assert found_in_files(media, PERSONAL) == set()
    # and the rest stays: orders, the survey's score, other people's files
    heloisa.refresh_from_db()
    assert heloisa.name == ANONYMOUS_NAME and heloisa.orders.count() == 1
    assert SurveyResponse.objects.get().score == 9
    kept = ImportJob.objects.get(original_name="someone-else.csv")
    assert (media / kept.file.name).exists()
    assert not ImportJob.objects.get(original_name="waiting.csv").file


def test_export_includes_survey_answers_notes_and_audit_entries(
    heloisa, privacy_officer
):
    data = export_customer_data(heloisa, user=privacy_officer)
    assert data["customer"]["name"] == NAME
    assert data["addresses"][0]["street"] == STREET
    assert data["references"] == [{"channel": "Loja virtual", "reference": REFERENCE}]
    assert [s["comment"] for s in data["survey_answers"]] == [f"Sou a {NAME}, adorei!"]
    assert [n["text"] for n in data["notes"]] == [
        f"{NAME} ligou do {PHONE}; e-mail {EMAIL}"
    ]
    actions = [(e["about"], e["action"]) for e in data["audit_log"]]
    assert ("customer", "wagtail.edit") in actions
    edit = next(e for e in data["audit_log"] if e["action"] == "wagtail.edit")
    assert edit["data"]["changes"]["name"] == [FORMER_NAME, NAME]
    order_number = data["orders"][0]["number"]
    assert (f"order {order_number}", "orders.note") in actions
    json.dumps(data, default=str)  # JSON-ready


def test_admin_export_download_holds_the_survey_notes_and_audit(
    heloisa, privacy_officer
):
    response = login(privacy_officer).post(
        f"/admin/customers/export-data/{heloisa.pk}/"
    )
    data = json.loads(response.content)
    assert data["survey_answers"] and data["notes"] and data["audit_log"]


def test_old_import_files_are_deleted_after_the_retention_period(
    media, settings, db, privacy_officer
):
    def upload(name, days_old):
        job = ImportJob.objects.create(
            importer="orders.marketplace",
            created_by=privacy_officer,
            file=ContentFile(b"x", name=name),
            original_name=name,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_old)
        )
        return media / job.file.name

    # given a file uploaded 31 days ago, one 10 days ago and one just now
    old, recent, fresh = (
        upload("old.csv", 31),
        upload("recent.csv", 10),
        upload("fresh.csv", 0),
    )
    assert settings.RETAGUARDA_IMPORT_FILE_RETENTION_DAYS == 30
    # when the periodic job runs
    call_command("purge_import_files", verbosity=0)
    # then only the file past 30 days is gone (its job and report stay)
    assert not old.exists() and recent.exists() and fresh.exists()
    assert ImportJob.objects.count() == 3
    # and a shorter retention deletes more
    settings.RETAGUARDA_IMPORT_FILE_RETENTION_DAYS = 7
    call_command("purge_import_files", verbosity=0)
    assert not recent.exists() and fresh.exists()
