"""«Tải dữ liệu của tôi»: everything held about a person, gathered from every app's hook
(contests.personal_data) plus the decisions about them, written as JSON or as a workbook.
The collector lives here, above every app that holds personal data; the apps only declare what
they hold."""

import json

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.privacy import person_objects
from contests.decisions import decision_details, decisions_shown, object_shown
from contests.models import Decision
from contests.personal_data import Section, When, hooks, when
from contests.printing import print_title, sheet_print_setup
from contests.text import excel_text


def person_data(*, user) -> list[Section]:
    """Every section every app declares about `user`, then the decisions about them."""
    sections: list[Section] = []
    for hook in hooks("personal_data_export"):
        sections.extend(hook(user=user))
    sections.append(_decisions(user))
    return sections


def _decisions(user) -> Section:
    objects = person_objects(user=user)
    rows = []
    if any(objects.values()):
        query = None
        for label, ids in objects.items():
            if ids:
                part = Q(object_type=label, object_id__in=ids)
                query = part if query is None else query | part
        for d in decisions_shown(Decision.objects.filter(query)).order_by("at", "id"):
            rows.append({
                _("Thời điểm"): when(d.at), _("Quyết định"): d.get_action_display(), _("Đối tượng"): object_shown(d),
                _("Lý do"): d.reason, _("Chi tiết"): "; ".join(f"{k}: {v}" for k, v in decision_details(d)),
            })  # fmt: skip
    return Section("decisions", _("Quyết định liên quan"), rows)


def _plain(value):
    return value if isinstance(value, bool | int | float) or value is None else str(value)


def person_data_json(sections: list[Section]) -> bytes:
    data = {s.key: {"title": str(s.title), "rows": [{str(k): _plain(v) for k, v in r.items()} for r in s.rows]} for s in sections}
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def shown(value):
    """A value of a person's data as the workbook shows it to that person: «Có» / «Không» for a
    yes or no, a date and time as «07/12/2026 09:30:05» (the JSON file keeps true/false and
    ISO 8601 for programs), numbers as numbers, the rest as text."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | float):
        return value
    if isinstance(value, When):
        return value.shown()
    return excel_text(value)


def person_data_workbook(target, sections: list[Section], *, title: str = "") -> None:
    """One sheet per section, a bold header row, values in people's words (`shown`); every text
    cell through excel_text (never a formula, never a character openpyxl refuses); each sheet
    prints (contests.printing) with `title` in its page header."""
    workbook = Workbook(write_only=True)
    for section in sections:
        sheet = workbook.create_sheet(excel_text(section.title)[:31])
        columns = list(section.rows[0].keys()) if section.rows else [_("Không có dữ liệu")]
        widths = [min(60, max(12, len(str(c)) + 4)) for c in columns]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet_print_setup(sheet, title=print_title(title, section.title), widths=widths)
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=excel_text(name))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in section.rows:
            sheet.append([shown(v) for v in row.values()])
    workbook.save(target)
