"""The world the security matrices run in, built once for the package.

Every object a matrix URL points to exists twice where a scope applies: once
inside the scope granted to the scoped roles ("A": the storefront channel, the
SP-01 warehouse, shelf A1) and once outside it ("B": the Mercado Livre channel,
RJ-01, shelf B2). One user per declared role, a superuser, a logged-in session
and a personal API token for each of them, and one API key per scope.

The data is written inside a transaction that stays open for the whole
package and is rolled back at its end; each test runs in a savepoint of it
(pytest-django's ``db``), so what a request writes is undone after its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.security.matrix import SUPERUSER, key_column, role_scopes, staff_columns


@dataclass
class World:
    #: placeholder -> value, objects inside the scoped roles' scopes
    inside: dict = field(default_factory=dict)
    #: placeholder -> value, the same objects outside those scopes
    outside: dict = field(default_factory=dict)
    #: staff column (role key, "superuser") -> user
    users: dict = field(default_factory=dict)
    #: staff column -> session key of a logged-in session
    sessions: dict = field(default_factory=dict)
    #: staff column -> secret of the user's personal API token
    tokens: dict = field(default_factory=dict)
    #: key column ("key:catalog:read" ...) -> secret of an API key
    keys: dict = field(default_factory=dict)
    #: key column -> the ApiKey
    key_objects: dict = field(default_factory=dict)


def _grant_scope(user, role_key, scope_objects):
    """Grant the role's per-object permissions on the scope object "A"."""
    from django.contrib.auth.models import Permission
    from guardian.shortcuts import assign_perm

    from plugins.roles import declared_roles

    role = declared_roles()[role_key]
    for name in sorted(role.object_permissions):
        app_label, codename = name.split(".", 1)
        perm = Permission.objects.select_related("content_type").get(
            content_type__app_label=app_label, codename=codename
        )
        model = perm.content_type.model_class()
        assign_perm(perm, user, scope_objects[model._meta.label])


def _catalog(world, superuser):
    from wagtail.models import Page

    from content.models import Collection
    from tests.content.conftest import make_category, make_product, publish

    moda = make_category("moda", "Moda")
    product = make_product("caneca", variants=[("CAN-1", "39.90")])
    product.save_revision(user=superuser)  # a draft on top of the live one
    from content.models import Brand

    brand = Brand(slug="nordeste", name="Nordeste Têxtil")
    brand.save()
    brand = publish(brand)
    collection = Collection(slug="vitrine", name="Vitrine")
    collection.save()
    collection = publish(collection)
    page = Page.objects.filter(depth=2).first()
    from wagtail.contrib.redirects.models import Redirect

    Redirect.objects.create(old_path="/promocao", redirect_link="/")
    world.inside.update(
        p=product.pk,
        slug=product.slug,
        rev_product=product.latest_revision_id,
        rev_category=moda.latest_revision_id,
        rev_brand=brand.latest_revision_id,
        rev_collection=collection.latest_revision_id,
        category=moda.pk,
        category_path="moda",
        brand=brand.pk,
        collection=collection.pk,
        collection_slug="vitrine",
        page=page.pk,
    )


