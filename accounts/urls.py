from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("invitation/<str:signed>/", views.invitation, name="invitation"),
    path("units/<int:pk>/members/import/", views.member_import, name="member_import"),
    path("units/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("units/members-template.xlsx", views.member_template, name="member_template"),
]
