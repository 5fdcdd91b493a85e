"""What verify_results found: the differences, grouped by contest and by round, and what was
checked (the counts of the summary line)."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A tampered key file or a wrong rule can make thousands of lines; the first ones of each group
# say what is wrong, the count says how much.
MAX_LINES_PER_GROUP = 40


def number(n: int) -> str:
    """A count the Vietnamese way (9.020)."""
    return f"{n:,}".replace(",", ".")


@dataclass
class Report:
    # (contest label, section label) -> messages, in the order found
    groups: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    checked: Counter = field(default_factory=Counter)
    # What could not be checked (a backfilled seal, a decision older than its fingerprint):
    # said, never counted as a difference.
    notes: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, contest: str, section: str, message: str) -> None:
        self.groups.setdefault((contest, section), []).append(message)

    def note(self, contest: str, section: str, message: str) -> None:
        self.notes.setdefault((contest, section), []).append(message)

    def note_lines(self) -> list[str]:
        return [
            f"{contest} — {section}: {message}" for (contest, section), messages in self.notes.items() for message in messages
        ]

    @property
    def differences(self) -> int:
        return sum(len(messages) for messages in self.groups.values())

    @property
    def ok(self) -> bool:
        return not self.groups

    def messages(self) -> list[str]:
        """Every difference, flat (for tests and for a caller that wants them all)."""
        return [message for messages in self.groups.values() for message in messages]

    def lines(self) -> list[str]:
        """The readable difference: a heading per contest, a sub-heading per round or part."""
        out, current = [], None
        for (contest, section), messages in self.groups.items():
            if contest != current:
                out.append(contest)
                current = contest
            out.append(f"  {section}")
            out += [f"    - {message}" for message in messages[:MAX_LINES_PER_GROUP]]
            if len(messages) > MAX_LINES_PER_GROUP:
                more = len(messages) - MAX_LINES_PER_GROUP
                out.append(
                    "    " + ngettext("… và %(n)s chênh lệch khác.", "… và %(n)s chênh lệch khác.", more) % {"n": number(more)}
                )
        return out

    def what(self) -> str:
        c = self.checked
        return _(
            "%(contests)s cuộc thi, %(rounds)s tuần thi (%(seals)s tệp niêm phong), %(attempts)s bài thi, "
            "%(answers)s câu trả lời, %(receipts)s biên nhận, %(commitments)s mã kết quả, %(entries)s kết quả thí sinh, "
            "%(prizes)s giải tuần, %(units)s đơn vị, %(judging)s vòng chấm, %(essay_prizes)s giải bài viết"
        ) % {name: number(c[name]) for name in (
            "contests", "rounds", "seals", "attempts", "answers", "receipts", "commitments", "entries", "prizes", "units",
            "judging", "essay_prizes",
        )}  # fmt: skip

    def summary(self) -> str:
        if self.ok:
            return _("Khớp: %(what)s.") % {"what": self.what()}
        return ngettext(
            "Không khớp: %(n)s chênh lệch (đã kiểm tra %(what)s).",
            "Không khớp: %(n)s chênh lệch (đã kiểm tra %(what)s).",
            self.differences,
        ) % {"n": number(self.differences), "what": self.what()}
