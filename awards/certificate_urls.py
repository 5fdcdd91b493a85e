"""Public addresses of certificates and winners' details (no staff role needed; each view checks
what it must: nothing, or the owner). No address here carries a token: a server logs them all."""

from django.urls import path

from . import certificate_views as views

app_name = "certs"
urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("verify/<str:code>/card.png", views.verify_card, name="verify_card"),
    path("certificates/<int:pk>/pdf/", views.certificate_download, name="download"),
    path("awards/details/<slug:part>/<int:pk>/", views.winner_details_form, name="winner_details"),
    # Links e-mailed before the form moved: a redirect to the address above, nothing more.
    path("awards/details/<str:token>/", views.winner_details_legacy, name="winner_details_legacy"),
]
