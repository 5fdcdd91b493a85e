"""manage.py lighthouse_pages: the pages scripts/lighthouse.sh audits, each opened with the
session cookie it prints, must be the real page of that role (200, no redirect to a login): on the
seeded demo, in tests/test_demo.py."""

import io

import pytest
from django.core.management import CommandError, call_command


def test_lighthouse_pages_needs_the_demo(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("lighthouse_pages", "--force", stdout=io.StringIO())
