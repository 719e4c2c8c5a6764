"""The LGPD actions become permissions of their own, and customers follow the
channels of their orders: the order desk's group loses the model-level
customer permissions it was given before (role sync only adds permissions)."""

from django.db import migrations

#: What the order desk held on every customer; it now reaches customers
#: through the channels granted to each attendant.
OLD_ORDER_DESK_PERMISSIONS = ("view_customer", "add_customer", "change_customer")


def drop_order_desk_customer_permissions(apps, schema_editor):
    Role = apps.get_model("plugins", "Role")
    Permission = apps.get_model("auth", "Permission")
    role = Role.objects.filter(key="order_desk").select_related("group").first()
    if role is None:
        return
    permissions = Permission.objects.filter(
        content_type__app_label="orders",
        content_type__model="customer",
        codename__in=OLD_ORDER_DESK_PERMISSIONS,
    )
    role.group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("plugins", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="customer",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("export_customer_data", "Can export a customer's data (LGPD)"),
                    ("anonymise_customer", "Can anonymise a customer (LGPD)"),
                ],
                "verbose_name": "customer",
                "verbose_name_plural": "customers",
            },
        ),
        migrations.RunPython(
            drop_order_desk_customer_permissions, migrations.RunPython.noop
        ),
    ]
