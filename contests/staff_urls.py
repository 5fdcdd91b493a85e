"""«Sao chép cuộc thi», under /reports/ in the namespace «reports» (contest_site/urls.py)."""

from django.urls import path

from . import copy_views

urlpatterns = [
    path("contests/<int:pk>/copy/", copy_views.contest_copy, name="contest_copy"),
]
