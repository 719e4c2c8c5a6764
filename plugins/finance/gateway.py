"""The adapter (:mod:`plugins.finance.providers`) of a provider account."""

from __future__ import annotations

from plugins.finance.models import Provider, ProviderAccount
from plugins.finance.providers import (
    HTTP_PROVIDERS,
    Credentials,
    ManualProvider,
    PaymentProvider,
)


def provider_for(account: ProviderAccount) -> PaymentProvider:
    if account.provider == Provider.MANUAL:
        return ManualProvider(
            pix_key=account.pix_key or None,
            merchant_name=account.merchant_name,
            merchant_city=account.merchant_city,
        )
    return HTTP_PROVIDERS[Provider(account.provider)](
        Credentials(
            base_url=account.base_url,
            access_token=account.access_token,
            webhook_secret=account.webhook_secret,
        )
    )
