"""Accounts in the admin. Only superusers manage staff accounts, roles (groups), permissions and
passwords; organizers may look everyone up and correct a contestant's name or active flag.
Profiles are saved through accounts.services.profile_save, so a change of unit is recorded."""

from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from contests.admin import ReadOnlyMixin

from .enums import Role
from .forms import MemberImportForm, OrganizationImportForm
from .importers import read_organization_rows
from .members import members_import_upload
from .models import (
    Consent,
    ConsentText,
    DeletionRequest,
    Member,
    Organization,
    Profile,
    ProfileUnitChange,
    UnitOfficer,
    User,
    organization_check_parent,
)
from .phone import normalize_phone
from .privacy import PrivacyError, consent_text_publish
from .roles import role_label
from .services import organizations_import, profile_save, unit_officer_assign, unit_officer_remove


class RoleGroupField(forms.ModelMultipleChoiceField):
    """The groups of a user's change form, each named by its role's label."""

    def label_from_instance(self, obj):
        return role_label(obj.name)


class RoleListFilter(admin.RelatedFieldListFilter):
    """The user list's filter by group, each named by its role's label."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("vai trò")
        self.empty_value_display = _("Không có vai trò")

    def field_choices(self, field, request, model_admin):
        groups = Group.objects.order_by("name").only("pk", "name")
        return sorted(((group.pk, role_label(group.name)) for group in groups), key=lambda choice: str(choice[1]))


def is_privileged(user: User) -> bool:
    """Staff, superusers, and anyone holding a role beyond contestant or a permission of their own:
    accounts only a superuser may change."""
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.exclude(name=Role.CONTESTANT).exists() or user.user_permissions.exists()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", ("groups", RoleListFilter)]
    search_fields = ["email", "full_name", "profile__phone"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Thông tin"), {"fields": ("full_name",)}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    # What an organizer sees of a contestant's account: the name and whether it may sign in.
    contestant_fieldsets = (
        (None, {"fields": ("email", "full_name", "is_active")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleGroupField
            kwargs["label"] = _("Vai trò")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.contestant_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["email", "last_login", "date_joined"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.anonymized_at is not None:
            return False  # anonymized for good (accounts.privacy.person_anonymize)
        if request.user.is_superuser:
            return True
        if obj is not None and is_privileged(obj):
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class SuperuserOnly:
    """An admin only superusers open: roles, permissions and sign-in e-mail addresses decide who
    can do what (an e-mail address changed is an account taken over by a password reset)."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(Group)
admin.site.unregister(EmailAddress)


@admin.register(Group)
class GroupAdmin(SuperuserOnly, BaseGroupAdmin):
    """Roles and their permissions (accounts.roles syncs them after every migrate). The name is a
    key used in code; the list shows the role's label beside it."""

    list_display = ["label", "name"]

    @admin.display(description=_("Vai trò"), ordering="name")
    def label(self, obj):
        return role_label(obj.name)


@admin.register(EmailAddress)
class EmailAddressAdmin(SuperuserOnly, BaseEmailAddressAdmin):
    @admin.action(description=_("Đánh dấu địa chỉ e-mail đã xác nhận"), permissions=["change"])
    def make_verified(self, request, queryset):
        return super().make_verified(request, queryset)


