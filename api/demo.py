"""Demo data of the API: a storefront key for a frontend on localhost, which
``seed_demo`` prints with the demo users.

The key stays the same across runs on the same database, so that a frontend's
``.env`` keeps working after a restart. Keys are hashed at rest, so its secret is
derived (HMAC of ``SECRET_KEY`` and the key's random prefix): only this demo key,
which exists only in demo mode (``DEBUG`` and ``RETAGUARDA_DEMO``), and only on
a database that holds its random prefix. A key whose settings have changed is
revoked and replaced."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from api.models import ApiKey, Scope
from api.services import create_api_key, revoke_api_key

DEMO_KEY_NAME = "Loja demo (localhost)"
DEMO_KEY_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"]
DEMO_KEY_RATE_LIMIT = 600


def _demo_secret(prefix: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"retaguarda-demo-api-key:{prefix}".encode(),
        hashlib.sha256,
    ).digest()
    token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return f"{ApiKey.kind_prefix}_{prefix}_{token}"


def _is_current(key: ApiKey) -> bool:
    return (
        key.matches(_demo_secret(key.prefix))
        and key.scopes == sorted(Scope.values)
        and key.allowed_origins == DEMO_KEY_ORIGINS
        and key.rate_limit == DEMO_KEY_RATE_LIMIT
    )


def demo_api_key_secret() -> str | None:
    """The secret of the active demo key, or None if there is none."""
    for key in ApiKey.objects.active().filter(name=DEMO_KEY_NAME).order_by("-pk"):
        if _is_current(key):
            return _demo_secret(key.prefix)
    return None


def seed_demo_api_key(*, stdout) -> None:
    """Keep the demo key if it is current; otherwise revoke the old demo keys and
    create one (all scopes, origins localhost:3000). ``seed_demo`` prints it."""
    kept = None
    for key in ApiKey.objects.active().filter(name=DEMO_KEY_NAME).order_by("-pk"):
        if kept is None and _is_current(key):
            kept = key
        else:
            revoke_api_key(key, user=None)
    if kept is None:
        create_api_key(
            name=DEMO_KEY_NAME,
            scopes=list(Scope.values),
            allowed_origins=DEMO_KEY_ORIGINS,
            rate_limit=DEMO_KEY_RATE_LIMIT,
            user=None,
            secret=_demo_secret(secrets.token_hex(6)),
        )
