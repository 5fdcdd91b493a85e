"""«Sao chép cuộc thi»: next year's draft made from this year's contest.

What is copied is the contest's *plan*: its texts, pages, reference documents (the new row points
at the same stored file: documents are public and never edited in place, so a second copy would
only double the storage; replacing one uploads a new file), FAQ, the rounds with their dates
shifted, limits, policies, prize plans and blueprints, the essay phases, their judging rounds
and rubrics. Never copied: questions (pools are drawn anew from the bank), seals, attempts,
entries, prizes, essays, judges (panels), decisions — nothing about a person.

This module is the frame: the one transaction, the shift of every date, the contest's own
fields, documents and FAQ. Each part of a contest declares what it copies in the module its
AppConfig names in `contest_copy` (`contest_copy = "quiz.copying"`, the way `personal_data`
declares a person's data), so contests imports neither part:

    PARTS: list[Part]
        each model the part copies, every concrete field classified: copied as it is, shifted
        (a time moved by the copy's delta) or left out;
    copy(*, source, contest, shift) -> None
        copy the part's plan of `source` into the new draft `contest`; `shift(moment)` moves a
        time by the copy's delta.

`tests/contests/test_every_contest.py` holds every concrete field of every declared model to be
either copied or named as left out, so a field added later is classified on purpose."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from .enums import ContestStatus
from .models import FAQ, Contest, ReferenceDocument


@dataclass(frozen=True)
class Part:
    """How one model of a contest's plan is copied."""

    model: type
    copied: list[str]
    shifted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


CONTEST_FIELDS = [
    "theme", "organizer_name", "summary", "rules", "hotline", "contact_email", "contact_address",
    # The document format of the summary report (the issuing body, signer, recipients)
    "doc_superior_body", "doc_issuing_body", "doc_symbol", "doc_place", "doc_signer_authority", "doc_signer_title",
    "doc_signer_name", "doc_recipients",
    "appeal_days",  # the window of appeals after a publication
]  # fmt: skip
CONTEST_SET = ["name", "slug", "starts_on", "ends_on", "status"]  # given by the organizer or derived
CONTEST_LEFT = ["id", "created_at", "updated_at", "doc_number"]  # a new report gets its own number

DOCUMENT_FIELDS = ["title", "description", "file", "sort_order"]
DOCUMENT_LEFT = ["id", "contest", "created_at"]
FAQ_FIELDS = ["question", "answer", "sort_order"]
FAQ_LEFT = ["id", "contest"]

PARTS = [
    Part(Contest, CONTEST_FIELDS + CONTEST_SET, left=CONTEST_LEFT),
    Part(ReferenceDocument, DOCUMENT_FIELDS, left=DOCUMENT_LEFT),
    Part(FAQ, FAQ_FIELDS, left=FAQ_LEFT),
]


def values(obj, names) -> dict:
    """The fields `names` of `obj`, to create its copy with."""
    return {name: getattr(obj, name) for name in names}


def part_modules() -> Iterator:
    """The module of each app that declares a part of the copy (its AppConfig's `contest_copy`),
    in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        module = getattr(config, "contest_copy", None)
        if module:
            yield import_module(module)


def parts() -> list[Part]:
    """Every model the copy touches, the contest's own first."""
    return PARTS + [part for module in part_modules() for part in module.PARTS]


def _shift(moment, delta: datetime.timedelta):
    """The same wall-clock time `delta` days later (a round opening Monday 8:00 opens at 8:00)."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return timezone.make_aware(local.replace(tzinfo=None) + delta)


@transaction.atomic
def contest_copy(*, source: Contest, name: str, slug: str, starts_on: datetime.date) -> Contest:
    """Create a DRAFT contest named `name` at `slug` from `source`, every date moved by
    `starts_on - source.starts_on` (see the module docstring for what is copied). One transaction."""
    delta = datetime.timedelta(days=(starts_on - source.starts_on).days)
    contest = Contest.objects.create(
        name=name, slug=slug, starts_on=starts_on, ends_on=source.ends_on + delta, status=ContestStatus.DRAFT,
        **values(source, CONTEST_FIELDS),
    )  # fmt: skip
    ReferenceDocument.objects.bulk_create(
        ReferenceDocument(contest=contest, **values(d, DOCUMENT_FIELDS)) for d in source.documents.order_by("sort_order", "id")
    )
    FAQ.objects.bulk_create(FAQ(contest=contest, **values(f, FAQ_FIELDS)) for f in source.faqs.order_by("sort_order", "id"))

    shift = partial(_shift, delta=delta)
    for module in part_modules():
        module.copy(source=source, contest=contest, shift=shift)
    return contest


@dataclass(frozen=True)
class CopyProposal:
    """What the copy form proposes: next year's name, a free address, and the day a year later;
    `taken` is the contest already at next year's address (a copy made before), if any."""

    name: str
    slug: str
    starts_on: datetime.date
    taken: Contest | None = None


SLUG_MAX = 50


def copy_proposal(*, source: Contest) -> CopyProposal:
    """Next year's draft as the form first shows it: the year in the name and the address moved
    on (or added), and an address no contest has yet — «-2», «-3» … after it when next year's is
    taken. Two queries."""
    starts_on = next_year(source.starts_on)
    old, new = str(source.starts_on.year), str(starts_on.year)
    name = source.name.replace(old, new) if old in source.name else f"{source.name} {new}"
    base = (source.slug.replace(old, new) if old in source.slug else f"{source.slug}-{new}")[:SLUG_MAX].rstrip("-")
    taken = Contest.objects.filter(slug=base).only("name", "slug").first()
    if taken is None:
        return CopyProposal(name=name, slug=base, starts_on=starts_on)
    stem = base[: SLUG_MAX - 4].rstrip("-")  # room for «-999»
    used = set(Contest.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    n = 2
    while f"{stem}-{n}" in used:
        n += 1
    return CopyProposal(name=name, slug=f"{stem}-{n}", starts_on=starts_on, taken=taken)


def next_year(day: datetime.date) -> datetime.date:
    """The same day a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
