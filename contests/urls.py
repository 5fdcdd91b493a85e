from django.urls import path

from . import views

app_name = "contests"
urlpatterns = [
    path("rules/", views.current_rules, name="current_rules"),
    path("documents/", views.current_documents, name="current_documents"),
    path("faq/", views.current_faq, name="current_faq"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("contests/", views.contest_list, name="list"),
    path("contests/<slug:slug>/", views.contest_detail, name="detail"),
    path("contests/<slug:slug>/rules/", views.rules, name="rules"),
    path("contests/<slug:slug>/documents/", views.documents, name="documents"),
    path("contests/<slug:slug>/faq/", views.faq, name="faq"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
