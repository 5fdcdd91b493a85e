import re

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import notifications
from .enums import ContestStatus
from .models import FAQ, Contest, Notification, ReferenceDocument
from .rules import contest_is_writable, guard_contest_writable, read_only_message


class ReadOnlyMixin:
    """For admins and inlines of records that change only through services (prizes by their
    lifecycle, rankings at every finished attempt, extensions by round_extend_window): they are
    shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def contest_of(obj, path: str):
    """The contest `obj` belongs to, following `path` ("": obj is the contest)."""
    for name in filter(None, path.split(".")):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def is_archived_object(obj, path: str) -> bool:
    return obj is not None and not contest_is_writable(contest_of(obj, path))


def posted_inline_fields(data, prefix: str, fields) -> bool:
    """Whether a posted admin form edits the inline `prefix`: a value for one of its `fields`, a
    deletion, or a new row. A view-only inline renders none of these (only the row ids), so a
    form carrying them was not made from the page the admin shows: the freezes refuse it whole."""
    try:
        added = int(data.get(f"{prefix}-TOTAL_FORMS", 0)) > int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    except ValueError:
        added = True
    editing = re.compile(rf"^{re.escape(prefix)}-\d+-({'|'.join(map(re.escape, [*fields, 'DELETE']))})$")
    return added or any(editing.match(key) for key in data)


class ContestWritableMixin:
    """For the admins of what belongs to a contest (the contest itself, rounds, essay phases,
    essays, judging rounds, score sheets …): once the contest is archived its records are shown,
    never added, changed or deleted (`contests.rules.contest_is_writable`, the one predicate):
    the change form is view-only, a form posted anyway is refused with the message, a save or
    delete that gets through is refused by `guard_contest_writable`, and every action except
    those in `archive_readable_actions` (they only read) refuses a selection that holds an
    archived contest's record. `contest_path` follows the relations from the object to its
    contest ("" for the contest itself). Inlines use ContestWritableInlineMixin."""

    contest_path = "contest"
    archive_readable_actions: tuple[str, ...] = ()

    def contest_of(self, obj):
        return contest_of(obj, self.contest_path)

    def is_read_only(self, obj) -> bool:
        return is_archived_object(obj, self.contest_path)

    def has_change_permission(self, request, obj=None):
        return not self.is_read_only(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.is_read_only(obj) and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        if self.is_read_only(obj):
            if request.method == "POST":
                messages.error(request, read_only_message())
                return HttpResponseRedirect(request.path)
            messages.info(request, read_only_message())
        return super().changeform_view(request, object_id, form_url, extra_context)

    # A new record naming an archived contest, or a list_editable row: refused at the save
    # (contests.middleware turns ContestReadOnly into the message and a redirect).
    def save_model(self, request, obj, form, change):
        guard_contest_writable(self.contest_of(obj))
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        guard_contest_writable(self.contest_of(obj))
        super().delete_model(request, obj)

    def archived_in(self, queryset):
        """The records of `queryset` that belong to an archived contest."""
        lookup = "__".join([*filter(None, self.contest_path.split(".")), "status"])
        return queryset.filter(**{lookup: ContestStatus.ARCHIVED})

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, (func, _name, description) in list(actions.items()):
            if name not in self.archive_readable_actions:
                actions[name] = (_refusing_archived(func), name, description)
        return actions


def _refusing_archived(func):
    def guarded(modeladmin, request, queryset):
        if modeladmin.archived_in(queryset).exists():
            modeladmin.message_user(request, read_only_message(), messages.ERROR)
            return None
        return func(modeladmin, request, queryset)

    return guarded


class ContestWritableInlineMixin:
    """The inlines of ContestWritableMixin's admins: view-only when the record they hang off
    (`obj`, the parent) belongs to an archived contest. `contest_path` goes from the parent."""

    contest_path = "contest"

    def has_add_permission(self, request, obj=None):
        return not is_archived_object(obj, self.contest_path) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_archived_object(obj, self.contest_path) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_archived_object(obj, self.contest_path) and super().has_delete_permission(request, obj)


class ReferenceDocumentInline(ContestWritableInlineMixin, admin.StackedInline):
    model = ReferenceDocument
    extra = 0
    contest_path = ""


class FAQInline(ContestWritableInlineMixin, admin.StackedInline):
    model = FAQ
    extra = 0
    contest_path = ""


@admin.register(Contest)
class ContestAdmin(ContestWritableMixin, admin.ModelAdmin):
    """An archived contest is shown, never changed (ContestWritableMixin), and never brought
    back: archiving is final (contests.rules.guard_contest_unarchive). Copying it into next
    year's draft only reads it."""

    contest_path = ""
    archive_readable_actions = ("copy_contest",)
    list_display = ["name", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    search_fields = ["name", "theme"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "theme", "organizer_name", "summary", "rules", "starts_on", "ends_on", "status"]}),
        (_("Liên hệ"), {"fields": ["hotline", "contact_email", "contact_address"]}),
        (_("Khiếu nại"), {"fields": ["appeal_days"]}),
        (
            _("Văn bản của cuộc thi (báo cáo tổng kết)"),
            {
                "description": _(
                    "Khối tiêu đề, nơi nhận và chữ ký của báo cáo tổng kết, trình bày theo Hướng dẫn 36-HD/VPTW."
                ),
                "fields": [
                    "doc_superior_body", "doc_issuing_body", ("doc_number", "doc_symbol"), "doc_place",
                    "doc_signer_authority", "doc_signer_title", "doc_signer_name", "doc_recipients",
                ],
            },
        ),
    ]  # fmt: skip
    inlines = [ReferenceDocumentInline, FAQInline]
    actions = ["copy_contest"]
    change_form_template = "admin/contests/contest/change_form.html"

    def has_copy_permission(self, request):
        """Whoever may create a contest may copy one (organizers; the secretariat's admin is
        view-only); the page it leads to asks for the organizer role too."""
        return self.has_add_permission(request)

    @admin.action(description=_("Sao chép cuộc thi (tạo bản nháp năm sau)"), permissions=["copy"])
    def copy_contest(self, request, queryset):
        """The confirmation page (in reports: the copy touches the quiz and the essays) asks for
        the new name, address and first day; one contest at a time."""
        if queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một cuộc thi để sao chép."), messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("reports:contest_copy", args=[queryset.get().pk]))

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_copy"] = self.has_copy_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)


