from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from contests import views as contest_views
from quiz import share_views as quiz_share_views

# /reports/ is the staff's rooms, one address and one namespace «reports» (URL names are
# contracts): the figures (reports), prizes (awards), the integrity review and the decision log
# (audit), the deletion queue (privacy) and the contest copy (contests). Awards come first: its
# «download/winners.xlsx» is the one kind of reports' «download/<kind>.xlsx» it serves.
STAFF_ROOMS = ["awards.staff_urls", "audit.staff_urls", "privacy.staff_urls", "contests.staff_urls", "reports.urls"]

admin.site.site_header = _("Quản trị Cuộc thi")
admin.site.site_title = _("Quản trị Cuộc thi")
admin.site.index_title = _("Ban Tổ chức")


def admin_login(request):
    """The admin has no login page of its own: one login form, one set of rate limits (allauth's)."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        raise PermissionDenied  # signed in, but not staff: going back to the login would loop
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


# allauth answers its rate limits with ROOT_URLCONF.handler429: the same page as the project's own.
handler429 = "contests.views.too_many_requests"

urlpatterns = [
    path("", contest_views.home, name="home"),
    path("healthz/", contest_views.healthz, name="healthz"),
    path("readyz/", contest_views.readyz, name="readyz"),
    path("", include("operations.urls")),
    path("admin/login/", admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("accounts/my-data/", include("privacy.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quiz/", include("quiz.urls")),
    # A shared result (quiz.share_views): public by its unguessable token, revocable by its owner.
    path("share/<str:token>/", quiz_share_views.share_page, name="share"),
    path("share/<str:token>/card.png", quiz_share_views.share_card, name="share_card"),
    path("share/<str:token>/revoke/", quiz_share_views.share_revoke, name="share_revoke"),
    path("essays/", include("essays.urls")),
    path("judging/", include("essays.judging_urls")),
    path("appeals/", include("audit.urls")),
    path("reports/", include(([path("", include(module)) for module in STAFF_ROOMS], "reports"))),
    path("stats/", include("reports.public_urls")),
    path("", include("awards.certificate_urls")),
    path("", include("contests.urls")),
]

# Nothing is served from /media/, with DEBUG on or off: reference documents go through
# contests.views.document, private files through views that ask essays.rules (or reports'
# export view), so no file is reachable by guessing its name.
