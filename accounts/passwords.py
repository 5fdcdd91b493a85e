"""The passwords Vietnamese people choose most, refused beside Django's list of 20,000.

Django's CommonPasswordValidator (kept in AUTH_PASSWORD_VALIDATORS) knows «password» and
«iloveyou» but not «matkhau123» or «anhyeuem». The list here (accounts/data/, one per line,
lowercase and without diacritics) holds those, and each of its entries is refused also with digits
or symbols added before or after it («Matkhau@2024», «123anhyeuem»), typed with or without
diacritics («mậtkhẩu123»): the usual ways of meeting "at least 8 characters with a digit"."""

import string
from functools import cached_property
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contests.sms import unaccented

DEFAULT_LIST = Path(__file__).resolve().parent / "data" / "vietnamese-common-passwords.txt"
_DECORATION = string.digits + string.punctuation + string.whitespace


class VietnameseCommonPasswordValidator:
    def __init__(self, password_list_path=DEFAULT_LIST):
        self.password_list_path = Path(password_list_path)

    @cached_property
    def passwords(self) -> frozenset[str]:
        lines = self.password_list_path.read_text(encoding="utf-8").splitlines()
        return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))

    def is_common(self, password: str) -> bool:
        key = unaccented(password).lower().strip()
        core = key.strip(_DECORATION)
        return key in self.passwords or (core != "" and core in self.passwords)

    def validate(self, password, user=None):
        if self.is_common(password):
            raise ValidationError(
                _("Mật khẩu này quá phổ biến (như «matkhau123», «anhyeuem», «123456a@»), kẻ gian đoán ra dễ dàng; "
                  "vui lòng chọn mật khẩu khác."),
                code="password_too_common",
            )  # fmt: skip

    def get_help_text(self):
        return _("Mật khẩu không được là mật khẩu phổ biến như «matkhau123» hay «anhyeuem», kể cả khi thêm số hoặc ký hiệu.")
