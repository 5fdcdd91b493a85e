"""The integrity review and the decision log, under /reports/ in the namespace «reports»
(contest_site/urls.py)."""

from django.urls import path

from . import decision_views, views

urlpatterns = [
    path("integrity/", views.integrity_review, name="integrity"),
    path("decisions/", decision_views.decision_log, name="decisions"),
    path("decisions.xlsx", decision_views.decision_log_export, name="decisions_export"),
]
