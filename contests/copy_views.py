"""«Sao chép cuộc thi»: the organizers' page that makes next year's draft (`contests.copying`)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .copying import contest_copy as copy_service
from .copying import copy_proposal
from .forms import ContestCopyForm
from .models import Contest
from .permissions import permission_required


@permission_required("contests.copy_contest")  # organizers (accounts.rules)
def contest_copy(request, pk):
    """«Sao chép cuộc thi»: a confirmation page (the new name, address and first day), then
    `contests.copying.contest_copy` makes next year's draft."""
    source = get_object_or_404(Contest, pk=pk)
    proposal = copy_proposal(source=source)
    if request.method == "POST":
        form = ContestCopyForm(request.POST)
        if form.is_valid():
            contest = copy_service(source=source, **form.cleaned_data)
            done = _("Đã tạo bản nháp «%(name)s» từ «%(source)s».")
            messages.success(request, done % {"name": contest.name, "source": source.name})
            return redirect("admin:contests_contest_change", contest.pk)
    else:
        form = ContestCopyForm(initial={"name": proposal.name, "slug": proposal.slug, "starts_on": proposal.starts_on})
    context = {
        "source": source,
        "form": form,
        "taken": proposal.taken,
        "counts": {
            "rounds": source.rounds.count(),
            "phases": source.essay_phases.count(),
            "documents": source.documents.count(),
            "faqs": source.faqs.count(),
        },
    }
    return render(request, "contests/contest_copy.html", context)
