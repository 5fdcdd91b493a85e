from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .forms import OrganizationImportForm
from .importers import read_organization_rows
from .models import Organization, Profile, ProfileUnitChange, User
from .services import organizations_import


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "profile__phone"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Thông tin"), {"fields": ("full_name",)}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


class ProfileUnitChangeInline(admin.TabularInline):
    model = ProfileUnitChange
    fk_name = "profile"
    extra = 0
    can_delete = False
    readonly_fields = ["old_organization", "new_organization", "changed_by", "changed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "organization", "position", "is_party_member", "completed_at"]
    list_filter = ["is_party_member", "organization__kind"]
    search_fields = ["user__email", "user__full_name", "phone", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["user", "completed_at", "updated_at"]
    inlines = [ProfileUnitChangeInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
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
