"""Demo appeals (seed_demo): on the published week of the demo contest, one filed by the demo
contestant and waiting (with an image attached), one filed by another contestant and decided by
the secretariat. Idempotent: a round that has appeals is left as it is."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from quiz.enums import RoundKind
from quiz.models import Round, RoundEntry

from . import appeals
from .models import Appeal


def _screenshot() -> SimpleUploadedFile:
    """A small PNG standing for a photo of a screen the contestant took."""
    image = Image.new("RGB", (480, 200), "white")
    ImageDraw.Draw(image).text((20, 90), "Cau 7: phuong an B va C deu dung?", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("anh-chup-cau-7.png", buffer.getvalue(), content_type="image/png")


def seed_appeals(*, contest, users) -> None:
    round = (
        Round.objects.select_related("contest")
        .filter(contest=contest, kind=RoundKind.WEEKLY, results_published_at__isnull=False)
        .order_by("number")
        .first()
    )
    if round is None or Appeal.objects.filter(round=round).exists():
        return
    me = users["contestant"]
    other = RoundEntry.objects.filter(round=round).exclude(user=me).select_related("user").order_by("user__email").first()
    if RoundEntry.objects.filter(round=round, user=me).exists():
        appeals.appeal_submit(
            user=me, target=appeals.quiz_target(user=me, round=round), uploads=[_screenshot()],
            reason=(
                "Câu 7 (về nhiệm vụ của chi bộ) tôi chọn phương án C, theo Quy định 24-QĐ/TW phương án này cũng đúng. "
                "Đề nghị Ban Tổ chức xem lại đáp án câu 7 và điểm của tôi."
            ),
        )  # fmt: skip
    if other is not None:
        decided = appeals.appeal_submit(
            user=other.user, target=appeals.quiz_target(user=other.user, round=round),
            reason="Tôi nộp bài lúc 9 giờ 58 nhưng hệ thống ghi thời gian làm bài dài hơn thực tế, đề nghị kiểm tra lại.",
        )  # fmt: skip
        appeals.appeal_decide(
            appeal=decided, by=users["secretariat"], upheld=False,
            reason=(
                "Thời gian làm bài tính từ lúc bắt đầu đến lúc nộp, theo giờ của máy chủ; nhật ký bài thi khớp với "
                "kết quả đã công bố. Kết quả giữ nguyên."
            ),
        )  # fmt: skip
