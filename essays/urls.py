from django.urls import path

from . import views

app_name = "essays"
urlpatterns = [
    path("", views.essay_index, name="index"),
    path("new/", views.essay_new, name="new"),
    path("mine/<int:pk>/", views.essay_mine_detail, name="mine_detail"),
    path("mine/<int:pk>/edit/", views.essay_edit, name="edit"),
    path("mine/<int:pk>/submit/", views.essay_submit, name="submit"),
    path("mine/<int:pk>/withdraw/", views.essay_withdraw, name="withdraw"),
    path("mine/<int:pk>/files/", views.essay_file_upload, name="file_upload"),
    path("files/<int:pk>/", views.essay_file_download, name="file"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/export.xlsx", views.manage_export, name="manage_export"),
    path("manage/book.docx", views.manage_book, name="manage_book"),
    path("manage/<int:pk>/", views.manage_screen, name="manage_screen"),
    path("manage/votes/", views.manage_votes, name="manage_votes"),
    path("votes/", views.vote_ranking, name="votes"),
    path("<str:code>/", views.essay_public, name="public"),
    path("<str:code>/vote/", views.essay_vote, name="vote"),
]
