from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import profile_required
from accounts.net import client_ip
from contests.downloads import download
from contests.permissions import permission_required
from contests.selectors import contest_for_request, page_blocks
from contests.storage import private_file_response
from contests.views import too_many_requests

from . import rules, selectors, services, votes
from .enums import EssayStatus, IneligibleReason
from .exports import essays_book, essays_workbook
from .files import CONTENT_TYPES, BlindCopyError, blind_copy, blind_name
from .forms import AuthorFormSet, EssayForm, FileForm, ScreeningForm
from .models import Essay, EssayFile, EssayPhase


def _contest(request):
    """The contest of the secretariat's pages: ?contest=<slug> (drafts included) or the current one."""
    return contest_for_request(request, drafts=True)


def essay_index(request):
    contest = contest_for_request(request)
    context = {
        "contest": contest,
        "phase": selectors.open_phase(contest=contest),
        "mine": list(selectors.essays_for_user(user=request.user)) if request.user.is_authenticated else [],
        "published": list(selectors.published_essays(contest=contest)),
        # The public's vote («Bình chọn»): its own page, apart from the jury's results.
        "votes_on": contest is not None and EssayPhase.objects.filter(contest=contest, vote_enabled=True).exists(),
        # Appeals against the published results (audit): how many were filed and decided.
        "blocks": page_blocks("essay_results_blocks", contest=contest),
    }
    return render(request, "essays/index.html", context)


def essay_public(request, code):
    essay = selectors.get_published_essay(code=code)
    if not rules.can_view_essay(request.user, essay):
        raise Http404
    context = {"essay": essay, "authors": selectors.authors_for(request.user, essay)}
    if essay.phase.vote_enabled:
        context["vote"] = {
            "open": votes.vote_open(essay.phase),
            "count": essay.votes.count(),
            "problem": votes.voter_problem(request.user),
            "voted": votes.voted_today(essay=essay, user=request.user),
        }
    return render(request, "essays/public_detail.html", context)


@require_POST
def essay_vote(request, code):
    """One vote of the public (essays.votes.essay_vote): a signed-in person with a verified
    phone, within the phase's window, once a day per essay; over the limits, the 429 page."""
    # An unpublished essay is a 404 like its page (its code is never confirmed to a stranger);
    # essay_vote refuses it too, for every other path.
    essay = get_object_or_404(Essay.objects.select_related("phase__contest"), code=code, published_at__isnull=False)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path().removesuffix("vote/"))
    try:
        votes.essay_vote(essay=essay, user=request.user, ip=client_ip(request), request=request)
    except votes.VoteError as exc:
        if exc.limited:
            return too_many_requests(request, exc.message)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cảm ơn bạn đã bình chọn cho bài «%(title)s».") % {"title": essay.title})
    return redirect("essays:public", code=essay.code)


def vote_ranking(request):
    """«Bình chọn»: the public's votes per published essay, apart from the jury's results."""
    contest = contest_for_request(request)
    phases = [(phase, votes.vote_open(phase), votes.vote_ranking(phase=phase)) for phase in votes.vote_phases(contest=contest)]
    return render(request, "essays/votes.html", {"contest": contest, "phases": phases})


@permission_required("essays.manage_votes")
def manage_votes(request):
    """The office's view of the public vote; organizers draft «Giải bình chọn» here."""
    contest = _contest(request)
    if request.method == "POST":
        if not request.user.has_perm("essays.draft_vote_prize"):
            raise PermissionDenied
        phase = get_object_or_404(EssayPhase, pk=request.POST.get("phase") or 0, contest=contest)
        try:
            prize = votes.vote_prize_draft(phase=phase, by=request.user)
        except votes.VoteError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lập «Giải bình chọn»: %(code)s.") % {"code": prize.essay.code})
        return redirect(f"{reverse('essays:manage_votes')}?contest={contest.slug}")
    phases = [
        (phase, votes.vote_open(phase), votes.vote_prize_problem(phase=phase), votes.vote_ranking(phase=phase))
        for phase in votes.vote_phases(contest=contest)
    ]
    return render(request, "essays/manage_votes.html", {"contest": contest, "phases": phases})


