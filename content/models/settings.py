from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from content.validators import (
    format_cnpj,
    normalise_document,
    strip_invisible_characters,
    validate_cnpj,
)


@register_setting(icon="site")
class StoreSettings(BaseSiteSetting):
    store_name = models.CharField(_("store name"), max_length=120, blank=True)
    cnpj = models.CharField(
        _("CNPJ"), max_length=18, blank=True, validators=[validate_cnpj]
    )
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    instagram = models.URLField(_("Instagram"), blank=True)
    facebook = models.URLField(_("Facebook"), blank=True)
    tiktok = models.URLField(_("TikTok"), blank=True)
    youtube = models.URLField(_("YouTube"), blank=True)
    privacy_policy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returns_policy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("returns and exchanges policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    terms_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("terms of use"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("store_name"), FieldPanel("cnpj"), FieldPanel("address")],
            heading=_("Store"),
        ),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("phone"), FieldPanel("whatsapp")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("instagram"),
                FieldPanel("facebook"),
                FieldPanel("tiktok"),
                FieldPanel("youtube"),
            ],
            heading=_("Social networks"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("privacy_policy_page"),
                FieldPanel("returns_policy_page"),
                FieldPanel("terms_page"),
            ],
            heading=_("Policies"),
        ),
    ]

    class Meta:
        verbose_name = _("store settings")

    def save(self, *args, **kwargs):
        self.store_name = strip_invisible_characters(self.store_name)
        self.address = strip_invisible_characters(self.address)
        if self.cnpj and len(normalise_document(self.cnpj)) == 14:
            self.cnpj = format_cnpj(self.cnpj)
        super().save(*args, **kwargs)
