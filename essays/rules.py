"""Who sees what in the writing contest: one predicate per role and object.

Every essays view, download and export asks these; nobody re-derives them. The roles:

- the author (the submitter of the essay) sees their own essay, its authors and files;
- the secretariat and the organizers see every essay with its authors, files and contacts;
- a judge sees only the essays of their own sheets (not conflicted), always blind: a projection
  without authors (`essays.selectors.blind_essay_for_judge`) and blind copies of the files;
- everyone sees an essay and its authors once it is published — never its files.

Conflicts of interest (`judge_conflicts`) are one rule used when judges are assigned.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from accounts.enums import Role
from accounts.roles import has_role

from .enums import SheetStatus

# --- Roles ------------------------------------------------------------------------------------------


def is_author(user, essay) -> bool:
    """The submitter: the person who sent the essay and speaks for its authors."""
    return bool(user.is_authenticated and essay.submitter_id == user.pk)


def is_essay_staff(user) -> bool:
    """The secretariat and the organizers (a superuser counts as both)."""
    return has_role(user, Role.SECRETARIAT, Role.ORGANIZER)


def is_published(essay) -> bool:
    return essay.published_at is not None


def is_judge_of(user, essay) -> bool:
    """A judge with a sheet for the essay that they have not returned as a conflict. One query."""
    if not has_role(user, Role.JUDGE):
        return False
    from .models import Assignment

    return Assignment.objects.filter(judge=user, essay_id=essay.pk).exclude(status=SheetStatus.CONFLICT).exists()


# --- Essays -----------------------------------------------------------------------------------------


def can_view_essay(user, essay) -> bool:
    """The text of an essay: public once published; before that its author, the staff, and the
    judges of its sheets (who only ever get the blind projection)."""
    return is_published(essay) or is_author(user, essay) or is_essay_staff(user) or is_judge_of(user, essay)


def can_see_authors(user, essay) -> bool:
    """Names, units and phones of the authors, the submitter's e-mail. Never through a judge's
    sheet; on the public pages only after publication."""
    return is_published(essay) or is_author(user, essay) or is_essay_staff(user)


def can_see_contacts(user, essay) -> bool:
    """Phones and e-mail addresses: the author and the staff, never the public."""
    return is_author(user, essay) or is_essay_staff(user)


def can_screen(user) -> bool:
    """Eligibility screening (vòng sơ loại) and the staff's lists of essays."""
    return is_essay_staff(user)


def can_amend_rubric(user) -> bool:
    """«Sửa tiêu chí chấm» of a scored round (essays.judging.rubric_amend): organizers only."""
    return has_role(user, Role.ORGANIZER)


def can_export_essays(user) -> bool:
    """The workbook of every essay (authors, e-mails, phones) and the book of published essays."""
    return is_essay_staff(user)


# --- Files ------------------------------------------------------------------------------------------


class FileAccess(enum.Enum):
    FULL = "full"  # the file as uploaded, under its original name
    BLIND = "blind"  # a copy without document metadata, under a neutral name


def file_access(user, essay_file) -> FileAccess | None:
    """Whether and how `user` may download an attachment (None: not at all; attachments are never
    public). The download (`essays.selectors.get_essay_file`) asks this and nothing else."""
    essay = essay_file.essay
    if is_author(user, essay) or is_essay_staff(user):
        return FileAccess.FULL
    if is_judge_of(user, essay):
        return FileAccess.BLIND
    return None


# --- Judging ----------------------------------------------------------------------------------------


def can_score(user, assignment) -> bool:
    """The judge of the sheet, unless they returned it as a conflict of interest."""
    return bool(
        user.is_authenticated
        and assignment.judge_id == user.pk
        and assignment.status != SheetStatus.CONFLICT
        and has_role(user, Role.JUDGE)
    )


@dataclass(frozen=True)
class JudgeContext:
    """What a conflict of interest is decided on: the judge, the materialized paths of their
    units (the panel's unit and their own profile's) and their phone."""

    user_id: int
    unit_paths: frozenset[str]
    phone: str = ""


def judge_context(user, *, panel_unit=None) -> JudgeContext:
    """Reads `user.profile.organization` (select_related it for a list) and the panel's unit."""
    profile = getattr(user, "profile", None)
    units = [panel_unit, profile.organization if profile is not None else None]
    return JudgeContext(
        user_id=user.pk,
        unit_paths=frozenset(u.path for u in units if u is not None and u.path),
        phone=profile.phone if profile is not None else "",
    )


def units_related(a: str, b: str) -> bool:
    """Either unit is the other or one of its ancestors ("/1/7/" and "/1/7/42/")."""
    return bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))


def essay_unit_paths(essay) -> set[str]:
    """The units an essay belongs to: the unit written about, each author's, the submitter's."""
    units = [essay.subject_organization, *(a.organization for a in essay.authors.all())]
    profile = getattr(essay.submitter, "profile", None)
    if profile is not None:
        units.append(profile.organization)
    return {u.path for u in units if u is not None and u.path}


def judge_conflicts(judge: JudgeContext, essay) -> bool:
    """A judge never judges their own essay (as the submitter, or as an author with their phone)
    nor an essay of a unit in the same branch as one of theirs, upwards or downwards.

    The essay should come with `subject_organization`, `submitter__profile__organization` and
    `authors__organization` loaded, so a whole round is decided without a query per essay."""
    if essay.submitter_id == judge.user_id:
        return True
    if judge.phone and any(a.phone == judge.phone for a in essay.authors.all()):
        return True
    essay_units = essay_unit_paths(essay)
    return any(units_related(mine, theirs) for mine in judge.unit_paths for theirs in essay_units)
