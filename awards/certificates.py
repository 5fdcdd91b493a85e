"""Certificates: who gets one, issuing them (idempotent, in bulk), whether one still holds, and
the PDF with its QR code.

Who gets one (the rule, in one place):
- **participation**: a contestant with a finished attempt (`Attempt.objects.finished()`, through
  `exports.contest_attempts`: the weekly rounds that count in every figure) in a round where the
  integrity review did not disqualify them;
- **quiz prize**: a valid, verified prize (`Prize.objects.valid()`) of a round whose results are
  published;
- **essay prize**: each author of an essay with a valid, verified prize (`EssayPrize.objects.valid()`)
  once the essay is published; the essay's submitter downloads them.
- **vote prize** («Giải bình chọn»): each author of the essay of a readers' vote prize that counts
  (`essays.votes.vote_prizes_counting`: drafted, the essay still published); the submitter
  downloads them.

A certificate stores the name, unit and tier as they were at issue. It holds as long as the
same rule still says yes (a prize found not valid, or amended to another tier, revokes it:
`certificate_status`), so the public `/verify/<code>/` page always tells the truth."""

import io
import secrets
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.selectors import organization_labels
from contests import cards
from contests.docx_party import signer, vi_date
from contests.enums import PrizeStatus, PrizeTier
from essays.models import EssayAuthor, EssayPrize
from essays.votes import vote_prizes_counting
from quiz.models import Prize, RoundEntry
from reports.exports import contest_attempts

from .models import Certificate

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper comes out right.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: guessing one of even a million codes takes ~10^9 tries
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """A code as typed (lower case, spaces, a dash, O for 0) → as stored; "" if it cannot be one."""
    code = "".join(ch for ch in (raw or "").upper() if ch not in " -").translate(_TYPO)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


# --- who gets one ---------------------------------------------------------------------------


def participation_attempts(*, contest):
    """The finished attempts that earn a participation certificate."""
    disqualified = RoundEntry.objects.filter(round=OuterRef("round"), user=OuterRef("user"), disqualified=True)
    return contest_attempts(contest=contest).exclude(Exists(disqualified))


def published_quiz_prizes(*, contest):
    return Prize.objects.valid().filter(
        round__contest=contest, status=PrizeStatus.VERIFIED, round__results_published_at__isnull=False
    )


def published_essay_prizes(*, contest):
    return EssayPrize.objects.valid().filter(
        essay__phase__contest=contest, status=PrizeStatus.VERIFIED, essay__published_at__isnull=False
    )


@dataclass
class Wanted:
    """One certificate the rule asks for: the unique key and what is printed on it."""

    key: tuple
    fields: dict


def wanted_certificates(*, contest) -> list[Wanted]:
    """Every certificate the contest's data asks for today (a handful of queries)."""
    wanted = []
    latest: dict[int, tuple] = {}  # a participant's unit: the one of their latest finished attempt
    rows = participation_attempts(contest=contest).order_by("finished_at", "pk")
    for user_id, name, organization in rows.values_list("user_id", "user__full_name", "organization").iterator(2000):
        latest[user_id] = (name, organization)
    units = _labels({o for _n, o in latest.values()})
    for user_id, (name, organization) in latest.items():
        wanted.append(
            Wanted(
                (Certificate.Kind.PARTICIPATION, user_id),
                {"user_id": user_id, "holder_name": name, "unit_name": units.get(organization, "")},
            )
        )
    prizes = list(published_quiz_prizes(contest=contest).select_related("user", "round", "entry__best_attempt"))
    units = _labels({p.entry.best_attempt.organization_id for p in prizes})
    for p in prizes:
        wanted.append(
            Wanted(
                (Certificate.Kind.QUIZ_PRIZE, p.pk, p.tier),
                {"user_id": p.user_id, "prize_id": p.pk, "tier": p.tier, "holder_name": p.user.full_name,
                 "unit_name": units.get(p.entry.best_attempt.organization_id, ""), "subject": p.round.name},
            )
        )  # fmt: skip
    authors = list(
        EssayAuthor.objects.filter(essay__prize__in=published_essay_prizes(contest=contest)).select_related("essay__prize")
    )
    votes = {v.essay_id: v for v in vote_prizes_counting(contest=contest)}
    voted = list(EssayAuthor.objects.filter(essay_id__in=list(votes)).select_related("essay")) if votes else []
    units = _labels({a.organization_id for a in authors} | {a.organization_id for a in voted})
    for a in authors:
        prize = a.essay.prize
        wanted.append(
            Wanted(
                (Certificate.Kind.ESSAY_PRIZE, prize.pk, a.pk, prize.tier),
                {"user_id": a.essay.submitter_id, "essay_prize_id": prize.pk, "essay_author_id": a.pk,
                 "tier": prize.tier, "holder_name": a.name, "unit_name": units.get(a.organization_id, ""),
                 "subject": a.essay.title},
            )
        )  # fmt: skip
    for a in voted:
        prize = votes[a.essay_id]
        wanted.append(
            Wanted(
                (Certificate.Kind.VOTE_PRIZE, prize.pk, a.pk),
                {"user_id": a.essay.submitter_id, "vote_prize_id": prize.pk, "essay_author_id": a.pk,
                 "holder_name": a.name, "unit_name": units.get(a.organization_id, ""), "subject": a.essay.title},
            )
        )  # fmt: skip
    return wanted


