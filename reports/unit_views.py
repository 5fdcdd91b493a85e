"""Unit officers' pages (cán bộ phụ trách đơn vị): their units' participation this week and
over the contest, and the people who have not taken part yet. Organizers and the secretariat
open any unit; an officer only their own subtrees (accounts.rules, one predicate)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.enums import MemberStatus, OrganizationKind
from accounts.models import Organization
from accounts.rules import get_unit_for_user, officer_roots, sees_every_unit
from accounts.selectors import member_rows, organization_labels
from accounts.views import invitation_messages
from contest_site.db_router import reading_from_replica
from contests.downloads import download as file_download
from contests.permissions import permission_required
from contests.selectors import current_contest

from . import exports, selectors
from . import reminders as reminder_service

ABSENT_PAGE = 100


def _contest():
    contest = current_contest()
    if contest is None:
        raise Http404
    return contest


def _pair(contest, units, week):
    """Each unit's row this week and over the contest, in the given order (two unit tables)."""
    overall = {r.unit.pk: r for r in selectors.unit_table(contest=contest, units=units, sort="name")}
    this_week = {}
    if week is not None:
        this_week = {r.unit.pk: r for r in selectors.unit_table(contest=contest, units=units, round=week, sort="name")}
    return [(overall[u.pk], this_week.get(u.pk)) for u in units]


@permission_required("reports.view_units")
@reading_from_replica()  # figures; a unit's own page (after importing or inviting members) reads the primary
def units(request):
    """The units a person answers for. Organizers and the secretariat get every top unit."""
    contest = _contest()
    if sees_every_unit(request.user):
        roots = sorted({t.pk: t for t in selectors.top_units().values()}.values(), key=lambda o: o.path)
        roots = [o for o in roots if o.kind != OrganizationKind.BLOC]
    else:
        roots = officer_roots(request.user)
        if not roots:
            raise PermissionDenied
    week = selectors.week_round(contest=contest)
    labels = organization_labels(roots)
    rows = [(labels[row.unit.pk], row, week_row) for row, week_row in _pair(contest, roots, week)]
    updated = next((row.computed_at for _label, row, _week in rows if row.computed_at), None)
    context = {"contest": contest, "week": week, "rows": rows, "updated": updated}
    return render(request, "reports/units.html", context)


@permission_required("reports.view_units")
def unit(request, pk):
    contest = _contest()
    organization = get_unit_for_user(request.user, pk)
    week = selectors.week_round(contest=contest)
    scope = "contest" if request.GET.get("scope") == "contest" else "week"
    children = list(Organization.objects.filter(parent=organization).order_by("sort_order", "name"))
    # The absentees a page at a time: the database counts, sorts and slices (never all in memory).
    page = selectors.unit_absentees_page(
        organization=organization, contest=contest, round=week if scope == "week" else None,
        number=request.GET.get("page"), per_page=ABSENT_PAGE,
    )  # fmt: skip
    labels = organization_labels(
        [organization, *children, *Organization.objects.filter(pk__in={a.organization_id for a in page})]
    )
    statuses = dict(MemberStatus.choices)
    # The unit and each unit under it in one pair of tables (a unit inside another counts for both).
    pairs = _pair(contest, [organization, *children], week)
    members = member_rows(organization=organization, show="").counts  # one query
    context = {
        "contest": contest,
        "unit": organization,
        "label": labels[organization.pk],
        "labels": labels,
        "week": week,
        "scope": scope,
        "summary": pairs[0],
        "children": [(labels[row.unit.pk], row, week_row) for row, week_row in pairs[1:]],
        "absent_count": page.paginator.count,
        "page": page,
        "members": members,
        "people": [(person, labels.get(person.organization_id, ""), statuses.get(person.status, "")) for person in page],
    }
    return render(request, "reports/unit.html", context)


