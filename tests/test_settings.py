"""Settings come from the environment; production settings pass the deploy check."""

import re
import secrets

import pytest
from django.conf import settings

from tests.helpers import manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "retaguarda.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://retaguarda.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "RETAGUARDA_PLUGINS": "tests.shelves_plugin",
}


def test_production_configuration_passes_the_deploy_check():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_with_debug_off_is_a_clear_start_up_error():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", env=env, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_bad_boolean_is_a_clear_error():
    result = manage("check", env={**PRODUCTION, "DEBUG": "maybe"}, check=False)
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'." in result.stderr


def test_database_url_switches_the_database():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://shop:pw@db.internal:5433/loja"}
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])"
    )
    out = manage("shell", "--no-imports", "-c", code, env=env).stdout.split()
    assert out == ["django.db.backends.postgresql", "db.internal", "5433", "loja"]


def test_prepared_statements_can_be_turned_off_for_a_pooling_proxy():
    code = (
        "from django.conf import settings;"
        "o = settings.DATABASES['default']['OPTIONS'];"
        "print(o['server_side_binding'], o['prepare_threshold'],"
        " o.get('options', '-'))"
    )
    url = {**PRODUCTION, "DATABASE_URL": "postgres://shop:pw@db.internal:5433/loja"}
    out = manage("shell", "--no-imports", "-c", code, env=url).stdout.split()
    assert out == ["True", "5", "-"]
    off = {**url, "DATABASE_PREPARED_STATEMENTS": "false"}
    out = manage("shell", "--no-imports", "-c", code, env=off).stdout.split()
    assert out == ["False", "None", "-"]


def test_redis_url_switches_cache_and_task_queue():
    env = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3"}
    code = (
        "from django.conf import settings;"
        "print(settings.CACHES['default']['BACKEND']);"
        "print(settings.TASKS['default']['BACKEND'])"
    )
    out = manage("shell", "--no-imports", "-c", code, env=env).stdout.split()
    assert out == [
        "django.core.cache.backends.redis.RedisCache",
        "django_tasks_rq.RQBackend",
    ]


def test_email_file_path_writes_emails_as_files_without_smtp():
    code = (
        "from django.conf import settings;"
        "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH or '-')"
    )
    # no SMTP: printed on the console
    out = manage("shell", "--no-imports", "-c", code, env=PRODUCTION).stdout.split()
    assert out == ["django.core.mail.backends.console.EmailBackend", "-"]
    # a directory (the demo's var/mail): files there, under the project's
    files = {**PRODUCTION, "EMAIL_FILE_PATH": "var/mail"}
    out = manage("shell", "--no-imports", "-c", code, env=files).stdout.split()
    assert out[0] == "django.core.mail.backends.filebased.EmailBackend"
    assert out[1] == str(settings.BASE_DIR / "var" / "mail")
    # SMTP wins
    smtp = {**files, "EMAIL_HOST": "smtp.example.com"}
    out = manage("shell", "--no-imports", "-c", code, env=smtp).stdout.split()
    assert out[0] == "django.core.mail.backends.smtp.EmailBackend"


def test_embedded_defaults(db):
    assert settings.LANGUAGE_CODE == "pt-br"
    assert settings.TIME_ZONE == "America/Sao_Paulo"
    assert (
        settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
        or "redis" in (settings.CACHES["default"]["BACKEND"])
    )
    assert "en" in dict(settings.LANGUAGES)


def test_seed_demo_refuses_without_demo_mode(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = manage("seed_demo", env=env, check=False)
    assert result.returncode != 0
    assert "runs only with DEBUG=true and RETAGUARDA_DEMO=true" in result.stderr


@pytest.mark.slow
def test_demo_creates_one_user_per_role_and_prints_passwords(tmp_path):
    credentials_file = tmp_path / "var" / "demo-credentials.txt"
    env = {
        "DEBUG": "true",
        "RETAGUARDA_DEMO": "true",
        "RETAGUARDA_PLUGINS": "tests.shelves_plugin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "RETAGUARDA_DEMO_CREDENTIALS_FILE": str(credentials_file),
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8100",
    }
    manage("migrate", "--no-input", "-v0", env=env)
    result = manage("seed_demo", env=env)
    output = result.stdout

    # a summary per app, not a line per object (Wagtail logs every publish)
    assert "Published:" not in output + result.stderr
    assert "Catálogo de demonstração:" in output
    # every line in pt-BR, like the rest of the admin
    assert "Demo " not in output and "e.g." not in output
    assert len((output + result.stderr).splitlines()) < 30

    # the users and the API key come last, and are written to the file too
    users_block = output.split("Usuários de demonstração")[1]
    assert "Catálogo" not in users_block
    lines = {
        line.split()[0]: line.split()[1]
        for line in users_block.split("Chave de API")[0].splitlines()
        if line.startswith("  ")
    }
    assert set(lines) == {
        "admin",
        "editor",
        "moderador",
        "gerente",
        "auditor",
        "shelf_keeper",
    }
    key = re.search(r"rtg_\w+_[\w-]+", users_block).group(0)
    # the example request goes to the address the demo serves
    assert "http://127.0.0.1:8100/api/v1/catalog/products/" in users_block
    written = credentials_file.read_text()
    assert "Usuários de demonstração" in written
    assert lines["gerente"] in written and key in written
    assert credentials_file.stat().st_mode & 0o077 == 0  # the owner's only
    assert output.rstrip().endswith(f"(também em {credentials_file})")

    check = (
        "from django.contrib.auth import authenticate;"
        f"u = authenticate(username='gerente', password={lines['gerente']!r});"
        "print(u.username, [g.name for g in u.groups.all()])"
    )
    assert (
        manage("shell", "--no-imports", "-c", check, env=env).stdout.strip()
        == "gerente ['Gerente']"
    )

    # a second run on the same database (make run again): new passwords, the
    # same API key, in the output and in the file
    credentials_file.chmod(0o644)
    again = manage("seed_demo", env=env).stdout
    assert credentials_file.stat().st_mode & 0o077 == 0
    assert re.search(r"rtg_\w+_[\w-]+", again).group(0) == key
    assert key in credentials_file.read_text()
    assert lines["gerente"] not in credentials_file.read_text()