def _labels(organization_ids) -> dict[int, str]:
    from accounts.models import Organization

    return organization_labels(Organization.objects.filter(pk__in=[i for i in organization_ids if i]).only("pk", "path"))


def _key(cert: Certificate) -> tuple:
    if cert.kind == Certificate.Kind.PARTICIPATION:
        return (cert.kind, cert.user_id)
    if cert.kind == Certificate.Kind.QUIZ_PRIZE:
        return (cert.kind, cert.prize_id, cert.tier)
    if cert.kind == Certificate.Kind.VOTE_PRIZE:
        return (cert.kind, cert.vote_prize_id, cert.essay_author_id)
    return (cert.kind, cert.essay_prize_id, cert.essay_author_id, cert.tier)


# --- issuing --------------------------------------------------------------------------------

BATCH = 500


def certificates_issue(*, contest, progress=None) -> tuple[int, int]:
    """Issue every certificate the rule asks for that is not issued yet, in batches (each its
    own transaction, so a long run shows progress and a crash keeps what was done). Safe to run
    again: an issued certificate keeps its code, name and date. Returns (created, total): total
    is every certificate the rule asks for today.

    `progress(done, to_issue)` counts this run's work only: the certificates missing when it
    started. It used to start at the number already issued out of every certificate wanted, so a
    run adding 20 certificates to 5,000 showed «4.980/5.000» and a full bar before it began."""
    wanted = wanted_certificates(contest=contest)
    have = {_key(c) for c in Certificate.objects.filter(contest=contest)}
    missing = [w for w in wanted if w.key not in have]
    total, to_issue, done, created = len(wanted), len(missing), 0, 0
    if progress:
        progress(done, to_issue)
    now = timezone.now()
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        with transaction.atomic():
            # ignore_conflicts: a run going on at the same time may have issued some of these.
            made = Certificate.objects.bulk_create(
                [Certificate(kind=w.key[0], contest=contest, code=new_code(), issued_at=now, **w.fields) for w in batch],
                ignore_conflicts=True,
            )
        created += len(made)
        done += len(batch)
        if progress:
            progress(done, to_issue)
    return created, total


# --- does it still hold ---------------------------------------------------------------------


def with_status(certificates: list[Certificate]) -> list[Certificate]:
    """Set `valid` on each certificate: whether the rule that issued it still says yes (two
    queries for any number of certificates, when their prizes are select_related)."""
    participation = [c for c in certificates if c.kind == Certificate.Kind.PARTICIPATION]
    eligible = set()
    for contest_id in {c.contest_id for c in participation}:
        users = [c.user_id for c in participation if c.contest_id == contest_id]
        eligible |= {
            (contest_id, u)
            for u in participation_attempts(contest=contest_id).filter(user_id__in=users).values_list("user_id", flat=True)
        }
    for c in certificates:
        if c.kind == Certificate.Kind.PARTICIPATION:
            c.valid = (c.contest_id, c.user_id) in eligible
        elif c.kind == Certificate.Kind.QUIZ_PRIZE:
            p = c.prize
            c.valid = bool(
                p and p.status == PrizeStatus.VERIFIED and p.tier == c.tier and p.round.results_published_at is not None
            )
        elif c.kind == Certificate.Kind.VOTE_PRIZE:  # the rule of essays.votes.vote_prizes_counting
            p = c.vote_prize
            c.valid = bool(p and c.essay_author_id and p.essay.published_at)
        else:
            p = c.essay_prize
            c.valid = bool(
                p and c.essay_author_id and p.status == PrizeStatus.VERIFIED and p.tier == c.tier and p.essay.published_at
            )
    return certificates


def certificates_query():
    return Certificate.objects.select_related("contest", "prize__round", "essay_prize__essay", "vote_prize__essay")


def certificate_by_code(code: str) -> Certificate | None:
    cert = certificates_query().filter(code=code).first() if code else None
    return with_status([cert])[0] if cert else None


def certificates_for_user(*, user, contest) -> list[Certificate]:
    return with_status(list(certificates_query().filter(user=user, contest=contest)))


# --- what it says ---------------------------------------------------------------------------


