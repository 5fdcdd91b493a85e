"""The password policy knows Vietnamese common passwords (accounts.passwords), beside Django's."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User

REFUSED = ["matkhau123", "Matkhau@2024", "mậtkhẩu123", "123456a@", "anhyeuem", "AnhYeuEm2025!", "iloveyou",
           "vietnam2024", "Hanoi@123", "saigon123", "123anhyeuem", "cuocthi2026", "Aa@123456"]  # fmt: skip
ACCEPTED = ["DemoPass123!", "Chibo-KieuMau-2026", "Mat-Khau-Moi-2026", "Sông Hồng chảy mãi 1945"]


@pytest.mark.parametrize("password", REFUSED)
def test_vietnamese_common_passwords_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "password_too_common" in [e.code for e in refused.value.error_list]


@pytest.mark.parametrize("password", ACCEPTED)
def test_the_demo_and_real_passwords_still_pass(password):
    validate_password(password)


@pytest.mark.django_db
def test_signup_with_matkhau123_is_refused_in_vietnamese_and_sends_nothing(sms_outbox):
    data = {"phone": "0912000321", "password1": "matkhau123", "password2": "matkhau123", "consent": "on"}

    response = Client().post(reverse("account_signup"), data)

    assert response.status_code == 200
    assert "Mật khẩu này quá phổ biến" in response.content.decode()
    assert not User.objects.filter(phone="0912000321").exists()
    assert sms_outbox == []
