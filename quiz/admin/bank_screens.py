"""The question bank's own screens on its admin page: the Excel import (upload, preview,
confirm), the template, and the exports of the whole bank (organizers only)."""

import io
import re
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contests.downloads import download
from quiz.excel import ImportReport, import_questions, new_fields, parse_workbook, write_workbook
from quiz.forms import QuestionImportConfirmForm, QuestionImportForm
from quiz.package import read_upload, write_package

IMPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
IMPORT_EXPIRED = _("Bản xem trước đã hết hạn (sau 15 phút) hoặc không phải của anh/chị; vui lòng chọn lại tệp.")


def _xlsx_response(filename: str, **kwargs):
    return download(filename, lambda buffer: write_workbook(buffer, **kwargs))


class QuestionBankScreens:
    """The import and export screens of QuestionAdmin (its URLs: quiz_question_import,
    quiz_question_template, quiz_question_export, quiz_question_export_zip)."""

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="quiz_question_import"),
            path("template.xlsx", self.admin_site.admin_view(self.template_view), name="quiz_question_template"),
            path("export.xlsx", self.admin_site.admin_view(self.export_view), name="quiz_question_export"),
            path("export.zip", self.admin_site.admin_view(self.export_zip_view), name="quiz_question_export_zip"),
        ] + super().get_urls()

    def template_view(self, request):
        return _xlsx_response("mau-cau-hoi.xlsx", template=True)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export_bank": request.user.has_perm("quiz.see_answers")}
        return super().changelist_view(request, extra_context=extra_context)

    def export_view(self, request):
        """The whole bank with its right answers: organizers only."""
        if not request.user.has_perm("quiz.see_answers"):
            raise PermissionDenied
        return _xlsx_response(f"ngan-hang-cau-hoi-{timezone.localdate():%Y%m%d}.xlsx")

    def export_zip_view(self, request):
        """The whole bank with its answers and images, as the import takes it: organizers only."""
        if not request.user.has_perm("quiz.see_answers"):
            raise PermissionDenied
        return download(f"ngan-hang-cau-hoi-{timezone.localdate():%Y%m%d}.zip", lambda buffer: write_package(buffer))

    IMPORT_KEEP_SECONDS = 15 * 60

    @staticmethod
    def _import_key(token: str) -> str:
        return f"question-import:{token}"

    def import_view(self, request):
        """Upload → preview of every row (or every error) → confirm. The uploaded bytes wait on
        the server (the cache, 15 minutes, under a random token tied to the organizer), so the
        confirm step neither asks for the file again nor trusts a copy sent back by the browser.
        A field name not in the bank is created only when the organizer ticks it."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form, confirm_form, report = QuestionImportForm(), None, None
        if request.method == "POST" and "token" in request.POST:
            token = request.POST.get("token", "")
            kept = cache.get(self._import_key(token)) if IMPORT_TOKEN.fullmatch(token) else None
            if not kept or kept["user"] != request.user.pk:
                messages.error(request, IMPORT_EXPIRED)
                return redirect("admin:quiz_question_import")
            package = read_upload(kept["data"])
            report = parse_workbook(io.BytesIO(package.workbook), images=package.images)
            confirm_form = QuestionImportConfirmForm(request.POST, new_fields=new_fields(report)) if report.ok else None
            if confirm_form is not None and confirm_form.is_valid():
                report = import_questions(io.BytesIO(package.workbook), author=request.user, images=package.images)
                if report.ok:
                    cache.delete(self._import_key(token))
                    messages.success(
                        request, _("Đã nhập %(c)d câu mới, cập nhật %(u)d câu.") % {"c": report.created, "u": report.updated}
                    )
                    return redirect("admin:quiz_question_changelist")
        elif request.method == "POST":
            form = QuestionImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data["file"].read()
                package = read_upload(data)
                if package.error:
                    report = ImportReport(errors=[package.error])
                else:
                    report = parse_workbook(io.BytesIO(package.workbook), images=package.images)
                if report.ok:
                    token = secrets.token_urlsafe(24)
                    cache.set(self._import_key(token), {"user": request.user.pk, "data": data}, self.IMPORT_KEEP_SECONDS)
                    confirm_form = QuestionImportConfirmForm(initial={"token": token}, new_fields=new_fields(report))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập câu hỏi từ Excel"),
            "form": form,
            "confirm_form": confirm_form,
            "report": report,
        }
        return render(request, "admin/quiz/question/import.html", context)
