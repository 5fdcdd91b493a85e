"""The appeal forms: the contestant's (a reason, up to three attachments) and the office's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contests.cleaning import CleanTextFormMixin

from . import appeals


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AppealForm(CleanTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Nội dung khiếu nại"),
        min_length=appeals.REASON_MIN,
        max_length=appeals.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": appeals.REASON_MAX}),
        help_text=_("Kết quả nào, vì sao anh/chị cho là chưa đúng, anh/chị đề nghị gì (20–2.000 ký tự)."),
    )
    files = MultipleFileField(
        label=_("Tệp kèm theo (không bắt buộc)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("Tối đa 3 tệp PDF, JPEG hoặc PNG, mỗi tệp không quá 5 MB."),
    )

    def clean_files(self):
        uploads = [f for f in self.cleaned_data.get("files") or [] if f]
        if len(uploads) > appeals.MAX_FILES:
            raise forms.ValidationError(_("Mỗi khiếu nại kèm tối đa %(n)d tệp.") % {"n": appeals.MAX_FILES})
        problems = [problem for _kind, problem in map(appeals.attachment_check, uploads) if problem]
        if problems:
            raise forms.ValidationError(problems)
        return uploads


class DecisionForm(CleanTextFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("upheld", _("Chấp nhận khiếu nại")), ("rejected", _("Không chấp nhận"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Lý do kết luận"),
        max_length=appeals.DECISION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Người khiếu nại nhận được lý do này."),
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False,
        choices=[("", _("Tất cả")), ("open", _("Đang chờ giải quyết")), ("decided", _("Đã giải quyết"))],
    )  # fmt: skip
    part = forms.ChoiceField(label=_("Phần thi"), required=False, choices=[("", _("Cả hai phần")), *appeals.Part.choices])
    round = forms.ChoiceField(label=_("Tuần thi / vòng chấm"), required=False)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", _("Tất cả")), *rounds]
