from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    # Before allauth's own /accounts/signup/ (contest_site/urls.py): the same view, prefilled from an invitation.
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path("consent/", views.consent, name="consent"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/delete/", views.deletion_request, name="deletion_request"),
    path("invitation/<str:signed>/", views.invitation, name="invitation"),
    path("units/<int:pk>/members/import/", views.member_import, name="member_import"),
    path("units/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("units/<int:pk>/invitations/resend/", views.invitation_resend, name="invitation_resend"),
    path("units/<int:pk>/invitations/<int:batch>/", views.invitation_batch, name="invitation_batch"),
    path("units/<int:pk>/members/", views.unit_members, name="unit_members"),
    path("units/members-template.xlsx", views.member_template, name="member_template"),
]
