"""Who handles people's data requests: the privacy app's permissions."""

import rules

from accounts.rules import is_office

rules.add_perm("privacy.handle_deletion", is_office)  # the deletion queue and a request's handling
