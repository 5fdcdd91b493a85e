"""«Sao chép cuộc thi»: the organizers' page that makes next year's draft (`contests.copying`)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .copying import contest_copy as copy_service
from .copying import next_year
from .forms import ContestCopyForm
from .models import Contest

# Copying makes a contest: Django's permission to add one, which the organizers' group holds
# (accounts.roles.ROLE_PERMISSIONS; superusers too). contests is the bottom layer and does not
# import the roles.
COPY_PERMISSION = "contests.add_contest"


def _may_copy(view):
    """As `accounts.roles.role_required(Role.ORGANIZER)`: anonymous users are sent to log in,
    anyone without the permission gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(COPY_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.required_permission = COPY_PERMISSION  # read by the test that walks every staff URL
    return wrapper


@_may_copy
def contest_copy(request, pk):
    """«Sao chép cuộc thi»: a confirmation page (the new name, address and first day), then
    `contests.copying.contest_copy` makes next year's draft."""
    source = get_object_or_404(Contest, pk=pk)
    if request.method == "POST":
        form = ContestCopyForm(request.POST)
        if form.is_valid():
            contest = copy_service(source=source, **form.cleaned_data)
            done = _("Đã tạo bản nháp «%(name)s» từ «%(source)s».")
            messages.success(request, done % {"name": contest.name, "source": source.name})
            return redirect("admin:contests_contest_change", contest.pk)
    else:
        starts_on = next_year(source.starts_on)
        old, new = str(source.starts_on.year), str(starts_on.year)
        name = source.name.replace(old, new) if old in source.name else f"{source.name} {new}"
        slug = source.slug.replace(old, new) if old in source.slug else f"{source.slug}-{new}"
        form = ContestCopyForm(initial={"name": name, "slug": slug[:50], "starts_on": starts_on})
    context = {
        "source": source,
        "form": form,
        "counts": {
            "rounds": source.rounds.count(),
            "phases": source.essay_phases.count(),
            "documents": source.documents.count(),
            "faqs": source.faqs.count(),
        },
    }
    return render(request, "contests/contest_copy.html", context)