class ProfileUnitChangeInline(admin.TabularInline):
    model = ProfileUnitChange
    fk_name = "profile"
    extra = 0
    can_delete = False
    readonly_fields = ["old_organization", "new_organization", "changed_by", "changed_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProfileAdminForm(forms.ModelForm):
    # Typed as people type it ("0912 345 678"); stored as 10 digits.
    phone = forms.CharField(label=_("số điện thoại"), max_length=20)

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ["user", "phone", "organization", "position", "is_party_member", "completed_at"]
    list_filter = ["is_party_member", "organization__kind"]
    search_fields = ["user__email", "user__full_name", "phone", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["user", "completed_at", "updated_at"]
    inlines = [ProfileUnitChangeInline]

    def has_add_permission(self, request):
        # A profile is completed by its contestant (/accounts/profile/).
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.user.anonymized_at is not None:
            return False
        if obj is not None and not request.user.is_superuser and is_privileged(obj.user):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        profile = profile_save(
            user=obj.user,
            full_name=obj.user.full_name,
            phone=obj.phone,
            organization=obj.organization,
            position=obj.position,
            is_party_member=obj.is_party_member,
            changed_by=request.user,
        )
        obj.pk, obj.updated_at = profile.pk, profile.updated_at


class OrganizationAdminForm(forms.ModelForm):
    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        organization_check_parent(organization=self.instance, parent=parent)
        return parent


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["indented_name", "code", "kind", "member_count", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    change_list_template = "admin/accounts/organization/change_list.html"

    @admin.display(description=_("tên đơn vị"), ordering="path")
    def indented_name(self, obj):
        return ("— " * obj.depth) + obj.name

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="accounts_organization_import")
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = OrganizationImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            rows, read_error = read_organization_rows(form.cleaned_data["file"])
            if read_error:
                errors = [read_error]
            else:
                result = organizations_import(rows=rows)
                if result.ok:
                    messages.success(
                        request,
                        _("Đã nhập: %(c)d đơn vị mới, %(u)d đơn vị cập nhật.") % {"c": result.created, "u": result.updated},
                    )
                    return redirect("admin:accounts_organization_changelist")
                errors = result.errors
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            "title": _("Nhập đơn vị từ Excel"),
        }
        return render(request, "admin/accounts/organization/import.html", context)


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """The notice on personal data. Organizers write a draft and publish it («Công bố»); a
    published version is only shown — a change is a new version («Tạo phiên bản mới» copies it),
    and publishing it asks everyone to consent again."""

    list_display = ["version", "title", "published_at", "consent_count"]
    fields = ["version", "title", "body", "published_at", "new_version"]
    readonly_fields = ["version", "published_at", "new_version"]
    actions = ["publish"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_consents=Count("consents"))

    @admin.display(description=_("số người đồng ý"), ordering="n_consents")
    def consent_count(self, obj):
        return obj.n_consents

    @admin.display(description=_("sửa nội dung"))
    def new_version(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if obj is None or obj.pk is None or obj.published_at is None:
            return "–"
        url = reverse("admin:accounts_consenttext_add") + f"?copy_from={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Tạo phiên bản mới từ bản này"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        copy_from = request.GET.get("copy_from", "")
        source = ConsentText.objects.filter(pk=int(copy_from)).first() if copy_from.isdigit() else None
        if source is not None:
            initial |= {"title": source.title, "body": source.body}
        return initial

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Công bố phiên bản đã chọn (mọi người được hỏi lại)"), permissions=["change"])
    def publish(self, request, queryset):
        for text in queryset.order_by("version"):
            try:
                consent_text_publish(text=text)
            except PrivacyError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Đã công bố phiên bản %(v)d.") % {"v": text.version}, messages.SUCCESS)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "text", "given_at", "ip_address"]
    list_filter = ["text"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "text"]


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Shown only: the secretariat handles requests on /reports/privacy/."""

    list_display = ["user", "requested_at", "status", "handled_by", "handled_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "handled_by"]


@admin.register(UnitOfficer)
class UnitOfficerAdmin(admin.ModelAdmin):
    """Organizers assign unit officers: an assignment is added or removed, never edited, and
    both go through accounts.services (the role follows the assignments)."""

    list_display = ["user", "organization", "assigned_by", "assigned_at"]
    list_select_related = ["user", "organization", "assigned_by"]
    search_fields = ["user__email", "user__full_name", "organization__name", "organization__code"]
    autocomplete_fields = ["user", "organization"]
    readonly_fields = ["assigned_by", "assigned_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_staff and request.user.has_perm("accounts.remove_unit_officer")

    def save_model(self, request, obj, form, change):
        assignment = unit_officer_assign(user=obj.user, organization=obj.organization, by=request.user)
        obj.pk, obj.assigned_at, obj.assigned_by = assignment.pk, assignment.assigned_at, assignment.assigned_by

    def delete_model(self, request, obj):
        unit_officer_remove(assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            unit_officer_remove(assignment=assignment)


class MemberAdminForm(forms.ModelForm):
    phone = forms.CharField(label=_("số điện thoại"), max_length=20)

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        phone, organization = cleaned.get("phone"), cleaned.get("organization")
        lines = Member.objects.filter(phone=phone, organization=organization).exclude(pk=self.instance.pk)
        if phone and organization and lines.exists():
            self.add_error("phone", _("Số điện thoại này đã có trong danh sách của đơn vị này."))
        return cleaned


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """The member lists. People come in by import (here «Nhập từ Excel», or an officer's page),
    through accounts.members.members_import; a line can be corrected, the invitation fields are
    read-only."""

    form = MemberAdminForm
    list_display = ["full_name", "phone", "email", "organization", "position", "is_party_member", "status"]
    list_filter = ["status", "is_party_member", "organization__kind"]
    search_fields = ["full_name", "phone", "email", "organization__name", "organization__code"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    fields = ["full_name", "phone", "email", "organization", "position", "is_party_member", "status", "invited_by",
              "invited_at", "sent_at", "accepted_at", "user"]  # fmt: skip
    readonly_fields = ["status", "invited_by", "invited_at", "sent_at", "accepted_at", "user"]
    change_list_template = "admin/accounts/member/change_list.html"

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="accounts_member_import")] + super().get_urls()

    def import_view(self, request):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = MemberImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            summary, errors = members_import_upload(file=form.cleaned_data["file"], by=request.user)
            if summary:
                messages.success(request, summary)
                return redirect("admin:accounts_member_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            "title": _("Nhập danh sách thành viên từ Excel"),
        }
        return render(request, "admin/accounts/member/import.html", context)