def certifies(cert: Certificate) -> str:
    """What a certificate certifies, in one sentence (the PDF and the verify page)."""
    tier = PrizeTier(cert.tier).label if cert.tier else ""
    if cert.kind == Certificate.Kind.QUIZ_PRIZE:
        return _("Đạt %(tier)s phần thi trắc nghiệm trực tuyến, %(round)s.") % {"tier": tier, "round": cert.subject}
    if cert.kind == Certificate.Kind.ESSAY_PRIZE:
        return _("Đạt %(tier)s phần thi viết với tác phẩm «%(title)s».") % {"tier": tier, "title": cert.subject}
    if cert.kind == Certificate.Kind.VOTE_PRIZE:
        return _("Đạt Giải bình chọn của bạn đọc, phần thi viết, với tác phẩm «%(title)s».") % {"title": cert.subject}
    return _("Đã tham gia phần thi trắc nghiệm trực tuyến của cuộc thi.")


def verify_url(code: str, request=None) -> str:
    """The address in the QR code: SITE_URL when set, else the address the request came in on."""
    path = reverse("certs:verify", args=[code])
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path) if request is not None else path


# --- the PDF --------------------------------------------------------------------------------

FONT_DIR = cards.FONT_DIR  # the Noto Serif the share cards draw with too
_fonts_ready = False


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("NotoSerif", str(FONT_DIR / "NotoSerif-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("NotoSerif-Bold", str(FONT_DIR / "NotoSerif-Bold.ttf")))
    _fonts_ready = True


RED, GOLD = "#9b1c1c", "#b8860b"


def certificate_pdf(cert: Certificate, *, url: str) -> bytes:
    """An A4 landscape page: who, what, which contest, when, and a QR code to `url`. Every text
    from the database is escaped for reportlab's markup; the fonts are embedded (subsets)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph

    _register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    with override("vi"):
        pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=True, initialFontName="NotoSerif")
        pdf.setTitle(_("Giấy chứng nhận %(code)s") % {"code": display_code(cert.code)})
        pdf.setAuthor(cert.contest.organizer_name or cert.contest.name)
        pdf.setStrokeColor(colors.HexColor(RED))
        pdf.setLineWidth(4)
        pdf.rect(24, 24, width - 48, height - 48)
        pdf.setStrokeColor(colors.HexColor(GOLD))
        pdf.setLineWidth(1.2)
        pdf.rect(34, 34, width - 68, height - 68)

        def centered(text: str, y: float, *, size: float, bold=False, color="#111111", leading=None) -> float:
            style = ParagraphStyle(
                "c", fontName="NotoSerif-Bold" if bold else "NotoSerif", fontSize=size,
                leading=leading or size * 1.3, alignment=TA_CENTER, textColor=colors.HexColor(color),
            )  # fmt: skip
            paragraph = Paragraph(escape(text), style)
            _w, h = paragraph.wrap(width - 180, height)
            paragraph.drawOn(pdf, 90, y - h)
            return y - h

        y = height - 66
        if cert.contest.organizer_name:
            y = centered(cert.contest.organizer_name.upper(), y, size=13, bold=True) - 26
        y = centered(_("GIẤY CHỨNG NHẬN"), y, size=36, bold=True, color=RED) - 14
        y = centered(cert.contest.name, y, size=15, bold=True) - 30
        y = centered(_("Chứng nhận"), y, size=14) - 8
        y = centered(cert.holder_name, y, size=28, bold=True, color=RED) - 8
        if cert.unit_name:
            y = centered(_("Đơn vị: %(unit)s") % {"unit": cert.unit_name}, y, size=13) - 18
        y = centered(certifies(cert), y, size=16, bold=cert.kind != Certificate.Kind.PARTICIPATION) - 10

        issued = timezone.localtime(cert.issued_at)
        date = _("Ngày %(d)s tháng %(m)s năm %(y)s") % {"d": issued.day, "m": issued.month, "y": issued.year}
        if cert.contest.doc_place:  # «Yên Bái, ngày 08 tháng 12 năm 2026», as the contest's documents date themselves
            date = f"{cert.contest.doc_place}, {vi_date(issued.date())}"
        pdf.setFillColor(colors.HexColor("#111111"))
        # The signature block of the contest's documents (contests.docx_party.signer): who signs,
        # their title, room for the signature and seal, the name; the organizers when unset.
        authority, title, name = signer(cert.contest)
        lines = [line for line in (authority, title) if line] or [_("BAN TỔ CHỨC CUỘC THI")]
        pdf.setFont("NotoSerif", 12)
        y_sign = 172
        pdf.drawCentredString(width - 210, y_sign, date)
        pdf.setFont("NotoSerif-Bold", 13)
        for line in lines:
            y_sign -= 18
            pdf.drawCentredString(width - 210, y_sign, line)
        if name:
            pdf.drawCentredString(width - 210, 56, name)

        size = 104
        qr = QrCodeWidget(url, barLevel="M")
        x0, y0, x1, y1 = qr.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(qr)
        renderPDF.draw(drawing, pdf, 60, 66)
        pdf.setFont("NotoSerif", 9)
        pdf.drawString(174, 128, _("Mã xác minh: %(code)s") % {"code": display_code(cert.code)})
        pdf.drawString(174, 114, _("Kiểm tra tại:"))
        pdf.drawString(174, 101, url)
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()
