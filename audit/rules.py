"""Who may check results: the audit app's permissions."""

import rules

from accounts.rules import is_office, is_secretariat

rules.add_perm("audit.view_decisions", is_office)  # the decision log and its export
rules.add_perm("audit.view_integrity", is_office)  # the integrity review
rules.add_perm("audit.decide_integrity", is_secretariat)  # a decision on an integrity case
rules.add_perm("audit.view_appeals", is_office)  # the appeals, each with its result and attachments
rules.add_perm("audit.decide_appeal", is_office)  # upholding or rejecting an appeal


@rules.predicate
def is_appellant(user, appeal) -> bool:
    return bool(user and user.is_authenticated and appeal is not None and appeal.appellant_id == user.pk)


@rules.predicate
def can_download_appeal_file(user, appeal_file) -> bool:
    """An appeal's attachment: its appellant and the office; anyone else gets a 404."""
    return appeal_file is not None and (is_appellant(user, appeal_file.appeal) or is_office(user))


rules.add_perm("audit.download_appeal_file", can_download_appeal_file)
