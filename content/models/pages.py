"""Storefront pages: home, institutional content and campaign landing pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import ContentPageBlock, LandingPageBlock


class HomePage(Page):
    body = StreamField(LandingPageBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    subpage_types = ["content.ContentPage", "content.LandingPage"]
    parent_page_types = ["wagtailcore.Page"]
    template = "content/pages/home_page.html"

    class Meta:
        verbose_name = _("home page")


class ContentPage(Page):
    """Institutional pages: about us, policies, FAQ."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = StreamField(ContentPageBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    parent_page_types = ["content.HomePage", "content.ContentPage"]
    subpage_types = ["content.ContentPage"]
    template = "content/pages/content_page.html"

    class Meta:
        verbose_name = _("content page")


class LandingPage(Page):
    """Campaign pages (Black Friday, Dia das Mães ...)."""

    body = StreamField(LandingPageBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["content.HomePage"]
    subpage_types = []
    template = "content/pages/landing_page.html"

    class Meta:
        verbose_name = _("landing page")
