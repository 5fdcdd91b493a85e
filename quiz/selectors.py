"""Reads for the quiz. The quiz issue fills this module in."""


def rounds_for_home(*, contest, user) -> list:
    """The contest's rounds worth showing on the home page (open now first). Until the quiz
    models land there are none."""
    return []