class RetriedFilter(admin.SimpleListFilter):
    title = _("gửi lại")
    parameter_name = "retried"

    def lookups(self, request, model_admin):
        return [("yes", _("Đã phải gửi lại")), ("no", _("Gửi được ngay lần đầu"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(attempts__gt=1)
        if self.value() == "no":
            return queryset.filter(attempts__lte=1)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The outbox: what was sent to whom, what failed and why. Rows are written by the events
    (contests.notifications) and changed only by sending; «Gửi lại» queues failed ones again."""

    list_display = ["created_at", "kind", "channel", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", RetriedFilter, "channel", "kind"]
    search_fields = ["address", "key", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    fields = [
        "recipient", "kind", "channel", "address", "key", "subject", "body",
        "status", "attempts", "last_error", "fallback", "created_at", "next_attempt_at", "sent_at",
    ]  # fmt: skip
    actions = ["retry"]
    show_full_result_count = False

    def has_retry_permission(self, request):
        return request.user.has_perm("contests.change_notification")

    @admin.action(description=_("Gửi lại các thông báo gửi không được"), permissions=["retry"])
    def retry(self, request, queryset):
        count = notifications.notifications_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("Đã đưa %(n)d thông báo vào hàng chờ gửi lại.", "Đã đưa %(n)d thông báo vào hàng chờ gửi lại.", count)
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
