from content.models.catalog import (  # noqa: F401
    Brand,
    Category,
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    Variant,
)
from content.models.pages import ContentPage, HomePage, LandingPage  # noqa: F401
from content.models.settings import StoreSettings  # noqa: F401
