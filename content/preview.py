"""Signed, expiring preview tokens for headless storefronts.

The admin issues a token for the latest draft of a product (or another catalog
snippet, or a page); the frontend passes it to the API, which answers with that
draft. Tokens are signed with the project's SECRET_KEY (Django's signing), name
the object and the revision they were issued for, and expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core import signing

SALT = "retaguarda.content.preview"
DEFAULT_MAX_AGE = 60 * 60  # one hour


class InvalidPreviewToken(Exception):
    """Forged, expired or malformed token."""


@dataclass(frozen=True)
class PreviewGrant:
    model: str  # "content.product", "wagtailcore.page"
    pk: int
    revision_id: int | None


def max_age() -> int:
    return int(getattr(settings, "RETAGUARDA_PREVIEW_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def issue_preview_token(obj, *, revision=None) -> str:
    """A token for ``obj``'s latest revision (or the one given)."""
    revision = revision or getattr(obj, "latest_revision", None)
    payload = {
        "m": obj._meta.label_lower
        if not hasattr(obj, "specific_class")
        else "wagtailcore.page",
        "pk": obj.pk,
        "r": revision.pk if revision is not None else None,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read_preview_token(
    token: str, *, max_age_seconds: int | None = None
) -> PreviewGrant:
    """Validate a token; raises InvalidPreviewToken when forged or expired."""
    try:
        payload = signing.loads(
            token,
            salt=SALT,
            max_age=max_age() if max_age_seconds is None else max_age_seconds,
        )
    except signing.SignatureExpired as exc:
        raise InvalidPreviewToken("expired") from exc
    except signing.BadSignature as exc:
        raise InvalidPreviewToken("invalid") from exc
    try:
        return PreviewGrant(str(payload["m"]), int(payload["pk"]), payload.get("r"))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidPreviewToken("malformed") from exc


def token_matches(grant: PreviewGrant, obj) -> bool:
    label = (
        "wagtailcore.page" if hasattr(obj, "specific_class") else obj._meta.label_lower
    )
    return grant.model == label and grant.pk == obj.pk


def storefront_preview_url(token: str) -> str | None:
    """The storefront's preview address for ``token``
    (``RETAGUARDA_STOREFRONT_PREVIEW_URL``, its ``{token}`` replaced), or None
    when no storefront is configured."""
    template = getattr(settings, "RETAGUARDA_STOREFRONT_PREVIEW_URL", "")
    if not template:
        return None
    return template.replace("{token}", quote(token, safe=""))
