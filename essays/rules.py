"""Who sees what in the writing contest: one predicate per role and object.

Every essays view, download and export asks these; nobody re-derives them. The roles:

- the author (the submitter of the essay) sees their own essay, its authors and files;
- a co-author (`is_coauthor`: their verified sign-in number is listed for an author) may appeal
  the essay's result, and nothing more;
- the secretariat and the organizers see every essay with its authors, files and contacts;
- a judge sees only the essays of their own sheets (not conflicted), always blind: a projection
  without authors (`essays.selectors.blind_essay_for_judge`) and blind copies of the files;
- everyone sees an essay and its authors once it is published — never its files.

Conflicts of interest (`judge_conflicts`) are one rule used when judges are assigned.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import rules
from django.db.models import Q

from accounts.rules import is_judge, is_office, is_organizer

from .enums import SheetStatus

# --- Roles ------------------------------------------------------------------------------------------


@rules.predicate
def is_author(user, essay) -> bool:
    """The submitter: the person who sent the essay and speaks for its authors."""
    return bool(user.is_authenticated and essay is not None and essay.submitter_id == user.pk)


@rules.predicate
def is_coauthor(user, essay) -> bool:
    """An author listed on the essay other than through the submitter's account: a signed-in
    person whose sign-in number, proved by an SMS code, is the phone the submitter gave for one of
    the essay's authors. A co-author may appeal the essay's published result (audit.appeals);
    the essay itself stays the submitter's to edit and read before publication. One query unless
    the authors are prefetched."""
    phone = getattr(user, "phone", None)
    if not (user.is_authenticated and essay is not None and phone and getattr(user, "phone_verified", False)):
        return False
    return any(author.phone == phone for author in essay.authors.all())


def coauthor_filter(user, prefix: str = "") -> Q:
    """The same rule as a filter: the essays (under `prefix`, e.g. "essay__") with an author
    listed with this person's verified sign-in number; matches nothing without one."""
    phone = getattr(user, "phone", None)
    if not (getattr(user, "is_authenticated", False) and phone and getattr(user, "phone_verified", False)):
        return Q(pk__in=[])
    return Q(**{f"{prefix}authors__phone": phone})


# The secretariat and the organizers (a superuser counts as both).
is_essay_staff = is_office


@rules.predicate
def is_published(essay) -> bool:
    return essay is not None and essay.published_at is not None


@rules.predicate
def is_judge_of(user, essay) -> bool:
    """A judge with a sheet for the essay that they have not returned as a conflict. One query."""
    if essay is None or not is_judge(user):
        return False
    from .models import Assignment

    return Assignment.objects.filter(judge=user, essay_id=essay.pk).exclude(status=SheetStatus.CONFLICT).exists()


# --- Essays -----------------------------------------------------------------------------------------


@rules.predicate
def can_view_essay(user, essay) -> bool:
    """The text of an essay: public once published; before that its author, the staff, and the
    judges of its sheets (who only ever get the blind projection)."""
    return is_published(essay) or is_author(user, essay) or is_essay_staff(user) or is_judge_of(user, essay)


@rules.predicate
def can_see_authors(user, essay) -> bool:
    """Names, units and phones of the authors, the submitter's e-mail. Never through a judge's
    sheet; on the public pages only after publication."""
    return is_published(essay) or is_author(user, essay) or is_essay_staff(user)


@rules.predicate
def can_see_contacts(user, essay) -> bool:
    """Phones and e-mail addresses: the author and the staff, never the public."""
    return is_author(user, essay) or is_essay_staff(user)


@rules.predicate
def can_screen(user) -> bool:
    """Eligibility screening (vòng sơ loại) and the staff's lists of essays."""
    return is_essay_staff(user)


@rules.predicate
def can_amend_rubric(user) -> bool:
    """«Sửa tiêu chí chấm» of a scored round (essays.judging.rubric_amend): organizers only."""
    return is_organizer(user)


@rules.predicate
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
    if essay_file is None:
        return None
    essay = essay_file.essay
    if is_author(user, essay) or is_essay_staff(user):
        return FileAccess.FULL
    if is_judge_of(user, essay):
        return FileAccess.BLIND
    return None


@rules.predicate
def can_download_file(user, essay_file) -> bool:
    """Whether `file_access` lets the user have the attachment at all (in full or blind)."""
    return file_access(user, essay_file) is not None


# --- Judging ----------------------------------------------------------------------------------------


@rules.predicate
def can_score(user, assignment) -> bool:
    """The judge of the sheet, unless they returned it as a conflict of interest."""
    return bool(
        user.is_authenticated
        and assignment is not None
        and assignment.judge_id == user.pk
        and assignment.status != SheetStatus.CONFLICT
        and is_judge(user)
    )


@rules.predicate
def can_undo_conflict(user) -> bool:
    """Undoing a judge's declared conflict of interest (essays.judging.conflict_undo, which also
    refuses the judge of the sheet): organizers only."""
    return is_organizer(user)


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


# --- Permissions (the essays app's; docs/architecture.md lists them) ----------------------------------

rules.add_perm("essays.screen", can_screen)  # the staff's list of essays and screening
rules.add_perm("essays.export_essays", can_export_essays)  # the workbook of essays, the book
rules.add_perm("essays.publish_essay", is_organizer)  # publishing and unpublishing an essay
rules.add_perm("essays.amend_rubric", can_amend_rubric)  # «Sửa tiêu chí chấm» of a scored round
rules.add_perm("essays.judge", is_judge)  # the judge's queue and sheets (which sheets: can_score)
rules.add_perm("essays.manage_judging", is_office)  # a judging round's page: progress, results
rules.add_perm("essays.run_judging", is_organizer)  # a judging round's actions: fill, assign, advance
rules.add_perm("essays.reopen_sheet", is_organizer)  # reopening a submitted sheet (admin)
rules.add_perm("essays.undo_conflict", can_undo_conflict)  # undoing a judge's declared conflict
rules.add_perm("essays.read_essay", can_view_essay)  # one essay's text
rules.add_perm("essays.see_authors", can_see_authors)  # one essay's authors
rules.add_perm("essays.see_contacts", can_see_contacts)  # their phones and e-mails
rules.add_perm("essays.download_file", can_download_file)  # an attachment (how: file_access)
rules.add_perm("essays.score_sheet", can_score)  # scoring one sheet
rules.add_perm("essays.manage_votes", is_office)  # «Bình chọn» for the office: windows, counts
rules.add_perm("essays.draft_vote_prize", is_organizer)  # drafting «Giải bình chọn»
