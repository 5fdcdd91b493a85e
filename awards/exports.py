"""The prize list workbook: the prizes that count of each round (one sheet per round), and for
the secretariat the winners' details for the award and a sheet of the essay prizes."""

import datetime

from openpyxl import Workbook

from accounts.selectors import organization_labels
from contests.printing import print_title
from quiz.enums import PrizeStatus, RoundKind
from quiz.models import Prize, Round
from reports.exports import DURATION, _Sheet

from .models import VOTE_TIER, WinnerDetails, tier_label
from .winner_details import FIELDS, details_for_staff

# What winners sent for the award (awards.winner_details): for the secretariat only.
DETAIL_COLUMNS = [("Số CCCD", 16, "text"), ("Ngày sinh", 12, "text"), ("Địa chỉ thường trú", 40, "text"),
                  ("Số tài khoản", 20, "text"), ("Ngân hàng", 30, "text"), ("Chủ tài khoản", 28, "text")]  # fmt: skip


def _details_cells(plain: dict | None) -> list:
    return [(plain or {}).get(name, "") for name in FIELDS]


_DETAIL_KEYS = {"quiz": "prize", "essay": "essay_prize", "vote": "vote_prize"}


def _winner_details(prizes, *, part: str, viewer) -> dict:
    """The plain details of these prizes (of one part: quiz, essay, vote) by prize id, each look
    logged for `viewer`."""
    key = _DETAIL_KEYS[part]
    rows = list(WinnerDetails.objects.filter(**{f"{key}__in": [p.pk for p in prizes]})) if prizes else []
    plain = details_for_staff(details=rows, viewer=viewer, where="export") if rows else {}
    return {getattr(r, f"{key}_id"): plain[r.pk] for r in rows}


def winners_workbook(target, *, contest, round_id=None, verified_only: bool = False, details_viewer=None) -> int:
    """The prize list of each round (one sheet per round), with the contact details the
    secretariat needs to verify winners with their units. Only prizes that count (a winner found
    not valid is left out, as in every figure). With `details_viewer` (a member of the
    secretariat: the caller checks `rules.can_see_winner_details`), each winner's details for
    the award follow, every look logged, and the essay prizes get a sheet of their own."""
    workbook = Workbook(write_only=True)
    extra = DETAIL_COLUMNS if details_viewer else []
    rounds = Round.objects.filter(contest=contest, kind=RoundKind.WEEKLY).order_by("number")
    if round_id:
        rounds = rounds.filter(pk=round_id)
    count = 0
    for round in rounds:
        heading = print_title(contest.name, round.name, "Danh sách giải")
        sheet = _Sheet(workbook, round.name, [("Hạng", 8, None), ("Giải", 18, "text"), ("Họ và tên", 28, "text"),
                                              ("Đơn vị", 45, "text"), ("Điện thoại", 14, "text"), ("E-mail", 30, "text"),
                                              ("Điểm", 8, None), ("Thời gian", 12, DURATION), ("Xác minh", 16, "text"),
                                              ("Ghi chú", 30, "text"), *extra], heading=heading)  # fmt: skip
        prizes = (
            Prize.objects.valid()
            .filter(round=round, **({"status": PrizeStatus.VERIFIED} if verified_only else {}))
            .select_related("user__profile", "entry__best_attempt__organization")
            .order_by("rank")
        )
        prizes = list(prizes)
        units = organization_labels(p.entry.best_attempt.organization for p in prizes)
        sent = _winner_details(prizes, part="quiz", viewer=details_viewer) if details_viewer else {}
        for p in prizes:
            profile = getattr(p.user, "profile", None)
            sheet.append([p.rank, p.get_tier_display(), p.user.full_name, units[p.entry.best_attempt.organization_id],
                          profile.phone if profile else "", p.user.email, p.entry.score,
                          datetime.timedelta(milliseconds=p.entry.duration_ms), p.get_status_display(), p.note,
                          *(_details_cells(sent.get(p.pk)) if details_viewer else [])])  # fmt: skip
            count += 1
    if details_viewer and not round_id:
        count += _essay_prizes_sheet(workbook, contest=contest, viewer=details_viewer)
    workbook.save(target)
    return count


def _essay_prizes_sheet(workbook, *, contest, viewer) -> int:
    """The writing contest's prizes that count, with the submitter's details for the award; then
    the readers' vote prizes that count (`essays.votes.vote_prizes_counting`), with their votes
    where the jury's prizes have their verdict."""
    from essays.models import EssayPrize
    from essays.votes import vote_prizes_counting

    heading = print_title(contest.name, "Giải bài viết")
    sheet = _Sheet(workbook, "Giải bài viết", [("Hạng", 8, None), ("Giải", 18, "text"), ("Mã bài", 14, "text"),
                                                ("Tên bài viết", 40, "text"), ("Tác giả", 40, "text"),
                                                ("Người gửi", 28, "text"), ("E-mail", 30, "text"),
                                                ("Xác minh", 16, "text"), *DETAIL_COLUMNS], heading=heading)  # fmt: skip
    prizes = list(
        EssayPrize.objects.valid().filter(essay__phase__contest=contest)
        .select_related("essay__submitter").prefetch_related("essay__authors").order_by("rank")
    )  # fmt: skip
    sent = _winner_details(prizes, part="essay", viewer=viewer)
    for p in prizes:
        essay = p.essay
        sheet.append([p.rank, p.get_tier_display(), essay.code, essay.title, ", ".join(a.name for a in essay.authors.all()),
                      essay.submitter.full_name, essay.submitter.email, p.get_status_display(),
                      *_details_cells(sent.get(p.pk))])  # fmt: skip
    votes = list(
        vote_prizes_counting(contest=contest).select_related("essay__submitter").prefetch_related("essay__authors")
        .order_by("phase__opens_at", "pk")
    )  # fmt: skip
    sent = _winner_details(votes, part="vote", viewer=viewer)
    for v in votes:
        essay = v.essay
        sheet.append([None, tier_label(VOTE_TIER), essay.code, essay.title, ", ".join(a.name for a in essay.authors.all()),
                      essay.submitter.full_name, essay.submitter.email, f"{v.votes} lượt bình chọn",
                      *_details_cells(sent.get(v.pk))])  # fmt: skip
    return len(prizes) + len(votes)
