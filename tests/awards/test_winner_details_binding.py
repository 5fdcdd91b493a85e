"""The award's details form is bound to the signed-in holder of the prize: no bearer link, sent
once, while a request is open, never in an archived contest; later changes by the secretariat
only, with a reason (a decision), the winner told. Each attack as an attacker would try it."""

import datetime
import re
import threading

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone

from accounts.enums import Role
from awards import winner_details as wd
from awards.models import WinnerDetails, WinnerDetailsAccess, WinnerDetailsRequest
from contests.enums import ContestStatus, NotificationKind
from contests.models import Contest, Decision, Notification
from contests.notifications import unsubscribe
from quiz.models import Prize
from quiz.services.prizes import prize_verify
from tests.awards.test_winner_details import GOOD
from tests.budgets import QUERIES
from tests.factories import contestant, staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

OTHER_BANK = {**GOOD, "bank_account": "999888777666", "bank_name": "Ngân hàng của kẻ gian"}


@pytest.fixture
def winner(known_contest):  # noqa: F811
    """A verified quiz prize whose holder has an e-mail and a verified mobile number."""
    prize = Prize.objects.get()
    secretary = staff_user(Role.SECRETARIAT)
    prize_verify(prize=prize, by=secretary, valid=True)
    prize.user.phone, prize.user.phone_verified = "0912345678", True
    prize.user.save(update_fields=["phone", "phone_verified"])
    return wd.winner_prize("quiz", prize.pk), secretary


def _url(wp) -> str:
    return f"/awards/details/{wp.part}/{wp.prize.pk}/"


def _bank(wp) -> str:
    return wd.unseal(WinnerDetails.objects.get(prize=wp.prize).sealed)["bank_account"]


def test_anonymous_get_and_post_are_sent_to_login_and_nothing_is_stored(client, winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)

    get, post = client.get(_url(wp)), client.post(_url(wp), OTHER_BANK)

    assert get.status_code == post.status_code == 302
    assert get["Location"] == f"/accounts/login/?next={_url(wp)}"
    assert not WinnerDetails.objects.exists()


@pytest.mark.parametrize("who", ["contestant", "secretary", "organizer"])
def test_another_signed_in_user_cannot_open_or_post_the_holders_form(client, winner, who):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    client.force_login({"contestant": contestant(), "secretary": secretary, "organizer": staff_user(Role.ORGANIZER)}[who])

    assert client.get(_url(wp)).status_code == 404
    assert client.post(_url(wp), OTHER_BANK).status_code == 404
    assert not WinnerDetails.objects.exists()


def test_the_service_refuses_anyone_but_the_holder(winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)

    for intruder in (secretary, contestant()):
        with pytest.raises(wd.WinnerDetailsClosed):
            wd.winner_details_submit(winner=wp, data={**OTHER_BANK, "birth_date": datetime.date(1985, 9, 19)}, by=intruder)

    assert not WinnerDetails.objects.exists()


