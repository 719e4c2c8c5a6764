from django.apps import AppConfig


class ApiBenchConfig(AppConfig):
    name = "tests.benchmarks.apibench"
    label = "apibench"
    verbose_name = "API benchmark"
    default_auto_field = "django.db.models.BigAutoField"
