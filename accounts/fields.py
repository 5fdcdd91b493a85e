from django import forms
from django.utils.translation import gettext_lazy as _

from .phone import normalize_phone


class VietnamesePhoneField(forms.CharField):
    """A mobile number typed as people type it (0912 345 678, +84 912…), cleaned to 0XXXXXXXXX by
    accounts.phone.normalize_phone; a bad number gets its Vietnamese message. allauth asks the
    adapter for this field on every form with a number (sign-up, sign-in, sign-in by code)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Số điện thoại di động"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "0912 345 678"}),
        )
        kwargs.setdefault("error_messages", {"required": _("Vui lòng nhập số điện thoại di động.")})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value
