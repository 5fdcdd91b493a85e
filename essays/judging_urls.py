from django.urls import path

from . import judging_views as views

app_name = "judging"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("sheets/<int:pk>/files/<int:number>/", views.sheet_file, name="file"),
    path("sheets/<int:pk>/conflict/", views.conflict, name="conflict"),
    path("manage/rounds/<int:pk>/", views.manage_round, name="manage_round"),
    path("manage/rounds/<int:pk>/conflicts/<int:sheet>/undo/", views.conflict_undo, name="conflict_undo"),
    path("manage/rounds/<int:pk>/<slug:action>/", views.manage_action, name="manage_action"),
]
