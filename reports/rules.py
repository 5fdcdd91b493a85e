"""Who may see the figures and have a report file: the reports app's permissions (see
essays.rules for the writing contest, awards.rules for certificates and winners' details)."""

import rules

from accounts.rules import is_office, reaches_units


@rules.predicate
def can_download_export(user, job) -> bool:
    """An export workbook (every e-mail and phone): the one who asked for it, the secretariat and
    the organizers."""
    return bool(user.is_authenticated and job is not None and (job.requested_by_id == user.pk or is_office(user)))


rules.add_perm("reports.view_dashboard", is_office)  # the dashboard and the summary report
rules.add_perm("reports.download_report", is_office)  # the workbooks made on request
rules.add_perm("reports.run_export", is_office)  # the export jobs: start, follow, download
rules.add_perm("reports.download_export", can_download_export)  # one export's file
rules.add_perm("reports.view_units", reaches_units)  # the unit pages (which units: accounts.rules.can_manage_unit)
