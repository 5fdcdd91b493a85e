"""Public addresses of certificates and winners' details (no staff role needed; each view checks
what it must: nothing, the owner, or the signed link)."""

from django.urls import path

from . import certificate_views as views

app_name = "certs"
urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certificates/<int:pk>/pdf/", views.certificate_download, name="download"),
    path("awards/details/<str:token>/", views.winner_details_form, name="winner_details"),
]
