from django.urls import path

from . import certificate_views, decision_views, personal_views, unit_views, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rounds/<int:pk>/winners/", views.winners, name="winners"),
    path("rounds/<int:pk>/award.xlsx", views.award_list, name="award_list"),
    path("prizes/<int:pk>/verify/", views.prize_verify, name="prize_verify"),
    path("prizes/<int:pk>/amend/", views.prize_amend, name="prize_amend"),
    path("essays/winners/", views.essay_winners, name="essay_winners"),
    path("essays/prizes/<int:pk>/verify/", views.essay_prize_verify, name="essay_prize_verify"),
    path("essays/prizes/<int:pk>/amend/", views.essay_prize_amend, name="essay_prize_amend"),
    path("download/<slug:kind>.xlsx", views.download, name="download"),
    path("integrity/", views.integrity_review, name="integrity"),
    path("summary.docx", views.summary, name="summary"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/file/", views.export_file, name="export_file"),
    path("units/", unit_views.units, name="units"),
    path("units/<int:pk>/", unit_views.unit, name="unit"),
    path("units/<int:pk>/absent.xlsx", unit_views.unit_absentees_download, name="unit_absentees"),
    path("contests/<int:pk>/copy/", views.contest_copy, name="contest_copy"),
    path("decisions/", decision_views.decision_log, name="decisions"),
    path("privacy/", personal_views.deletion_queue, name="deletion_queue"),
    path("privacy/<int:pk>/", personal_views.deletion_handle, name="deletion_handle"),
    path("decisions.xlsx", decision_views.decision_log_export, name="decisions_export"),
    path("certificates/", certificate_views.certificates_overview, name="certificates"),
    path("certificates/jobs/<int:pk>/", certificate_views.certificates_job, name="certificates_job"),
    path("awards/", certificate_views.winner_details_list, name="winner_details"),
    path("awards/<slug:part>/<int:pk>/", certificate_views.winner_details_show, name="winner_details_show"),
    path("awards/<slug:part>/<int:pk>/change/", certificate_views.winner_details_change, name="winner_details_change"),
    path("awards/<slug:part>/<int:pk>/request/", certificate_views.winner_details_reissue, name="winner_details_reissue"),
]
