"""The shipping desk's daily digest of late parcels: each active shipping
clerk with an e-mail address gets the orders late to ship and the
shipments late to deliver of the carriers granted to them
(:mod:`plugins.logistics.querysets`), with links to the listings. Nothing
is sent to a clerk with nothing late.

Run by ``manage.py logistics_late_digest`` (once a day, from cron) or the
background task :func:`send_late_digest`. The e-mails are written in the
admin's language (pt-BR)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from plugins.display import absolute_date
from plugins.logistics.models import Carrier, Package, Shipment
from plugins.logistics.permissions import carrier_policy
from plugins.logistics.querysets import late_to_ship, of_carriers
from plugins.orders.models import Order

#: The language of the shipping desk's e-mails.
LANGUAGE = "pt-br"


def shipping_clerks():
    """Active users of the shipping desk's role with an e-mail address."""
    from plugins.roles import role_group

    group = role_group("shipping_desk")
    if group is None:
        return get_user_model().objects.none()
    return group.user_set.filter(is_active=True).exclude(email="").order_by("username")


def digest_lines(user, today=None) -> list[str]:
    """The digest's body lines for ``user`` (empty: nothing late)."""
    carriers = carrier_policy().scope_objects(user, "view")
    names = dict(Carrier.objects.values_list("pk", "name"))
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    orders = list(
        of_carriers(late_to_ship(Order.objects.all(), today), carriers)
        .select_related("logistics_shipping")
        .order_by("placed_at", "pk")
    )
    codes = (
        Package.objects.filter(shipment=OuterRef("pk"))
        .exclude(tracking_code="")
        .order_by("number")
        .values("tracking_code")[:1]
    )
    shipments = list(
        Shipment.objects.late_delivery(today)
        .filter(carrier__in=carriers)
        .annotate(first_code=Subquery(codes))
        .select_related("order", "carrier")
        .order_by("promise", "pk")
    )
    if not orders and not shipments:
        return []
    lines = []
    if orders:
        lines += [_("Orders late to ship (not handed over in time):"), ""]
        for order in orders:
            shipping = getattr(order, "logistics_shipping", None)
            deadline = shipping.handling_deadline if shipping else None
            lines.append(
                _("Order %(number)s · %(carrier)s · hand over by %(date)s")
                % {
                    "number": order.number,
                    "carrier": names.get(order.carrier_id_of, "—"),
                    "date": absolute_date(deadline) if deadline else "—",
                }
            )
        lines += ["", f"{base}{reverse('logistics_late_shipments')}", ""]
    if shipments:
        lines += [_("Shipments late to deliver (past the promised date):"), ""]
        for shipment in shipments:
            lines.append(
                _(
                    "Order %(number)s · %(carrier)s · %(code)s · promised for "
                    "%(date)s · %(status)s"
                )
                % {
                    "number": shipment.order.number,
                    "carrier": shipment.carrier.name,
                    "code": shipment.first_code or "—",
                    "date": absolute_date(shipment.promise),
                    "status": shipment.get_status_display(),
                }
            )
        lines += ["", f"{base}{reverse('logistics_late_deliveries')}"]
    return lines


def send_digests(today=None) -> int:
    """One e-mail per shipping clerk with something late; how many sent."""
    today = today or timezone.localdate()
    sent = 0
    with translation.override(LANGUAGE):
        for user in shipping_clerks():
            lines = digest_lines(user, today)
            if not lines:
                continue
            send_mail(
                _("Late parcels on %(date)s") % {"date": absolute_date(today)},
                "\n".join(lines),
                None,
                [user.email],
            )
            sent += 1
    return sent


@task()
def send_late_digest() -> int:
    return send_digests()
