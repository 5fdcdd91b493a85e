"""Reads for the essay contest. The essays issue fills this module in."""


def phases_for_home(*, contest) -> list:
    """The contest's essay phases worth showing on the home page. Until the essay models land
    there are none."""
    return []