def test_the_holder_sends_once_then_sees_it_masked_and_a_second_post_changes_nothing(client, winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    client.force_login(wp.user)

    first = client.post(_url(wp), GOOD)
    second = client.post(_url(wp), OTHER_BANK)
    page = client.get(_url(wp))

    assert first.status_code == 302
    assert second.status_code == 409 and "chỉ gửi được một lần" in second.content.decode()
    row = WinnerDetails.objects.get()
    assert (row.submitted_by, _bank(wp)) == (wp.user, "123456789012")
    html = page.content.decode()
    assert page.status_code == 200 and "data-winner-details-sent" in html and 'name="bank_account"' not in html
    assert "••••••••9012" in html and "123456789012" not in html and "015085001234" not in html
    assert "•••••••••234" in html
    assert "no-store" in page["Cache-Control"]
    assert not WinnerDetailsAccess.objects.exists()  # the holder's own look is not a staff access


def test_old_token_links_never_show_the_form_to_a_stranger(client, winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    old = "/awards/details/" + signing.dumps({"part": "quiz", "pk": wp.prize.pk}, salt=wd.SALT, compress=True) + "/"

    anonymous = client.get(old, follow=True)
    posted = client.post(old, OTHER_BANK, follow=True)
    client.force_login(contestant())
    stranger = client.get(old, follow=True)
    client.force_login(wp.user)
    holder = client.get(old, follow=True)

    assert anonymous.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Gửi thông tin" not in anonymous.content.decode() and "Gửi thông tin" not in posted.content.decode()
    assert stranger.status_code == 404
    assert not WinnerDetails.objects.exists()
    assert holder.status_code == 200 and "Gửi thông tin" in holder.content.decode()
    assert holder.redirect_chain == [(_url(wp), 302)]


def test_an_archived_contest_refuses_the_form_with_a_message(client, winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    Contest.objects.filter(pk=wp.contest.pk).update(status=ContestStatus.ARCHIVED)
    client.force_login(wp.user)

    get, post = client.get(_url(wp)), client.post(_url(wp), GOOD)

    assert get.status_code == 200 and "được lưu trữ" in get.content.decode()
    assert post.status_code == 409 and "được lưu trữ" in post.content.decode()
    assert not WinnerDetails.objects.exists()
    client.force_login(secretary)
    page = client.post(f"/reports/awards/quiz/{wp.prize.pk}/request/", follow=True)
    assert "được lưu trữ" in page.content.decode()
    assert WinnerDetailsRequest.objects.count() == 1


def test_an_expired_request_is_refused_in_vietnamese_and_a_reissue_reopens_the_form(client, winner, settings):
    wp, secretary = winner
    settings.WINNER_DETAILS_LINK_DAYS = 7
    wd.winner_details_request(winner=wp, by=secretary, now=timezone.now() - datetime.timedelta(days=8))
    client.force_login(wp.user)

    get, post = client.get(_url(wp)), client.post(_url(wp), GOOD)

    assert "Yêu cầu cung cấp thông tin nhận giải đã hết hạn" in get.content.decode()
    assert post.status_code == 409 and not WinnerDetails.objects.exists()
    assert "đã hết hạn" in client.get("/quiz/my-results/").content.decode()

    client.force_login(staff_user(Role.ORGANIZER))
    assert client.post(f"/reports/awards/quiz/{wp.prize.pk}/request/").status_code == 403
    client.force_login(secretary)
    assert "Gửi lại yêu cầu" in client.get("/reports/awards/").content.decode()
    response = client.post(f"/reports/awards/quiz/{wp.prize.pk}/request/")

    assert response.status_code == 302
    newest = WinnerDetailsRequest.objects.first()
    assert (WinnerDetailsRequest.objects.count(), newest.requested_by) == (2, secretary)
    assert newest.expires_at - newest.requested_at == datetime.timedelta(days=7)
    client.force_login(wp.user)
    assert client.post(_url(wp), GOOD).status_code == 302
    assert WinnerDetails.objects.get().submitted_by == wp.user


def test_never_asked_the_holder_gets_no_form(client, winner):
    wp, _secretary = winner
    client.force_login(wp.user)

    assert "chưa gửi yêu cầu" in client.get(_url(wp)).content.decode()
    assert client.post(_url(wp), GOOD).status_code == 409
    assert not WinnerDetails.objects.exists()


def test_the_secretariats_change_needs_a_reason_is_a_decision_and_the_winner_is_told(
    client, winner, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    client.force_login(wp.user)
    client.post(_url(wp), GOOD)
    url = f"/reports/awards/quiz/{wp.prize.pk}/change/"
    for intruder in (wp.user, staff_user(Role.ORGANIZER)):
        client.force_login(intruder)
        assert client.get(url).status_code == 403 and client.post(url, {**OTHER_BANK, "reason": "x"}).status_code == 403
    client.force_login(secretary)
    assert "123456789012" in client.get(url).content.decode()  # prefilled, and that look is logged
    assert list(WinnerDetailsAccess.objects.values_list("viewer", "where")) == [(secretary.pk, "change")]

    no_reason = client.post(url, {**OTHER_BANK, "reason": "  "})
    assert no_reason.status_code == 200 and "Xin ghi lý do" in no_reason.content.decode()
    assert _bank(wp) == "123456789012" and not Decision.objects.filter(action="winner_details_change").exists()
    mailoutbox.clear(), sms_outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**OTHER_BANK, "reason": "Người đạt giải gọi điện báo đổi tài khoản"})

    assert response.status_code == 302 and _bank(wp) == "999888777666"
    decision = Decision.objects.get(action="winner_details_change")
    assert (decision.actor, decision.reason) == (secretary, "Người đạt giải gọi điện báo đổi tài khoản")
    assert decision.data == {"fields": ["bank_account", "bank_name"]}
    assert (decision.object_type, decision.object_id) == ("quiz.prize", wp.prize.pk)
    assert [m.to for m in mailoutbox] == [[wp.user.email]] and [s.to for s in sms_outbox] == ["0912345678"]
    for text in (mailoutbox[0].subject + mailoutbox[0].body, sms_outbox[0].body):
        assert "999888777666" not in text and "123456789012" not in text and "7666" not in text
    assert "vừa được sửa" in mailoutbox[0].subject
    assert WinnerDetails.objects.get().submitted_by == wp.user  # still who sent it


def test_nothing_to_change_is_refused(winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    data = {**GOOD, "citizen_id": "015085001234", "bank_account": "123456789012", "birth_date": datetime.date(1985, 9, 19)}
    wd.winner_details_submit(winner=wp, data={**data, "account_holder": "NGUYỄN VĂN BÌNH"}, by=wp.user)

    with pytest.raises(wd.WinnerDetailsClosed, match="giống hệt"):
        wd.winner_details_change(winner=wp, data={**data, "account_holder": "NGUYỄN VĂN BÌNH"}, by=secretary, reason="x")
    with pytest.raises(wd.WinnerDetailsClosed, match="Tổ Thư ký"):
        wd.winner_details_change(winner=wp, data=data, by=staff_user(Role.ORGANIZER), reason="x")
    with pytest.raises(wd.WinnerDetailsClosed, match="lý do"):
        wd.winner_details_change(winner=wp, data=data, by=secretary, reason=" ")
    with pytest.raises(wd.WinnerDetailsClosed, match="đã gửi thông tin"):
        wd.winner_details_request(winner=wp, by=secretary)


URL = re.compile(r"https?://\S+|/\S*awards\S*")


def test_no_message_the_app_sends_carries_a_token_for_the_form(
    client, winner, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    wp, secretary = winner
    unsubscribe(user_id=wp.user.pk, kind="all")  # a service message: sent anyway, with no unsubscribe link
    client.force_login(secretary)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/awards/")

    assert [m.to for m in mailoutbox] == [[wp.user.email]] and [s.to for s in sms_outbox] == ["0912345678"]
    texts = [mailoutbox[0].body, sms_outbox[0].body]
    urls = [u for text in texts for u in URL.findall(text)]
    assert len(urls) == 2
    for u in urls:
        assert re.fullmatch(rf"\S*/awards/details/quiz/{wp.prize.pk}/", u), u
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers
    assert set(Notification.objects.values_list("kind", flat=True)) == {NotificationKind.AWARD_DETAILS}
    client.force_login(wp.user)
    assert "Thủ tục nhận giải thưởng" not in client.get("/accounts/profile/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_store_one(winner):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    data = {**GOOD, "birth_date": datetime.date(1985, 9, 19)}
    outcomes, barrier = [], threading.Barrier(2)

    def post(values):
        barrier.wait()
        try:
            wd.winner_details_submit(winner=wd.winner_prize("quiz", wp.prize.pk), data=values, by=wp.user)
            outcomes.append("stored")
        except wd.WinnerDetailsClosed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(v,)) for v in (data, {**data, "bank_account": "999888777666"})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["refused", "stored"]
    assert WinnerDetails.objects.count() == 1


def test_the_holders_pages_cost_a_fixed_number_of_queries(client, winner, django_assert_num_queries):
    wp, secretary = winner
    wd.winner_details_request(winner=wp, by=secretary)
    client.force_login(wp.user)
    client.get(_url(wp))

    with django_assert_num_queries(QUERIES["winner_details_form"]):
        form = client.get(_url(wp))
    client.post(_url(wp), GOOD)
    with django_assert_num_queries(QUERIES["winner_details_sent"]):
        sent = client.get(_url(wp))

    assert 'name="bank_account"' in form.content.decode() and "data-winner-details-sent" in sent.content.decode()
