import io

import pytest
from django.core.management import call_command

from accounts.models import User


@pytest.fixture
def demo(db):
    """The demo contest (seed_demo): a round with attempts, essays, a jury, every role."""
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@example.com")}
