"""Harvesting the key by probing one question per attempt: under the default pace a week of 48
questions gives up less than a quarter of its key over the whole window, and the integrity
review names the account; with the limits off, the contrast (docs/security.md)."""

import pytest

from tests.load.harvester import next_time, parse_attempt, play_window

pytestmark = pytest.mark.django_db


def test_under_the_default_pace_the_harvester_learns_under_a_quarter_and_is_named():
    report = play_window(seed=2025, limits=True)

    assert report.pool == 48
    assert report.learned < 12, report.lines()
    assert report.attempts <= 2 * 9  # two a day over the nine calendar days an 8-day window touches
    assert report.flagged, report.lines()  # the integrity review names the account
    assert set(report.flagged) <= {"many", "probe", "harvest"}


def test_without_limits_the_same_script_learns_the_whole_key_in_under_an_hour():
    report = play_window(seed=2025, limits=False)

    assert report.learned == 48, report.lines()
    assert report.hours_to_last_answer < 1
    assert report.best_score == 20
    assert {"many", "harvest"} <= set(report.flagged), report.lines()


def test_the_harvester_reads_the_times_refusals_name():
    import datetime
    from zoneinfo import ZoneInfo

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime.datetime(2025, 3, 4, 23, 55, tzinfo=vn)
    assert next_time("Anh/chị có thể bắt đầu lượt thi tiếp theo lúc 10:35.", now) == now.replace(hour=10, minute=35)
    assert next_time("Hôm nay anh/chị đã thi đủ 2 lượt; mời quay lại ngày mai.", now) == datetime.datetime(2025, 3, 5, tzinfo=vn)
    assert next_time("Hôm nay anh/chị đã thi đủ 2 lượt; mời quay lại lúc 00:20 ngày 5/3.", now) == datetime.datetime(
        2025, 3, 5, 0, 20, tzinfo=vn
    )
    assert next_time("Anh/chị đã dùng hết số lượt được phép trước khi tuần thi đóng lúc 20:00.", now) is None


def test_the_harvester_reads_the_contract_markup():
    page = (
        '<fieldset class="question card"><legend><span class="qnum">Câu 1.</span> Đảng viên có mấy nhiệm vụ?</legend>'
        '<label class="choice option"><input type="radio" name="q1" value="0"> <span><strong>A.</strong> 4 &amp; 5</span></label>'
        '<label class="choice option"><input type="radio" name="q1" value="1"> <span><strong>B.</strong> 3</span></label>'
        "</fieldset>"
    )
    assert parse_attempt(page) == ([("Đảng viên có mấy nhiệm vụ?", [("q1", "0", "4 & 5"), ("q1", "1", "3")])], False)