def _edit(request, essay):
    contest = contest_for_request(request)
    phase = essay.phase if essay else selectors.open_phase(contest=contest)
    if phase is None:
        messages.error(request, _("Hiện chưa có giai đoạn nhận bài nào đang mở."))
        return redirect("essays:index")
    initial_authors = (
        [{"name": a.name, "organization": a.organization_id, "phone": a.phone} for a in essay.authors.all()]
        if essay
        else [
            {
                "name": request.user.full_name,
                "organization": request.user.profile.organization_id,
                "phone": request.user.profile.phone,
            }
        ]
    )
    form = EssayForm(request.POST or None, instance=essay)
    authors = AuthorFormSet(request.POST or None, initial=initial_authors, prefix="authors")
    # The attachment is part of the form's flow (after the text and the authors), optional here:
    # «Nộp bài» asks again when the phase expects one and the essay has none.
    file_form = FileForm(request.POST or None, request.FILES or None, required=False, prefix="attachment")
    if request.method == "POST":
        essay_ok, authors_ok, file_ok = form.is_valid(), authors.is_valid(), file_form.is_valid()
        if essay_ok and authors_ok and file_ok:
            fields = {name: form.cleaned_data[name] for name in EssayForm.Meta.fields}
            try:
                saved = services.essay_save(essay=essay, phase=phase, submitter=request.user, authors=authors.authors(), **fields)
            except services.EssayError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã lưu bài viết %(code)s.") % {"code": saved.code})
                upload = file_form.cleaned_data.get("file")
                if upload:
                    try:
                        services.essay_file_add(essay=saved, upload=upload, kind=file_form.kind)
                    except services.EssayError as exc:
                        messages.error(request, exc.message)
                    else:
                        messages.success(request, _("Đã đính kèm tệp «%(name)s».") % {"name": upload.name})
                return redirect("essays:mine_detail", pk=saved.pk)
        elif file_ok and file_form.cleaned_data.get("file"):
            # A browser never keeps a chosen file across a page with errors: say so where it was.
            file_form.add_error("file", _("Vui lòng chọn lại tệp sau khi sửa các lỗi ở trên."))
    context = {
        "form": form,
        "authors": authors,
        "file_form": file_form,
        "files": selectors.essay_files(essay=essay) if essay else [],
        "essay": essay,
        "phase": phase,
    }
    return render(request, "essays/edit.html", context)


@profile_required
def essay_new(request):
    return _edit(request, None)


@profile_required
def essay_edit(request, pk):
    essay = selectors.get_essay_for_author(request.user, pk)
    if not essay.is_editable:
        messages.error(request, _("Bài viết này không thể sửa nữa."))
        return redirect("essays:mine_detail", pk=essay.pk)
    return _edit(request, essay)


@login_required
def essay_mine_detail(request, pk):
    essay = selectors.get_essay_for_author(request.user, pk)
    reasons = dict(IneligibleReason.choices)
    files = selectors.essay_files(essay=essay)
    context = {
        "essay": essay,
        "authors": selectors.authors_for(request.user, essay),
        "files": files,
        "problems": services.essay_problems(essay) if essay.status == "draft" else [],
        "attachment_missing": services.attachment_missing(essay),
        "reasons": [reasons.get(r, r) for r in essay.screening_reasons],
        "file_form": FileForm(),
        # The layers above: an appeal against the essay's published result (audit).
        "blocks": page_blocks("essay_author_blocks", essay=essay, user=request.user),
    }
    return render(request, "essays/mine_detail.html", context)


@login_required
@require_POST
def essay_submit(request, pk):
    """«Nộp bài». Without the attachment the phase expects, a page asks first (no JavaScript
    needed): upload one there, or confirm «Nộp bài không kèm tệp» (`without_attachment=1`)."""
    essay = selectors.get_essay_for_author(request.user, pk)
    already = essay.status == EssayStatus.SUBMITTED
    try:
        essay = services.essay_submit(
            essay=essay, user=request.user, without_attachment=request.POST.get("without_attachment") == "1"
        )
    except services.AttachmentMissing as exc:
        context = {"essay": essay, "problem": exc.message, "file_form": FileForm()}
        return render(request, "essays/submit_confirm.html", context)
    except services.EssayError as exc:
        messages.error(request, exc.message)
    else:
        if already:
            messages.info(request, _("Bài viết đã được nộp trước đó; mã bài dự thi là %(code)s.") % {"code": essay.code})
        else:
            messages.success(request, _("Đã nộp bài. Mã bài dự thi của anh/chị là %(code)s.") % {"code": essay.code})
    return redirect("essays:mine_detail", pk=essay.pk)


