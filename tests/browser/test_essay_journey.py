import re

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from essays import judging
from essays.enums import EssayStatus
from essays.models import Assignment, Criterion, Essay, EssayPrize, JudgingRound, PanelMember
from tests.browser.conftest import PHONE, assert_fits_phone
from tests.essays.factories import BODY, EssayFactory, EssayPhaseFactory
from tests.factories import OrganizationFactory, contestant, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_for(browser, live_server, email):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill("DemoPass123!")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    return page


def test_essay_from_submission_to_prize_on_the_public_site(browser, live_server):
    phase = EssayPhaseFactory()
    unit = OrganizationFactory(name="Đảng bộ Báo Yên Bái")
    author = contestant(user__email="tac.gia@example.com", user__full_name="Trần Văn Bút", organization=unit)
    for _ in range(3):
        EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility="eligible")

    # 1. A contestant writes and submits an essay on the phone.
    page = _page_for(browser, live_server, author.email)
    page.goto(live_server.url + "/essays/")
    page.get_by_role("link", name="Gửi bài viết").click()
    page.get_by_label("Tên bài viết").fill("Chi bộ kiểu mẫu giữa lòng thành phố")
    page.get_by_text("Tập thể (chi bộ kiểu mẫu, đơn vị tiêu biểu)").click()
    page.get_by_label("Tên tập thể hoặc cá nhân được viết").fill("Chi bộ Phòng Phóng viên")
    page.locator("#id_subject_organization").select_option(str(unit.pk))
    page.get_by_label("Nội dung").fill("## Mở đầu\n\n" + BODY)
    page.get_by_text("Cam kết viết về người thật, việc thật").click()
    page.get_by_text("Cam kết bài chưa đăng báo, chưa dự thi nơi khác").click()
    assert_fits_phone(page)
    page.get_by_role("button", name="Lưu bài viết").click()
    page.get_by_role("button", name="Nộp bài").click()
    # No attachment while the rules expect one: asked first, then confirmed.
    page.get_by_role("button", name="Vẫn nộp bài không kèm tệp").click()
    expect(page.get_by_text(re.compile(r"Mã bài dự thi của anh/chị là BV-\d{4}-\d{4}"))).to_be_visible()
    essay = Essay.objects.get(submitter=author)
    assert essay.status == EssayStatus.SUBMITTED

    # 2. The secretariat screens it eligible.
    secretary = staff_user(Role.SECRETARIAT)
    page = _page_for(browser, live_server, secretary.email)
    page.goto(f"{live_server.url}/essays/manage/{essay.pk}/")
    page.get_by_text("Đủ điều kiện", exact=True).click()
    page.get_by_role("button", name="Ghi kết quả").click()
    expect(page.get_by_text(f"Đã ghi kết quả sơ loại bài {essay.code}.")).to_be_visible()

    # 3. A judge scores the whole queue; the essays are blind.
    semi = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", order=1)
    final = JudgingRound.objects.create(phase=phase, name="Vòng chung khảo", order=2)
    judge = staff_user(Role.JUDGE)
    for round in (semi, final):
        Criterion.objects.create(round=round, name="Bám sát chủ đề", max_points=20)
        Criterion.objects.create(round=round, name="Văn phong", max_points=20)
        PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=semi)
    judging.round_assign(round=semi)
    page = _page_for(browser, live_server, judge.email)
    for n, sheet in enumerate(Assignment.objects.filter(round=semi).order_by("essay__code")):
        page.goto(live_server.url + "/judging/")
        page.get_by_role("link", name=re.compile(sheet.essay.code)).click()
        expect(page.get_by_text("Trần Văn Bút")).to_have_count(0)
        value = "19" if sheet.essay_id == essay.pk else str(10 + n)
        page.get_by_label("Bám sát chủ đề").fill(value)
        page.get_by_label("Văn phong").fill(value)
        page.get_by_role("button", name="Nộp điểm").click()
        page.get_by_role("button", name=re.compile("Xác nhận nộp")).click()
    expect(page.get_by_text("Đã nộp điểm 4/4 bài.")).to_be_visible()
    assert_fits_phone(page)

    # 4. An organizer closes the round, advances the top two, and awards the final.
    organizer = staff_user(Role.ORGANIZER)
    page = _page_for(browser, live_server, organizer.email)
    page.goto(f"{live_server.url}/judging/manage/rounds/{semi.pk}/")
    page.get_by_role("button", name="Kết thúc vòng chấm").click()
    page.locator("input[name=top_k]").fill("2")
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("button", name="Chọn các bài này").click()
    expect(page.get_by_text("Đã chọn 2 bài vào Vòng chung khảo.")).to_be_visible()
    judging.round_assign(round=final)
    for sheet in Assignment.objects.filter(round=final):
        value = 20 if sheet.essay_id == essay.pk else 12
        judging.sheet_save(
            assignment=sheet, judge=judge, points={c.pk: value for c in final.criteria.all()}, comment="", submit=True
        )
    page.goto(f"{live_server.url}/judging/manage/rounds/{final.pk}/")
    page.get_by_role("button", name="Kết thúc vòng chấm").click()
    page.get_by_role("button", name="Lập danh sách giải").click()
    expect(page.get_by_text("Đã lập danh sách 2 giải; chờ Tổ Thư ký xác minh.")).to_be_visible()

    # 5. The secretariat verifies the awarded essays, then the organizer publishes the prizes.
    secretary_page = _page_for(browser, live_server, secretary.email)
    secretary_page.goto(live_server.url + "/reports/essays/winners/")
    assert_fits_phone(secretary_page)
    for code in EssayPrize.objects.values_list("essay__code", flat=True):
        secretary_page.locator(f"[data-essay-prize='{code}']").get_by_role("button", name="Xác minh hợp lệ").click()
        expect(secretary_page.get_by_text(f"Đã ghi kết quả xác minh bài {code}.")).to_be_visible()
    expect(secretary_page.get_by_text("Đã xác minh toàn bộ; Ban Tổ chức có thể công bố giải.")).to_be_visible()
    page.get_by_role("link", name="Công bố giải và đăng bài đoạt giải").click()  # a confirmation first
    page.get_by_label("Tôi đã xem danh sách trên và đồng ý công bố.").check()
    page.get_by_role("button", name="Công bố giải và đăng bài đoạt giải").click()
    expect(page.get_by_text("Đã công bố giải và đăng 2 bài đoạt giải.")).to_be_visible()

    # 6. The winning essay is on the public site with its prize.
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(live_server.url + "/essays/")
    page.get_by_role("link", name="Chi bộ kiểu mẫu giữa lòng thành phố").click()
    expect(page.get_by_text("Giải Nhất")).to_be_visible()
    expect(page.get_by_role("heading", name="Mở đầu")).to_be_visible()
    assert_fits_phone(page)
