from django.urls import path

from . import personal_views

app_name = "personal_data"
urlpatterns = [
    path("download.json", personal_views.my_data_download, {"fmt": "json"}, name="download_json"),
    path("download.xlsx", personal_views.my_data_download, {"fmt": "xlsx"}, name="download_xlsx"),
]
