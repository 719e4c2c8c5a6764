import datetime
from decimal import Decimal
import pytest
from django.utils import timezone
from plugins.orders.models import Order, OrderLine, SalesChannel
from plugins.analytics.periods import store_today

pytestmark = pytest.mark.django_db

def test_view(client, django_user_model):
    ch = SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    today = store_today()
    tz = timezone.get_default_timezone()
    for i, (days, status, total) in enumerate([(0, "paid", "100"), (1, "cancelled", "50"), (3, "delivered", "70"), (40, "delivered", "30")]):
        placed = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(12)), tz)
        o = Order.objects.create(number=f"N{i}", channel=ch, customer_name="x", subtotal=Decimal(total), total=Decimal(total), payment_method="pix", status=status, placed_at=placed, paid_at=placed if status != "cancelled" else None)
        OrderLine.objects.create(order=o, sku="S", product_name="P", quantity=2, unit_price=Decimal(total)/2, total=Decimal(total))
    admin = django_user_model.objects.create_superuser("a", "a@x.com", "p")
    client.force_login(admin)
    r = client.get("/admin/reports/?period=7d&compare=previous&group_by=channel")
    assert r.status_code == 200, r.content[:3000]
    open("/tmp/report.html", "wb").write(r.content)
    r = client.get("/admin/reports/?period=ytd&export=csv&table=figures")
    print(b"".join(r.streaming_content).decode() if r.streaming else r.content.decode())
