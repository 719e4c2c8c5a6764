from django.urls import path

from plugins.importing import views

urlpatterns = [
    path("<str:importer>/", views.StartView.as_view(), name="start"),
    path("job/<uuid:pk>/", views.JobView.as_view(), name="job"),
    path("job/<uuid:pk>/status/", views.StatusView.as_view(), name="status"),
    path("job/<uuid:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path(
        "job/<uuid:pk>/invalid-rows/",
        views.InvalidRowsView.as_view(),
        name="invalid_rows",
    ),
]
