"""Draft previews for headless frontends, shared by the product and page
endpoints: the token names the object; its latest draft is answered, never
cached."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from api.cache import cached_json
from content.preview import InvalidPreviewToken, read_preview_token, token_matches


def previewed_object(token: str, queryset):
    """The object of ``queryset`` the token was issued for; 401 otherwise."""
    try:
        grant = read_preview_token(token)
    except InvalidPreviewToken:
        raise AuthenticationFailed(_("Invalid or expired preview token.")) from None
    obj = queryset.filter(pk=grant.pk).first()
    if obj is None or not token_matches(grant, obj):
        raise AuthenticationFailed(_("Invalid or expired preview token."))
    return obj


def preview_response(request, build: Callable[[], object]):
    """A JSON response of a draft: built every time, private, not stored."""
    response = cached_json(request, build, use_cache=False)
    response["Cache-Control"] = "private, no-store"
    return response
