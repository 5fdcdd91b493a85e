from django.contrib import admin

from contests.admin import ContestWritableMixin, ReadOnlyMixin

from .models import AwardDownload, Certificate, PrizeAmount


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Issued certificates, to look up (issue them from /reports/certificates/; whether one still
    holds is asked of its prize, never edited here)."""

    list_display = ["code", "kind", "holder_name", "unit_name", "tier", "issued_at"]
    list_filter = ["kind", "contest"]
    search_fields = ["code", "holder_name"]
    list_select_related = ["contest"]
    fields = ["code", "kind", "contest", "holder_name", "unit_name", "tier", "subject", "issued_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrizeAmount)
class PrizeAmountAdmin(ContestWritableMixin, admin.ModelAdmin):
    """The prize plan's money, per part and tier (awards.payments reads it): the organizers edit
    it (`awards.edit_prize_plan`), everyone with the admin's view permission reads it. A tier
    without a row is not paid 0: the decision and the payment list are refused, naming it."""

    list_display = ["contest", "part", "tier", "amount"]
    list_filter = ["contest", "part"]
    list_select_related = ["contest"]
    fields = ["contest", "part", "tier", "amount"]

    def _may_edit(self, request) -> bool:
        return request.user.has_perm("awards.edit_prize_plan")

    def has_add_permission(self, request):
        return self._may_edit(request)

    # The named permission, not the model's (organizers only view the awards app's models).
    def has_change_permission(self, request, obj=None):
        return self._may_edit(request) and not self.is_read_only(obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request) and not self.is_read_only(obj)


@admin.register(AwardDownload)
class AwardDownloadAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who downloaded the award decision or the payment list, when, for what: read only."""

    list_display = ["at", "by", "kind", "scope", "prizes", "total"]
    list_filter = ["kind", "contest"]
    list_select_related = ["by", "contest"]
    fields = ["at", "by", "contest", "kind", "scope", "prizes", "total"]
    readonly_fields = fields
