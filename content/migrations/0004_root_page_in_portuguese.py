"""The page tree's root, which Wagtail creates titled "Root", reads "Raiz" in
the page explorer."""

from django.db import migrations


def rename_root(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Root").update(title="Raiz", draft_title="Raiz")


def restore_root(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Raiz").update(title="Root", draft_title="Root")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_remove_catalog_importjob"),
    ]

    operations = [migrations.RunPython(rename_root, restore_root)]
