from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path("consent/", views.consent, name="consent"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/delete/", views.deletion_request, name="deletion_request"),
]
