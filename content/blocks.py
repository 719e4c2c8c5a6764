"""StreamField blocks for product descriptions and storefront pages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]


class SpecificationRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Attribute"), max_length=80)
    value = blocks.CharBlock(label=_("Value"), max_length=200)


class ProductDescriptionBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    image = ImageBlock(label=_("Image"))
    gallery = blocks.ListBlock(ImageBlock(), label=_("Gallery"))
    specifications = blocks.ListBlock(
        SpecificationRowBlock(), label=_("Specification table")
    )
    video = EmbedBlock(label=_("Video"), max_width=960)


class HeroBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    subtitle = blocks.CharBlock(label=_("Subtitle"), max_length=240, required=False)
    image = ImageBlock(label=_("Image"), required=False)
    button_text = blocks.CharBlock(
        label=_("Button text"), max_length=40, required=False
    )
    button_link = blocks.URLBlock(label=_("Button link"), required=False)

    class Meta:
        icon = "image"
        label = _("Hero")


class BannerBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    link = blocks.URLBlock(label=_("Link"), required=False)

    class Meta:
        icon = "image"
        label = _("Banner")


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=RICH_TEXT_FEATURES)


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120, required=False)
    items = blocks.ListBlock(FAQItemBlock(), label=_("Questions"))

    class Meta:
        icon = "help"
        label = _("FAQ")


class ProductGridBlock(blocks.StructBlock):
    """A grid of products fed by a category, a collection or a hand-picked list."""

    SOURCES = [
        ("category", _("Category (and its subcategories)")),
        ("collection", pgettext_lazy("catalog", "Collection")),
        ("products", _("Hand-picked products")),
    ]
    title = blocks.CharBlock(label=_("Title"), max_length=120, required=False)
    source = blocks.ChoiceBlock(choices=SOURCES, label=_("Products from"))
    category = SnippetChooserBlock(
        "content.Category", required=False, label=_("Category")
    )
    collection = SnippetChooserBlock(
        "content.Collection",
        required=False,
        label=pgettext_lazy("catalog", "Collection"),
    )
    products = blocks.ListBlock(
        SnippetChooserBlock("content.Product"), required=False, label=_("Products")
    )
    limit = blocks.IntegerBlock(
        label=_("How many"), default=12, min_value=1, max_value=48
    )

    class Meta:
        icon = "table"
        label = _("Product grid")

    def clean(self, value):
        value = super().clean(value)
        source = value.get("source")
        missing = {
            "category": not value.get("category"),
            "collection": not value.get("collection"),
            "products": not value.get("products"),
        }.get(source, False)
        if missing:
            raise blocks.StructBlockValidationError(
                block_errors={
                    source: ValidationError(_("Choose what feeds this grid."))
                }
            )
        return value


class LandingPageBlock(blocks.StreamBlock):
    hero = HeroBlock()
    banner = BannerBlock()
    rich_text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    faq = FAQBlock()
    product_grid = ProductGridBlock()


class ContentPageBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    image = ImageBlock(label=_("Image"))
    faq = FAQBlock()
