from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fiscal", "0002_tax_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="fiscaldocument",
            name="receipt",
            field=models.CharField(blank=True, max_length=15, verbose_name="receipt"),
        ),
        migrations.AddIndex(
            model_name="fiscaldocument",
            index=models.Index(
                fields=["status", "next_attempt_at"], name="fiscal_document_retry"
            ),
        ),
    ]
