from django.apps import AppConfig


class EssaysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "essays"
