"""On a phone: an essay's attachment in the form's flow and «Nộp bài» asking first when the rules
expect a file and there is none; a judge's conflict of interest with a reason and a confirmation;
the judge's queue with every text at WCAG AA contrast; the organizer's round page with each
judge's progress and median (1366×768)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from contests.models import Decision
from essays import judging
from essays.enums import Eligibility, EssayStatus, SheetStatus
from essays.models import Assignment, Criterion, Essay, JudgingRound, PanelMember
from tests.browser.conftest import PHONE, assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.essays import samples
from tests.essays.factories import BODY, EssayFactory, EssayPhaseFactory
from tests.factories import OrganizationFactory, contestant, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submitting_without_the_expected_attachment_asks_first(page, login):
    EssayPhaseFactory()
    unit = OrganizationFactory(name="Đảng bộ Báo Yên Bái")
    author = contestant(user__email="tep.dinh.kem@example.com", organization=unit)
    login(author.email)
    page.goto(page.base_url + "/essays/new/")
    page.get_by_label("Tên bài viết").fill("Chi bộ kiểu mẫu giữa lòng thành phố")
    page.get_by_text("Tập thể (chi bộ kiểu mẫu, đơn vị tiêu biểu)").click()
    page.get_by_label("Tên tập thể hoặc cá nhân được viết").fill("Chi bộ Phòng Phóng viên")
    page.locator("#id_subject_organization").select_option(str(unit.pk))
    page.get_by_label("Nội dung").fill(BODY)
    page.get_by_text("Cam kết viết về người thật, việc thật").click()
    page.get_by_text("Cam kết bài chưa đăng báo, chưa dự thi nơi khác").click()
    # The attachment is in the form, between the authors and «Lưu bài viết».
    expect(page.get_by_label("Tệp đính kèm (DOCX, PDF) hoặc ảnh (JPEG, PNG)")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "contestant-essay-form")
    page.get_by_role("button", name="Lưu bài viết").click()

    # Its page: the attachment and «Nộp bài» come before the essay's full text.
    expect(page.locator("[data-attachment-missing]")).to_be_visible()
    assert page.locator("[data-attachments]").bounding_box()["y"] < page.locator("details.essay-full").bounding_box()["y"]
    _shot(page, "contestant-essay-page")
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("heading", name="Nộp bài không có tệp đính kèm?")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "contestant-submit-confirm")
    essay = Essay.objects.get(submitter=author)
    assert essay.status == EssayStatus.DRAFT

    # Back, upload the file there, and «Nộp bài» goes straight through.
    page.get_by_role("link", name="Quay lại, chưa nộp").click()
    page.get_by_label("Tệp đính kèm (DOCX, PDF) hoặc ảnh (JPEG, PNG)").set_input_files(
        files=[{"name": "bai-viet.docx", "mimeType": "application/octet-stream", "buffer": samples.docx()}]
    )
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_text("Đã đính kèm tệp.")).to_be_visible()
    expect(page.locator("[data-attachment-missing]")).to_have_count(0)
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_text(re.compile(r"Mã bài dự thi của anh/chị là BV-\d{4}-\d{4}"))).to_be_visible()
    essay.refresh_from_db()
    assert essay.status == EssayStatus.SUBMITTED


def _judging_round(judges=2, essays=3):
    phase = EssayPhaseFactory()
    for _ in range(essays):
        EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, body="Đoạn văn. " * 300)
    round = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", order=1)
    for i, (name, max_points, weight) in enumerate(judging.default_rubric()):
        Criterion.objects.create(round=round, name=name, max_points=max_points, weight=weight, order=i)
    panel = [staff_user(Role.JUDGE) for _ in range(judges)]
    for judge in panel:
        PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    return round, panel


def test_a_judge_declares_a_conflict_with_a_reason_and_a_confirmation(page, login):
    round, (judge, _other) = _judging_round()
    first = Assignment.objects.filter(judge=judge).order_by("essay__code").first()
    login(judge.email)
    page.goto(f"{page.base_url}/judging/sheets/{first.pk}/")
    page.get_by_text("Báo xung đột lợi ích với bài này…").click()
    page.get_by_label("Lý do (bắt buộc)").fill("Tác giả là đồng nghiệp cùng phòng")
    page.locator("#xung-dot").scroll_into_view_if_needed()
    _shot(page, "judge-sheet-conflict")
    page.get_by_role("button", name="Tiếp tục…").click()
    expect(page.locator("[data-confirm-conflict]")).to_contain_text("Tác giả là đồng nghiệp cùng phòng")
    first.refresh_from_db()
    assert first.status == SheetStatus.PENDING  # not yet
    assert_fits_phone(page)
    _shot(page, "judge-conflict-confirm")
    page.get_by_role("button", name="Xác nhận trả bài").click()
    expect(page.get_by_text(re.compile("Đã ghi nhận xung đột lợi ích"))).to_be_visible()
    first.refresh_from_db()
    assert first.status == SheetStatus.CONFLICT
    assert Decision.objects.filter(action=Decision.Action.CONFLICT, actor=judge).count() == 1


# Every text's colour against what is really behind it (ancestors' backgrounds, and the opacity of
# every ancestor, which blends the text with the page): the contrast ratio of WCAG 2.
CONTRAST = """() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const mix = (x, y, a) => x * a + y * (1 - a);
  const over = (fg, bg) => ({r: mix(fg.r, bg.r, fg.a), g: mix(fg.g, bg.g, fg.a), b: mix(fg.b, bg.b, fg.a), a: 1});
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = parse(getComputedStyle(document.body).backgroundColor);
  const out = [];
  for (const el of document.querySelectorAll("main *")) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join("");
    if (!text || el.offsetParent === null) continue;
    let bg = null, opacity = 1;
    for (let node = el; node && node !== document.documentElement; node = node.parentElement) {
      const style = getComputedStyle(node);
      opacity *= Number(style.opacity);
      const c = parse(style.backgroundColor);
      if (!bg && c.a > 0) bg = c;
    }
    bg = over(bg || page, page);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const seen = over({...fg, a: opacity}, page), behind = over({...bg, a: opacity}, page);
    out.push({text: text.slice(0, 40), ratio: Math.round(ratio(seen, behind) * 100) / 100});
  }
  return out;
}"""


def test_the_judges_queue_keeps_every_text_at_wcag_aa_contrast(page, login):
    round, (judge, _other) = _judging_round()
    first = Assignment.objects.filter(judge=judge).order_by("essay__code").first()
    judging.sheet_save(assignment=first, judge=judge, points={c.pk: 15 for c in round.criteria.all()}, comment="", submit=True)
    login(judge.email)
    page.goto(page.base_url + "/judging/")
    expect(page.locator(".queue-submitted")).to_have_count(1)
    _shot(page, "judge-queue")
    low = [row for row in page.evaluate(CONTRAST) if row["ratio"] < 4.5]
    assert low == [], f"text under WCAG AA 4.5:1 on the judge's queue: {low}"


def test_the_organizers_round_page_on_a_laptop(browser, live_server):
    round, (lenient, strict) = _judging_round(judges=2, essays=3)
    for judge, value in ((lenient, 17), (strict, 9)):
        for sheet in Assignment.objects.filter(judge=judge).order_by("essay__code")[:2]:
            points = {c.pk: value for c in round.criteria.all()}
            judging.sheet_save(assignment=sheet, judge=judge, points=points, comment="", submit=True)
    sheet = Assignment.objects.filter(judge=strict, status=SheetStatus.PENDING).first()
    judging.conflict_declare(assignment=sheet, judge=strict, reason="Từng công tác ở đơn vị được viết")
    organizer = staff_user(Role.ORGANIZER)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail").fill(organizer.email)
    page.get_by_label("Mật khẩu").fill("DemoPass123!")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/judging/manage/rounds/{round.pk}/")
    expect(page.locator("[data-panel]")).to_contain_text("Trung vị tổng điểm của mọi phiếu đã nộp")
    expect(page.locator(f"[data-judge='{strict.pk}'] [data-judge-progress]")).to_have_text("2/2 (100%)")
    _shot(page, "organizer-round-page")
    page.get_by_placeholder("Lý do hoàn tác (ghi vào nhật ký quyết định)").fill("Hội đồng xác minh: không liên quan")
    page.get_by_role("button", name="Hoàn tác: trả bài cho giám khảo").click()
    expect(page.get_by_text("Đã hoàn tác khai báo xung đột lợi ích")).to_be_visible()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PENDING
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    context.close()


assert PHONE["width"] == 390
