from django.urls import path

from . import views

app_name = "personal_data"
urlpatterns = [
    path("download.json", views.my_data_download, {"fmt": "json"}, name="download_json"),
    path("download.xlsx", views.my_data_download, {"fmt": "xlsx"}, name="download_xlsx"),
]
