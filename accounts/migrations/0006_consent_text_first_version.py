"""The first notice on personal data, published, so that sign-up asks for consent from the start.
Organizers change it in the admin (a new version)."""

from django.db import migrations
from django.utils import timezone

TITLE = "Thông báo về xử lý dữ liệu cá nhân"
BODY = """Ban Tổ chức Cuộc thi thông báo với người tham gia về việc xử lý dữ liệu cá nhân theo Nghị định số 13/2023/NĐ-CP ngày 17/4/2023 của Chính phủ về bảo vệ dữ liệu cá nhân.

## Dữ liệu được thu thập
- Họ và tên, địa chỉ e-mail, số điện thoại di động.
- Đơn vị công tác, chức vụ, vị trí công tác; có phải là đảng viên hay không.
- Bài thi trắc nghiệm (câu trả lời, điểm, thời gian làm bài, địa chỉ IP lúc thi) và bài dự thi viết.

## Mục đích xử lý
- Tổ chức cuộc thi, chấm điểm, xếp hạng, xác minh người đạt giải với đơn vị và trao giải.
- Thống kê số liệu tham gia theo đơn vị; phát hiện gian lận.

## Bên xử lý, thời gian lưu trữ
Dữ liệu do Ban Tổ chức và Tổ thư ký giúp việc xử lý, không chuyển cho bên thứ ba ngoài mục đích trên. Danh sách người đạt giải (họ tên, đơn vị) được công bố công khai. Sau khi cuộc thi kết thúc và hết thời hạn lưu trữ, dữ liệu của người không tham gia cuộc thi mới hơn được ẩn danh hoá.

## Quyền của người tham gia
Anh/chị có quyền biết, xem và tải về dữ liệu của mình («Dữ liệu cá nhân của tôi»), yêu cầu chỉnh sửa, rút lại sự đồng ý và yêu cầu xoá dữ liệu. Khi xoá, kết quả thi được giữ không ghi tên để số liệu cuộc thi luôn khớp.

## Hậu quả khi không đồng ý
Không có sự đồng ý, Ban Tổ chức không thể nhận đăng ký dự thi."""


def forward(apps, schema_editor):
    ConsentText = apps.get_model("accounts", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, title=TITLE, body=BODY, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_privacy")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
