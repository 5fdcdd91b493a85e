"""Who may check results: the audit app's permissions."""

import rules

from accounts.rules import is_office, is_secretariat

rules.add_perm("audit.view_decisions", is_office)  # the decision log and its export
rules.add_perm("audit.view_integrity", is_office)  # the integrity review
rules.add_perm("audit.decide_integrity", is_secretariat)  # a decision on an integrity case
