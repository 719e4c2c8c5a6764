"""Demo data of the API: a storefront key for a frontend on localhost, printed
by ``seed_demo`` (the secret changes on every run; older demo keys are
revoked)."""

from __future__ import annotations

from wagtail import hooks

from api.models import ApiKey, Scope
from api.services import create_api_key, revoke_api_key
from plugins.hooks import DEMO_DATA

DEMO_KEY_NAME = "Loja demo (localhost)"


@hooks.register(DEMO_DATA)
def seed_demo_api_key(*, stdout) -> None:
    for old in ApiKey.objects.active().filter(name=DEMO_KEY_NAME):
        revoke_api_key(old, user=None)
    _key, secret = create_api_key(
        name=DEMO_KEY_NAME,
        scopes=list(Scope.values),
        allowed_origins=["http://localhost:3000", "http://127.0.0.1:3000"],
        rate_limit=600,
        user=None,
    )
    stdout.write(
        "\nDemo storefront API key (all scopes; origins localhost:3000):\n"
        f"  {secret}\n"
        "  e.g. curl -H 'Authorization: Api-Key <key>' "
        "http://127.0.0.1:8000/api/v1/catalog/products/"
    )