@login_required
@require_POST
def essay_withdraw(request, pk):
    essay = selectors.get_essay_for_author(request.user, pk)
    try:
        services.essay_withdraw(essay=essay, user=request.user)
    except services.EssayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã rút bài viết."))
    return redirect("essays:mine_detail", pk=essay.pk)


@login_required
@require_POST
def essay_file_upload(request, pk):
    essay = selectors.get_essay_for_author(request.user, pk)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.essay_file_add(essay=essay, upload=form.cleaned_data["file"], kind=form.kind)
        except services.EssayError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã đính kèm tệp."))
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect("essays:mine_detail", pk=essay.pk)


# --- Secretariat: screening (vòng sơ loại) ------------------------------------------------------------


@permission_required("essays.screen")
def manage_list(request):
    contest = _contest(request)
    eligibility = request.GET.get("eligibility") or None
    context = {
        "contest": contest,
        "essays": list(selectors.essays_for_screening(contest=contest, eligibility=eligibility)),
        "counts": selectors.screening_counts(contest=contest),
        "eligibility": eligibility,
    }
    return render(request, "essays/manage_list.html", context)


@permission_required("essays.screen")
def manage_screen(request, pk):
    essay = selectors.get_essay_for_staff(request.user, pk)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.essay_screen(essay=essay, by=request.user, **form.cleaned_data)
        except services.EssayError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi kết quả sơ loại bài %(code)s.") % {"code": essay.code})
            return redirect("essays:manage")
    context = {
        "essay": essay,
        "form": form,
        "authors": selectors.authors_for(request.user, essay),
        "files": selectors.essay_files(essay=essay),
    }
    return render(request, "essays/manage_screen.html", context)


@permission_required("essays.export_essays")
def manage_export(request):
    """The Excel list of every essay (small enough to build at once)."""
    contest = _contest(request)
    return download("bai-du-thi-viet.xlsx", lambda buffer: essays_workbook(buffer, contest=contest))


@permission_required("essays.export_essays")
def manage_book(request):
    """The book of published essays as DOCX."""
    contest = _contest(request)
    return download("tuyen-tap-bai-viet.docx", lambda buffer: essays_book(buffer, contest=contest))


# --- Attachments: private files, served after asking essays.rules ---------------------------------


def file_response(essay_file: EssayFile, *, blind: bool, number: int | None = None) -> HttpResponse:
    """The attachment as uploaded, or a blind copy (metadata removed, a neutral name) for a judge.
    Never cached by a browser or a proxy."""
    if blind:
        try:
            with essay_file.file.storage.open(essay_file.file.name, "rb") as handle:
                data = blind_copy(handle.read(), essay_file.kind)  # at most MAX_DOCUMENT_BYTES
        except FileNotFoundError as exc:
            raise Http404 from exc
        name = blind_name(code=essay_file.essay.code, number=number or selectors.file_number(essay_file), kind=essay_file.kind)
        response = HttpResponse(data, content_type=CONTENT_TYPES[essay_file.kind])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        return private_file_response(
            essay_file.file,
            filename=essay_file.original_name,
            content_type=CONTENT_TYPES.get(essay_file.kind, "application/octet-stream"),
        )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def essay_file_download(request, pk):
    """An attachment for its author, the secretariat and the organizers; a judge of the essay gets
    the blind copy; anyone else a 404."""
    essay_file, access = selectors.get_essay_file(request.user, pk)
    try:
        return file_response(essay_file, blind=access == rules.FileAccess.BLIND)
    except BlindCopyError:
        messages.error(request, BLIND_COPY_FAILED)
        return redirect("judging:queue")


BLIND_COPY_FAILED = gettext_lazy(
    "Không thể tự động xóa thông tin tác giả khỏi tệp này nên tệp chưa được gửi cho giám khảo; Tổ Thư ký sẽ cung cấp bản ẩn danh."
)
