from django import forms
from django.utils.translation import gettext_lazy as _

from .cleaning import CleanTextFormMixin, validate_line
from .models import Contest


class ContestCopyForm(CleanTextFormMixin, forms.Form):
    """The confirmation of «Sao chép cuộc thi»: the new contest's name, address and first day
    (every date of the copy moves by the same number of days)."""

    name = forms.CharField(label=_("Tên cuộc thi mới"), max_length=255, validators=[validate_line])
    slug = forms.SlugField(
        label=_("Đường dẫn"), max_length=50, help_text=_("Chữ không dấu, số và dấu gạch ngang, ví dụ cuoc-thi-2027.")
    )
    starts_on = forms.DateField(
        label=_("Ngày bắt đầu"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Mọi mốc thời gian của tuần thi, đợt nhận bài, hạn chấm được dời theo cùng số ngày."),
    )  # fmt: skip

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Contest.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Đường dẫn này đã được một cuộc thi khác dùng; hãy chọn đường dẫn khác."))
        return slug
