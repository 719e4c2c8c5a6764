"""The project's URLs, plus the benchmark's competitors under ``/bench/``.

They come after the project's own routes (before Wagtail's catch-all page
route), so that resolving the ceiling's URL costs about what resolving the
API's does.
"""

from django.urls import path

from retaguarda import urls as project
from tests.benchmarks.apibench import views

handler404 = project.handler404
handler500 = project.handler500

bench = [
    path("bench/wagtail/v2/", views.wagtail_api.urls),
    path("bench/drf/products/", views.DrfProductListView.as_view()),
    path("bench/ceiling/products/", views.ceiling_product_list),
]
pages = [p for p in project.urlpatterns if str(p.pattern) == ""]
urlpatterns = [*(p for p in project.urlpatterns if p not in pages), *bench, *pages]
