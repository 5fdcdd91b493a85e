"""Demo data for the contest pages."""

import datetime

from django.core.files.base import ContentFile

from .enums import ContestStatus
from .models import FAQ, Contest, ReferenceDocument

RULES = """## Đối tượng dự thi
Cán bộ, đảng viên, công chức, viên chức, người lao động, đoàn viên, hội viên đang công tác tại
các cơ quan, doanh nghiệp thuộc Đảng bộ Khối.

## Phần thi trắc nghiệm trực tuyến
- Thi theo tuần; mỗi tuần Ban Tổ chức duyệt và niêm phong bộ câu hỏi trước khi mở thi.
- Mỗi bài thi gồm **20 câu hỏi** được phần mềm rút ngẫu nhiên, đủ các lĩnh vực.
- Người dự thi được thi nhiều lần trong tuần; tính bài có điểm cao nhất, nếu bằng điểm thì tính bài có thời gian làm bài ngắn hơn.
- Mỗi tuần trao giải Nhất, Nhì, Ba và Khuyến khích.

## Phần thi viết
- Viết về tập thể chi bộ kiểu mẫu, đơn vị tiêu biểu hoặc đảng viên tiêu biểu **có thật**.
- Bài viết chưa từng đăng trên báo chí; độ dài và thời hạn nhận bài ghi ở cuối trang này.
- Bài dự thi qua các vòng: sơ loại, sơ khảo, chung khảo.
"""

FAQS = [
    (
        "Tôi có được thi nhiều lần trong một tuần không?",
        "Có. Mỗi tuần anh/chị được thi nhiều lần; hệ thống tính bài có điểm cao nhất, nếu bằng điểm thì tính bài làm nhanh hơn.",
    ),
    (
        "Mất mạng khi đang làm bài thì sao?",
        "Câu trả lời được lưu ngay khi chọn. Khi có mạng trở lại, mở lại bài thi để làm tiếp; "
        "thời gian vẫn tính theo đồng hồ của máy chủ.",
    ),
    (
        "Tôi chọn nhầm đơn vị thì sửa ở đâu?",
        "Vào **Thông tin cá nhân** để sửa. Việc thay đổi đơn vị được ghi lại để Tổ Thư ký đối chiếu khi xét giải.",
    ),
]


def seed_contest() -> Contest:
    today = datetime.date.today()
    contest, _ = Contest.objects.update_or_create(
        slug="dang-vien-tot-chi-bo-kieu-mau",
        defaults={
            "name": "Cuộc thi trực tuyến tìm hiểu về Đảng",
            "theme": "Đảng viên tốt, chi bộ kiểu mẫu",
            "organizer_name": "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Yên Bái",
            "summary": (
                "Cuộc thi gồm **phần thi trắc nghiệm trực tuyến** theo tuần và **phần thi viết** về "
                "tập thể chi bộ kiểu mẫu, đảng viên tiêu biểu. Mời cán bộ, đảng viên, công chức, viên chức, "
                "người lao động trong Khối tham gia."
            ),
            "rules": RULES,
            "starts_on": today - datetime.timedelta(days=14),
            "ends_on": today + datetime.timedelta(days=120),
            "status": ContestStatus.PUBLISHED,
            "hotline": "0216 3 852 000",
            "contact_email": "cuocthi@example.com",
            "contact_address": "Số 1 đường Điện Biên, phường Đồng Tâm, thành phố Yên Bái",
            # The header and signature blocks of the organizers' own final report.
            "doc_superior_body": "ĐẢNG BỘ TỈNH YÊN BÁI",
            "doc_issuing_body": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
            "doc_symbol": "BC/ĐUK",
            "doc_place": "Yên Bái",
            "doc_signer_authority": "T/M BAN THƯỜNG VỤ",
            "doc_signer_title": "PHÓ BÍ THƯ",
            "doc_signer_name": "Cao Xuân Chiểu",
            "doc_recipients": (
                "Thường trực Tỉnh ủy (b/c)\nBan Tuyên giáo Tỉnh ủy (b/c)\nBTV Đảng ủy Khối\n"
                "Các chi, đảng bộ trực thuộc\nBan Tổ chức Cuộc thi\nLưu Văn phòng ĐUK"
            ),
        },
    )
    Contest.objects.update_or_create(
        slug="tim-hieu-lich-su-dang-bo-2021",
        defaults={
            "name": "Cuộc thi tìm hiểu lịch sử Đảng bộ tỉnh năm 2021",
            "theme": "Tự hào truyền thống",
            "starts_on": datetime.date(2021, 5, 1),
            "ends_on": datetime.date(2021, 8, 31),
            "status": ContestStatus.ARCHIVED,
            "summary": "Cuộc thi năm 2021 đã kết thúc. Cảm ơn 6.500 lượt người đã tham gia.",
        },
    )
    for order, (question, answer) in enumerate(FAQS):
        FAQ.objects.update_or_create(contest=contest, question=question, defaults={"answer": answer, "sort_order": order})
    for order, (title, description) in enumerate(
        [
            ("Điều lệ Đảng Cộng sản Việt Nam", "Điều lệ Đảng do Đại hội đại biểu toàn quốc lần thứ XI thông qua."),
            ("Hướng dẫn xây dựng chi bộ kiểu mẫu", "Tiêu chí chi bộ “4 tốt” và đảng viên “4 gương mẫu”."),
        ]
    ):
        if not ReferenceDocument.objects.filter(contest=contest, title=title).exists():
            doc = ReferenceDocument(contest=contest, title=title, description=description, sort_order=order)
            doc.file.save(f"tai-lieu-{order + 1}.txt", ContentFile(f"{title}\n\n{description}\n".encode()), save=False)
            doc.save()
    return contest
