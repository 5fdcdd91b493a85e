from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import UnitSelect
from accounts.models import Organization
from accounts.phone import normalize_phone
from accounts.selectors import organization_choice_groups
from contests.cleaning import CleanTextFormMixin

from .enums import IneligibleReason, SubjectKind
from .files import check_upload
from .models import Essay


class _UnitChoiceMixin:
    def _group_units(self, name):
        self.fields[name].choices = [("", _("— Chọn đơn vị —"))] + organization_choice_groups()
        field = self.fields[name]
        field.widget = UnitSelect(choices=field.choices)
        field.widget.is_required = field.required


class EssayForm(CleanTextFormMixin, _UnitChoiceMixin, forms.ModelForm):
    class Meta:
        model = Essay
        fields = [
            "title",
            "subject_kind",
            "subject_name",
            "subject_organization",
            "body",
            "declares_real",
            "declares_unpublished",
        ]
        widgets = {"subject_kind": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 16})}
        error_messages = {
            "title": {"required": _("Vui lòng nhập tên bài viết.")},
            "subject_kind": {"required": _("Vui lòng chọn bài viết về tập thể hay cá nhân.")},
            "subject_name": {"required": _("Vui lòng nhập tên tập thể hoặc cá nhân được viết.")},
            "subject_organization": {"required": _("Vui lòng chọn đơn vị của tập thể, cá nhân được viết.")},
            "body": {"required": _("Vui lòng nhập nội dung bài viết.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_kind"].choices = SubjectKind.choices  # no blank radio
        self.fields["subject_organization"].queryset = Organization.objects.filter(is_active=True)
        self._group_units("subject_organization")


class AuthorForm(CleanTextFormMixin, _UnitChoiceMixin, forms.Form):
    name = forms.CharField(label=_("Họ và tên tác giả"), max_length=150)
    organization = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Organization.objects.filter(is_active=True))
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._group_units("organization")

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class BaseAuthorFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        filled = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not filled:
            raise forms.ValidationError(_("Cần ít nhất một tác giả."))

    def authors(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]


AuthorFormSet = forms.formset_factory(AuthorForm, formset=BaseAuthorFormSet, extra=0, min_num=1, max_num=5, validate_max=True)


class FileForm(forms.Form):
    """One attachment: on the essay's page, and (optional) on the essay form itself."""

    file = forms.FileField(label=_("Tệp đính kèm (DOCX, PDF) hoặc ảnh (JPEG, PNG)"))

    def __init__(self, *args, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = required
        self.kind = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload:
            return upload
        kind, problem = check_upload(upload)
        if problem:
            raise forms.ValidationError(problem)
        self.kind = kind
        return upload


class ScreeningForm(CleanTextFormMixin, forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Kết quả sơ loại"),
        choices=[("1", _("Đủ điều kiện")), ("0", _("Không đủ điều kiện"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reasons = forms.MultipleChoiceField(
        label=_("Lý do (nếu không đủ điều kiện)"),
        choices=IneligibleReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RubricAmendForm(CleanTextFormMixin, forms.Form):
    """«Sửa tiêu chí chấm»: the new weight and maximum points of each criterion of a round, and
    why (essays.judging.rubric_amend records both)."""

    reason = forms.CharField(
        label=_("Lý do sửa"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: Hội đồng giám khảo họp ngày 12/9 thống nhất trọng số theo thể lệ đã ban hành."),
    )  # fmt: skip

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"weight_{c.pk}"] = forms.DecimalField(
                label=_("Trọng số – %(name)s") % {"name": c.name}, max_digits=4, decimal_places=2,
                min_value=Decimal("0.01"), max_value=Decimal("99.99"), initial=c.weight,
            )  # fmt: skip
            self.fields[f"max_points_{c.pk}"] = forms.IntegerField(
                label=_("Điểm tối đa – %(name)s") % {"name": c.name}, min_value=1, max_value=1000, initial=c.max_points
            )

    def changes(self) -> dict:
        from .judging import CriterionChange

        return {
            c.pk: CriterionChange(weight=self.cleaned_data[f"weight_{c.pk}"], max_points=self.cleaned_data[f"max_points_{c.pk}"])
            for c in self.criteria
        }