@permission_required("reports.view_units")
def unit_absentees_download(request, pk):
    contest = _contest()
    organization = get_unit_for_user(request.user, pk)
    scope = "contest" if request.GET.get("scope") == "contest" else "week"
    week = selectors.week_round(contest=contest) if scope == "week" else None
    # Streamed: the rows come a chunk at a time into the write-only workbook.
    absentees = selectors.unit_absentees(organization=organization, contest=contest, round=week)
    labels = organization_labels(Organization.objects.filter(selectors.subtree_of(organization)))
    stamp = timezone.localdate().strftime("%Y%m%d")
    # The printed page's title: the contest, the unit's full name and the week (or the whole contest).
    heading = " · ".join(
        str(part) for part in (contest.name, labels.get(organization.pk, organization.name), week.name if week else "") if part
    )
    return file_download(
        f"chua-tham-gia-{organization.pk}-{stamp}.xlsx",
        lambda buffer: exports.absentees_workbook(buffer, absentees=absentees, labels=labels, heading=heading),
    )


@permission_required("accounts.manage_members")
def reminders(request, pk):
    """«Nhắc người chưa tham gia»: who a reminder would reach (ticked, to untick), the limits, the
    unit's latest reminders; the POST sends (reports.reminders.reminder_send) and shows its page."""
    contest = _contest()
    organization = get_unit_for_user(request.user, pk)
    if request.method == "POST" and request.POST.get("action") == "invite":
        result = reminder_service.invitations_to_absentees(organization=organization, contest=contest, by=request.user)
        if result is None:
            messages.error(request, _("Tuần thi đã đóng hoặc đã đổi sang tuần khác; xem lại danh sách rồi gửi lại."))
            return redirect("reports:unit_reminders", pk=organization.pk)
        invitation_messages(request, result)
        if result.batch is not None:
            return redirect("accounts:invitation_batch", pk=organization.pk, batch=result.batch.pk)
        return redirect("reports:unit_reminders", pk=organization.pk)
    if request.method == "POST":
        round_id = request.POST.get("round", "")
        ids = [int(v) for v in request.POST.getlist("people") if v.isdigit()]
        result = reminder_service.reminder_send(
            organization=organization,
            contest=contest,
            by=request.user,
            round_id=int(round_id) if round_id.isdigit() else 0,
            user_ids=ids,
        )
        if result.reminder is not None:
            messages.success(
                request,
                ngettext(
                    "Đã xếp %(n)d lời nhắc để gửi; trang này cho biết từng người đã nhận chưa.",
                    "Đã xếp %(n)d lời nhắc để gửi; trang này cho biết từng người đã nhận chưa.",
                    result.queued,
                )
                % {"n": result.queued},
            )
            return redirect("reports:unit_reminder", pk=organization.pk, reminder=result.reminder.pk)
        if result.problem == "closed":
            messages.error(request, _("Tuần thi đã đóng hoặc đã đổi sang tuần khác; xem lại danh sách rồi gửi lại."))
        else:
            messages.error(
                request,
                _("Không có ai để nhắc: những người đã chọn đều đã được nhắc hôm nay, hoặc chưa chọn ai."),
            )
        return redirect("reports:unit_reminders", pk=organization.pk)
    plan = reminder_service.reminder_plan(organization=organization, contest=contest)
    labels = organization_labels(
        [organization, *Organization.objects.filter(pk__in={p.absentee.organization_id for p in plan.people})]
    )
    channels = dict(reminder_service.notifications.Channel.choices)
    context = {
        "contest": contest,
        "unit": organization,
        "label": labels[organization.pk],
        "plan": plan,
        "people": [(p, labels.get(p.absentee.organization_id, ""), channels.get(p.channel, "")) for p in plan.people],
        "recent": reminder_service.reminders_of(organization),
    }
    return render(request, "reports/unit_reminders.html", context)


@permission_required("accounts.manage_members")
def reminder(request, pk, reminder):
    """One reminder: each person and the state of their message; refreshes while some wait."""
    organization = get_unit_for_user(request.user, pk)
    found = reminder_service.get_reminder_for_unit(organization, reminder)
    if found is None:
        raise Http404
    deliveries = reminder_service.reminder_deliveries(found)
    waiting = sum(1 for d in deliveries if d.status == "queued")
    context = {
        "unit": organization,
        "label": organization_labels([organization])[organization.pk],
        "reminder": found,
        "deliveries": deliveries,
        "waiting": waiting,
        "sent": sum(1 for d in deliveries if d.status == "sent"),
        "failed": sum(1 for d in deliveries if d.status == "failed"),
    }
    return render(request, "reports/unit_reminder.html", context)
