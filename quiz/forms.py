from django import forms
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import Field, ResultShare, Round


def parse_answers(data) -> dict[int, int] | None:
    """The answers of the attempt form: fields q<position> = option index. None when a field
    is malformed (a tampered form)."""
    answers = {}
    for key, value in data.items():
        if not key.startswith("q"):
            continue
        try:
            position, index = int(key[1:]), int(value)
        except (TypeError, ValueError):
            return None
        answers[position] = index
    return answers


class PredictionForm(forms.Form):
    prediction = forms.IntegerField(
        label=_("Dự đoán: tuần này có bao nhiêu người đạt điểm tuyệt đối?"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        error_messages={"invalid": _("Dự đoán phải là một số nguyên không âm.")},
    )


class ShareForm(forms.Form):
    """How a contestant shares a published result: the name as shown, and whether the score is."""

    name_shown = forms.ChoiceField(
        label=_("Tên hiện trên trang chia sẻ"), choices=ResultShare.NameShown.choices, widget=forms.RadioSelect,
        initial=ResultShare.NameShown.FULL,
    )  # fmt: skip
    show_score = forms.BooleanField(label=_("Hiện điểm của tôi"), required=False, initial=True)


class AutosaveForm(forms.Form):
    position = forms.IntegerField(min_value=1)
    index = forms.IntegerField(min_value=0)


class FieldWithUnusedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s — còn %(n)d câu chưa dùng, %(m)d câu đã dùng ở tuần trước") % {
            "name": obj.name, "n": obj.unused, "m": obj.earlier,
        }  # fmt: skip


def _count_per_field(queryset):
    rows = queryset.filter(field=OuterRef("pk")).order_by().values("field")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def fields_with_pool_counts(*, round: Round):
    """Every field with `unused` and `earlier`: how many questions «add N random» can draw from
    each source (one query)."""
    from .services.pool import earlier_questions, unused_questions

    return Field.objects.annotate(
        unused=_count_per_field(unused_questions(round=round)), earlier=_count_per_field(earlier_questions(round=round))
    ).order_by("sort_order", "name")


class PoolRandomForm(forms.Form):
    field = FieldWithUnusedChoice(label=_("Lĩnh vực"), queryset=Field.objects.none())
    source = forms.ChoiceField(
        label=_("Lấy từ"),
        choices=[("unused", _("câu chưa dùng ở tuần nào")), ("earlier", _("câu đã dùng ở các tuần trước"))],
        initial="unused",
        required=False,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(label=_("Số câu"), min_value=1, max_value=500)

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = fields_with_pool_counts(round=round)

    def clean_source(self):
        return self.cleaned_data.get("source") or "unused"


class PoolCopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Lấy toàn bộ câu hỏi của tuần"), queryset=Round.objects.none())

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Round.objects.filter(contest=round.contest).exclude(pk=round.pk)


# A workbook, or a zip of one with its images: under the request cap (REQUEST_MAX_BODY_SIZE,
# 12 MB). A larger bank with images goes in through `import_questions` (quiz.package's caps).
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class QuestionImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx), hoặc tệp .zip gồm tệp Excel và các ảnh"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn: tối đa 10 MB."))
        return upload


class QuestionImportConfirmForm(forms.Form):
    """The confirm step of the import: the token of the file kept on the server since the
    preview, and the new fields the organizer agrees to create (every one must be ticked)."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    create_fields = forms.MultipleChoiceField(label=_("Tạo lĩnh vực mới"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, new_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.new_fields = [name for name, _close in new_fields]
        self.fields["create_fields"].choices = [
            (name, _("Tạo lĩnh vực mới: «%(name)s»") % {"name": name}
             + (_(" (gần giống «%(close)s» đã có)") % {"close": close} if close else ""))
            for name, close in new_fields
        ]  # fmt: skip

    def clean_create_fields(self):
        ticked = set(self.cleaned_data["create_fields"])
        missing = [name for name in self.new_fields if name not in ticked]
        if missing:
            raise forms.ValidationError(
                _(
                    "Tệp có lĩnh vực chưa có trong ngân hàng: %(names)s. Đánh dấu «Tạo lĩnh vực mới» cho từng lĩnh vực "
                    "nếu đúng là lĩnh vực mới, hoặc sửa tên trong tệp rồi chọn lại tệp."
                )
                % {"names": ", ".join(f"«{name}»" for name in missing)}
            )
        return sorted(ticked)
