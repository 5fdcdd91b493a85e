"""The appellant's pages, under /appeals/ (namespace «appeals»)."""

from django.urls import path

from . import appeal_views

app_name = "appeals"
urlpatterns = [
    path("quiz/<int:round_id>/new/", appeal_views.appeal_new_quiz, name="new_quiz"),
    path("essays/<int:essay_id>/new/", appeal_views.appeal_new_essay, name="new_essay"),
    path("essays/<int:essay_id>/screening/new/", appeal_views.appeal_new_screening, name="new_screening"),
    path("<int:pk>/", appeal_views.appeal_mine, name="mine"),
    path("files/<int:pk>/", appeal_views.appeal_file_download, name="file"),
]
