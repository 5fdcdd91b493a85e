"""The figures' pages under /reports/. The staff's rooms share that address and the namespace
«reports» (URL names are contracts): contest_site/urls.py adds the pages of awards, audit,
privacy and the contest copy (each app's `staff_urls`) to these."""

from django.urls import path

from . import unit_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download/<slug:kind>.xlsx", views.download, name="download"),
    path("summary.docx", views.summary, name="summary"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/file/", views.export_file, name="export_file"),
    path("units/", unit_views.units, name="units"),
    path("units/<int:pk>/", unit_views.unit, name="unit"),
    path("units/<int:pk>/absent.xlsx", unit_views.unit_absentees_download, name="unit_absentees"),
    path("units/<int:pk>/reminders/", unit_views.reminders, name="unit_reminders"),
    path("units/<int:pk>/reminders/<int:reminder>/", unit_views.reminder, name="unit_reminder"),
]
