from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from contests import views as contest_views

admin.site.site_header = _("Quản trị Cuộc thi")
admin.site.site_title = _("Quản trị Cuộc thi")
admin.site.index_title = _("Ban Tổ chức")

urlpatterns = [
    path("", contest_views.home, name="home"),
    path("healthz/", contest_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quiz/", include("quiz.urls")),
    path("essays/", include("essays.urls")),
    path("judging/", include("essays.judging_urls")),
    path("reports/", include("reports.urls")),
    path("stats/", include("reports.public_urls")),
    path("", include("contests.urls")),
]

# Nothing is served from /media/, with DEBUG on or off: reference documents go through
# contests.views.document, private files through views that ask essays.rules (or reports'
# export view), so no file is reachable by guessing its name.
