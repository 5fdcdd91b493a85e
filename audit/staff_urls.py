"""The integrity review, the decision log and the appeals, under /reports/ in the namespace «reports»
(contest_site/urls.py)."""

from django.urls import path

from . import appeal_views, decision_views, views

urlpatterns = [
    path("integrity/", views.integrity_review, name="integrity"),
    path("decisions/", decision_views.decision_log, name="decisions"),
    path("decisions.xlsx", decision_views.decision_log_export, name="decisions_export"),
    path("appeals/", appeal_views.appeal_list, name="appeals"),
    path("appeals.xlsx", appeal_views.appeal_list_export, name="appeals_export"),
    path("appeals/<int:pk>/", appeal_views.appeal_show, name="appeal"),
]
