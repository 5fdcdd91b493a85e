from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Field, Round


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


class AutosaveForm(forms.Form):
    position = forms.IntegerField(min_value=1)
    index = forms.IntegerField(min_value=0)


class PoolRandomForm(forms.Form):
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.all())
    count = forms.IntegerField(label=_("Số câu"), min_value=1, max_value=500)


class PoolCopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Lấy toàn bộ câu hỏi của tuần"), queryset=Round.objects.none())

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Round.objects.filter(contest=round.contest).exclude(pk=round.pk)


class QuestionImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))
