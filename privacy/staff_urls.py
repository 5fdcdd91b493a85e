"""The secretariat's queue of deletion requests, under /reports/ in the namespace «reports»
(contest_site/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.deletion_queue, name="deletion_queue"),
    path("privacy/<int:pk>/", views.deletion_handle, name="deletion_handle"),
]