def _api_objects(world, superuser):
    from api.models import WebhookDelivery, WebhookSubscription
    from api.services import create_api_key, issue_staff_token

    key, _secret = create_api_key(
        name="Loja",
        scopes=["catalog:read"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    hook = WebhookSubscription.objects.create(
        name="ERP", url="https://erp.example.com/hook", events=["product.*"], secret="s"
    )
    delivery = WebhookDelivery.objects.create(
        subscription=hook, event="product.updated", payload={"id": world.inside["p"]}
    )
    token, _secret = issue_staff_token(user=superuser, name="ERP")
    world.inside.update(key=key.pk, hook=hook.pk, delivery=delivery.pk, token=token.pk)


def _orders(world):
    from django.utils import timezone

    from plugins.orders.models import Customer, Order, SalesChannel

    loja = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    mercado = SalesChannel.objects.create(
        code="mercado-livre",
        name="Mercado Livre",
        kind="marketplace",
        marketplace="Mercado Livre",
        accepts_custom_prices=True,
    )
    for values, channel, number, name in (
        (world.inside, loja, "ABCD-EFGH", "Maria"),
        (world.outside, mercado, "WXYZ-KLMN", "João"),
    ):
        customer = Customer.objects.create(name=name)
        order = Order.objects.create(
            number=number,
            channel=channel,
            customer=customer,
            customer_name=name,
            subtotal=Decimal("39.90"),
            total=Decimal("39.90"),
            payment_method="pix",
            placed_at=timezone.now(),
        )
        values.update(
            channel=channel.pk,
            order=order.pk,
            number=order.number,
            buyer=customer.pk,
            customer_token=order.customer_token,
        )
    from plugins.orders.models import SurveyResponse

    survey = SurveyResponse.objects.create(
        order_id=world.inside["order"], issued_at=timezone.now()
    )
    world.inside.update(transition="pay", survey=survey.token)
    return {"orders.SalesChannel": loja}


def _stock(world, superuser):
    from content.models import Variant
    from plugins.stock import services
    from plugins.stock.models import ChannelWarehouse, Warehouse

    sp = Warehouse.objects.create(code="SP-01", name="São Paulo", priority=10)
    rj = Warehouse.objects.create(code="RJ-01", name="Rio de Janeiro", priority=20)
    mg = Warehouse.objects.create(code="MG-01", name="Belo Horizonte", priority=30)
    can = Variant.objects.get(sku="CAN-1")
    services.receive_stock(mg, variant=can, quantity=10, user=None)
    for values, warehouse in ((world.inside, sp), (world.outside, rj)):
        services.receive_stock(warehouse, variant=can, quantity=10, user=None)
        # into the warehouse: its clerk sees it and receives it
        transfer = services.send_transfer(
            source=mg, destination=warehouse, lines=[(can, 1)], user=None
        )
        count = services.open_count(warehouse, user=None)
        services.record_counts(
            count, counted={line.pk: 8 for line in count.lines.all()}, user=None
        )
        values.update(
            wh=warehouse.pk,
            wh_code=warehouse.code,
            lvl=warehouse.levels.get().pk,
            transfer=transfer.pk,
            count=count.pk,
        )
    hold = services.create_hold(
        lines=[{"sku": "CAN-1", "quantity": 1}],
        api_key=world.key_objects["key:orders:write"],
    )
    link = ChannelWarehouse.objects.create(channel_code="loja", warehouse=sp)
    world.inside.update(hold=hold.token, cw=link.pk, variant=can.pk)
    return {"stock.Warehouse": sp}


def _shelves(world):
    from tests.factories import ShelfFactory
    from tests.shelves_plugin.models import ShelfItem

    a1 = ShelfFactory(code="a1", name="Corredor A1", capacity=10, units=2)
    b2 = ShelfFactory(code="b2", name="Corredor B2", capacity=10, units=5)
    for values, shelf in ((world.inside, a1), (world.outside, b2)):
        item = ShelfItem.objects.create(shelf=shelf, sku="CAN-1")
        values.update(shelf=shelf.pk, item=item.pk)
    world.inside["shelf_model"] = "shelves.shelf"
    return {"shelves.Shelf": a1}


def _people(world):
    from api.services import create_api_key, issue_staff_token
    from tests.factories import UserFactory

    for column in staff_columns():
        if column == SUPERUSER:
            user = UserFactory(username="root", is_superuser=True, is_staff=True)
        else:
            user = UserFactory(username=f"papel-{column}", roles=[column])
        world.users[column] = user
        client = Client()
        client.force_login(user)
        world.sessions[column] = client.cookies[settings.SESSION_COOKIE_NAME].value
        _token, world.tokens[column] = issue_staff_token(user=user, name="matriz")
    from api.models import Scope

    for scope in Scope.values:
        column = key_column(scope)
        world.key_objects[column], world.keys[column] = create_api_key(
            name=f"Chave {scope}",
            scopes=[scope],
            allowed_origins=[],
            rate_limit=0,
            user=None,
        )


def _finance(world):
    from plugins.finance.models import (
        MarketplacePayoutTerms,
        Payment,
        Provider,
        ProviderAccount,
        ProviderEvent,
    )
    from plugins.finance.pix import build_br_code
    from plugins.finance.services import receivables_for
    from plugins.orders.models import Order

    # a manual account with a Pix key: payments without any HTTP call
    account = ProviderAccount.objects.create(
        name="Depósito",
        provider=Provider.MANUAL,
        pix_key="financeiro@example.com",
        merchant_name="LOJA",
        merchant_city="SAO PAULO",
    )
    # notifications only (it takes no method here: nothing goes out)
    signed = ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        access_token="t",
        webhook_secret="s",
        accepts_pix=False,
        accepts_boleto=False,
        accepts_card=False,
    )
    order = Order.objects.get(pk=world.inside["order"])
    # a payer the providers accept (they need a CPF or CNPJ)
    Order.objects.filter(pk=order.pk).update(customer_document="52998224725")
    payment = Payment.objects.create(
        order=order,
        account=account,
        method="pix",
        amount=order.total,
        pix_payload=build_br_code(
            key="financeiro@example.com",
            merchant_name="LOJA",
            merchant_city="SAO PAULO",
            amount=order.total,
            txid="MATRIZ",
        ),
    )
    (receivable,) = receivables_for(payment)
    event = ProviderEvent.objects.create(account=signed, event_id="evt-1")
    terms = MarketplacePayoutTerms.objects.create(
        channel=Order.objects.get(pk=world.outside["order"]).channel, days=15
    )
    world.inside.update(
        pay_account=account.pk,
        payment=payment.pk,
        payment_ref=str(payment.reference),
        receivable=receivable.pk,
        pay_event=event.pk,
        payout_terms=terms.pk,
        webhook_token=signed.webhook_token,
    )
    _payables(world)
    return _banking(world)


def _banking(world):
    """A bank account inside the finance clerk's scope and one outside it,
    each with a statement line to reconcile."""
    import datetime

    from plugins.finance.models import BankAccount, StatementLine

    scope = {}
    for values, name, agency in (
        (world.inside, "Itaú", "0001"),
        (world.outside, "Bradesco", "0002"),
    ):
        bank = BankAccount.objects.create(
            name=name, bank_code="341", agency=agency, number="12345-6"
        )
        line = StatementLine.objects.create(
            account=bank,
            source="manual",
            date=datetime.date(2026, 3, 2),
            amount=Decimal("120.00"),
            description="PIX RECEBIDO",
            fingerprint=f"matrix-{agency}",
        )
        values.update(bank=bank.pk, line=line.pk)
        scope.setdefault("finance.BankAccount", bank)
    return scope


def _fiscal(world):
    """An emitter inside the fiscal clerk's scope and one outside it, each
    with an NF-e of the world's order in its scope and a number
    inutilized."""
    from django.utils import timezone

    from plugins.fiscal.models import Emitter, FiscalDocument, NumberGap

    scope = {}
    for values, name, cnpj, serial in (
        (world.inside, "Loja Matriz", "11222333000181", 1),
        (world.outside, "Loja Filial", "11444777000161", 2),
    ):
        emitter = Emitter.objects.create(
            legal_name=name,
            cnpj=cnpj,
            ie="110042490114",
            tax_regime="3",
            street="Rua Augusta",
            number="100",
            district="Consolação",
            city="São Paulo",
            city_code="3550308",
            uf="SP",
            cep="01304-000",
        )
        document = FiscalDocument.objects.create(
            emitter=emitter,
            order_id=values["order"],
            operation="sale",
            status="authorised",
            environment="2",
            series=1,
            number=serial,
            access_key=f"3526031122233300018155001{serial:09d}1000000010",
            issued_at=timezone.now(),
            recipient_name="Maria",
            total=Decimal("39.90"),
        )
        gap = NumberGap.objects.create(
            emitter=emitter,
            environment="2",
            series=1,
            first_number=10,
            last_number=12,
            reason="Falha no sistema de emissão",
            xml="<inutNFe/>",
        )
        values.update(
            emitter=emitter.pk,
            nfe=document.pk,
            sinv=_supplier_invoice(emitter).pk,
            gap=gap.pk,
        )
        scope.setdefault("fiscal.Emitter", emitter)
    _tax_rules(world)
    _fiscal_documents(world)
    _bulk_issue(world)
    return scope


def _bulk_issue(world):
    """A bulk NF-e issue of the world's order by the emitter inside the
    fiscal clerk's scope: the superuser's."""
    from plugins.fiscal.models import BulkIssue, BulkIssueItem

    job = BulkIssue.objects.create(
        emitter_id=world.inside["emitter"],
        created_by=world.users[SUPERUSER],
        total=1,
        status="done",
    )
    BulkIssueItem.objects.create(
        job=job,
        order_id=world.inside["order"],
        skipped="not_paid",
        reason="O pedido não está pago.",
    )
    world.inside.update(bulk=job.pk)


def _tax_rules(world):
    """A tax rule and the states' rates (seeded by the migrations, again
    here where a flushed database lost them)."""
    from plugins.fiscal.models import TaxRule, UFRate
    from plugins.fiscal.tax_defaults import install_uf_rates

    install_uf_rates()
    rule = TaxRule.objects.create(
        description="Camisetas",
        ncm="6109",
        operation="sale",
        tax_regime="3",
        cfop_internal="5102",
        cfop_interstate="6102",
        icms_cst="00",
        pis_cst="01",
        cofins_cst="01",
    )
    world.inside.update(taxrule=rule.pk, ufrate=UFRate.objects.get(uf="SP").pk)


def _fiscal_documents(world):
    """An authorised NF-e of each emitter (the one inside is the order's, for
    the customer's downloads), each in the archive."""
    from plugins.fiscal.models import Emitter
    from plugins.orders.models import Order
    from tests.plugins.fiscal.archive.conftest import archive_nfe, make_nfe, sample_xml

    for values, sample, order in (
        (world.inside, "procNFe.xml", Order.objects.get(pk=world.inside["order"])),
        (
            world.outside,
            "42220575277525000178550030000292481295366801-procNFe.xml",
            None,
        ),
    ):
        emitter = Emitter.objects.get(pk=values["emitter"])
        document = make_nfe(sample_xml(sample), emitter=emitter, order=order)
        values.update(nfe=document.pk, archived=archive_nfe(document).pk)


def _supplier_invoice(emitter):
    """A supplier's NF-e received for ``emitter``, waiting to be confirmed:
    one line matched by GTIN, one not matched."""
    from django.utils import timezone

    from content.models import Variant
    from plugins.fiscal.models import SupplierInvoice, SupplierInvoiceLine

    key = f"3526013412874500015255001{emitter.pk:09d}1{emitter.pk:08d}0"
    invoice = SupplierInvoice.objects.create(
        emitter=emitter,
        access_key=key,
        supplier_cnpj="34128745000152",
        supplier_name="Alimentos Saudáveis Ltda.",
        number=emitter.pk,
        series=1,
        issued_at=timezone.now(),
        environment=emitter.environment,
        total=Decimal("59.80"),
        xml="<nfeProc/>",
    )
    for item, code, variant in (
        (1, "1235", Variant.objects.get(sku="CAN-1")),
        (2, "7001", None),
    ):
        SupplierInvoiceLine.objects.create(
            invoice=invoice,
            item=item,
            code=code,
            description="CANECA" if variant else "XICARA",
            cfop="5102",
            quantity=Decimal("2"),
            unit="UN",
            unit_value=Decimal("14.95"),
            total=Decimal("29.90"),
            variant=variant,
            matched_by="gtin" if variant else "",
            units=2 if variant else None,
        )
    return invoice


def _payables(world):
    """A supplier's bill under the approval limit (its installment may be
    paid), recorded by the superuser with its boleto PDF."""
    import datetime
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from plugins.finance.models import BillCategory, Supplier
    from plugins.finance.services.payables import NewAttachment, create_bill

    supplier = Supplier.objects.create(name="Malharia", document="11222333000181")
    category = BillCategory.objects.get(code="01.01")
    boleto = ContentFile(b"%PDF-1.4\n%%EOF\n", name="boleto.pdf")
    bill = create_bill(
        supplier,
        category=category,
        description="Camisetas",
        issue_date=datetime.date(2026, 1, 5),
        total=Decimal("900.00"),
        first_due_date=datetime.date(2026, 2, 5),
        attachments=[NewAttachment("boleto", boleto)],
        user=world.users[SUPERUSER],
    )
    world.inside.update(
        supplier=supplier.pk,
        chart_line=category.pk,
        bill=bill.pk,
        bill_row=bill.installments.get().pk,
        bill_file=bill.attachments.get().pk,
    )


def _import_job(world, superuser):
    """A checked import of the framework, with invalid rows: the superuser's."""
    from django.core.files.base import ContentFile

    from plugins.importing.models import ImportJob

    job = ImportJob.objects.create(
        importer="shelves.shelves",
        created_by=superuser,
        original_name="p.csv",
        file=ContentFile(b"code;name\na1;A1\nb2;\n", name="p.csv"),
        status=ImportJob.Status.CHECKED,
        dry_run_report={"valid_rows": 1, "invalid_rows": 1, "error_count": 1},
        invalid_rows_file=ContentFile(b"PK", name="p-invalidas.xlsx"),
    )
    world.inside.update(importer="shelves.shelves", ijob=job.pk)


def _logistics(world):
    """Two table carriers, one inside the shipping clerk's scope and one
    outside it. Each has an order ready to ship (its freight chosen with that
    carrier) whose shipment is labelled and in the carrier's open manifest,
    and a shipment of the world's order of its side with a return requested
    of it. Plus an origin, a free-shipping rule, a label batch of the
    superuser's and a signed freight quote."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from plugins.logistics.models import (
        FreeShippingRule,
        LabelBatch,
        Manifest,
        OrderShipping,
        Package,
        ReturnRequest,
        Shipment,
    )
    from plugins.orders.models import Order
    from tests.plugins.logistics.conftest import make_origin, make_table_carrier

    origin = make_origin()
    scope = {}
    for values, code, name, prefix, number in (
        (world.inside, "rapidao", "Rapidão", "RP", "RDYA-INSD"),
        (world.outside, "outra", "Outra", "OT", "RDYB-OUTS"),
    ):
        carrier = make_table_carrier(code=code, name=name)
        carrier.tracking_prefix = prefix
        carrier.save(update_fields=["tracking_prefix"])
        service = carrier.services.get(code="ECO")
        order = Order.objects.create(
            number=number,
            channel_id=values.get("channel", world.inside["channel"]),
            customer_name="Maria",
            subtotal=Decimal("39.90"),
            total=Decimal("39.90"),
            payment_method="pix",
            status="ready_to_ship",
            shipping_address={"recipient": "Maria", "cep": "01310-100"},
            placed_at=timezone.now(),
        )
        OrderShipping.objects.create(
            order=order,
            service=service,
            origin=origin,
            price=Decimal("10.00"),
            delivery_days=3,
            handling_deadline=datetime.date(2026, 3, 3),
            promised_date=datetime.date(2026, 3, 6),
            quoted_at=timezone.now(),
        )
        manifest = Manifest.objects.create(carrier=carrier, origin=origin)
        shipment = Shipment.objects.create(
            order=order,
            carrier=carrier,
            service=service,
            origin=origin,
            status="labelled",
            declared_value=Decimal("39.90"),
            manifest=manifest,
        )
        Package.objects.create(
            shipment=shipment,
            number=1,
            tracking_code=f"{prefix}000000014BR",
            weight_g=300,
            length_cm=16,
            width_cm=11,
            height_cm=2,
            items=[{"sku": "CAN-1", "name": "Caneca", "quantity": 1}],
        )
        # the world's order of this side, shipped, and a return of it
        Shipment.objects.create(
            order_id=values["order"],
            carrier=carrier,
            service=service,
            declared_value=Decimal("39.90"),
        )
        ret = ReturnRequest.objects.create(
            order_id=values["order"],
            carrier=carrier,
            reason="defect",
            requested_via="storefront",
            items=[],
        )
        values.update(
            carrier=carrier.pk,
            service=service.pk,
            shipment=shipment.pk,
            manifest=manifest.pk,
            ship_order=order.pk,
            ret=ret.pk,
            shipped_order=values["order"],
        )
        scope.setdefault("logistics.Carrier", carrier)
    rule = FreeShippingRule.objects.create(
        name="Sudeste", service_id=world.inside["service"], states="SP, RJ"
    )
    batch = LabelBatch.objects.create(
        created_by=world.users[SUPERUSER],
        order_ids=[],
        status="done",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="etiquetas.pdf"),
    )
    world.inside.update(origin=origin.pk, fsr=rule.pk, label_batch=batch.pk)
    _freight_quote(world)
    return scope


def _freight_quote(world):
    """A signed quote of the storefront order the API matrix places (a
    storefront order names the freight option it chose; the carriers' tables
    cover every CEP)."""
    from plugins.logistics.services.quoting import quote_cart
    from plugins.orders.models import SalesChannel

    (option, *_) = quote_cart(
        SalesChannel.objects.get(code="loja"),
        "01310-100",
        [{"sku": "CAN-1", "quantity": 1}],
    )
    world.inside.update(quote=option.quote_id)


def _carrier_webhook(world):
    """A carrier with a webhook secret: its tracking address."""
    from plugins.logistics.models import Carrier, CarrierKind

    carrier = Carrier.objects.create(
        code="matriz-rastreio",
        name="Matriz Rastreio",
        kind=CarrierKind.TABLE,
        webhook_secret="segredo-da-matriz",
    )
    world.inside.update(carrier_webhook_token=carrier.webhook_token)


def _analytics(world):
    """A goal (meta) of the whole store."""
    import datetime

    from plugins.analytics.models import Goal

    goal = Goal.objects.create(
        kpi="orders.gmv",
        period_kind=Goal.PeriodKind.MONTH,
        period_start=datetime.date(2026, 3, 1),
        target=1000,
    )
    world.inside.update(goal=goal.pk)


def _build() -> World:
    from guardian.models import UserObjectPermission

    world = World()
    _people(world)
    superuser = world.users[SUPERUSER]
    _catalog(world, superuser)
    _api_objects(world, superuser)
    _import_job(world, superuser)
    _carrier_webhook(world)
    _lead_time(world)
    _analytics(world)
    scope_objects = {
        **_orders(world),
        **_stock(world, superuser),
        **_shelves(world),
        **_finance(world),
        **_fiscal(world),
        **_logistics(world),
    }
    for column in staff_columns():
        if role_scopes(column):
            _grant_scope(world.users[column], column, scope_objects)
    grant = UserObjectPermission.objects.filter(
        user=world.users.get("shelf_keeper")
    ).first()
    world.inside.update(grant=grant.pk if grant else 0, grant_kind="user")
    # placeholders without a scope are the same inside and outside
    world.outside = {**world.inside, **world.outside}
    return world


def _lead_time(world):
    from plugins.analytics.models import LeadTime

    lead_time = LeadTime.objects.create(brand_id=world.inside["brand"], days=20)
    world.inside.update(leadtime=lead_time.pk)


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build()
        yield built
        transaction.set_rollback(True)
