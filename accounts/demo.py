"""Demo data for accounts: the organization tree and the demo users (see design.md)."""

import secrets

from django.contrib.auth.models import Group
from django.utils import timezone

from .enums import MemberStatus, Role
from .enums import OrganizationKind as K
from .models import Member, Organization, Profile, User
from .services import unit_officer_assign

DEMO_PASSWORD = "DemoPass123!"

BLOC = ("DUK", "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Yên Bái", "Đảng ủy Khối")
# (code, name, short name, member count, [party cells])
GRASSROOTS = [
    (
        "AGRI-BYB",
        "Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Bắc Yên Bái",
        "Agribank Bắc Yên Bái",
        412,
        ["Chi bộ Phòng Kế hoạch - Kinh doanh", "Chi bộ Phòng Giao dịch Trấn Yên", "Chi bộ Phòng Kế toán - Ngân quỹ"],
    ),
    (
        "AGRI-YB",
        "Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn tỉnh Yên Bái",
        "Agribank Yên Bái",
        356,
        ["Chi bộ Phòng Tổng hợp", "Chi bộ Phòng Khách hàng"],
    ),
    (
        "VPUB",
        "Đảng bộ Văn phòng Ủy ban nhân dân tỉnh",
        "Văn phòng UBND tỉnh",
        168,
        ["Chi bộ Phòng Tổng hợp", "Chi bộ Phòng Kinh tế", "Chi bộ Trung tâm Phục vụ hành chính công"],
    ),
    (
        "SLDTBXH",
        "Đảng bộ Sở Lao động - Thương binh và Xã hội",
        "Sở LĐ-TB&XH",
        236,
        ["Chi bộ Văn phòng Sở", "Chi bộ Trung tâm Dịch vụ việc làm"],
    ),
    (
        "CDYB",
        "Đảng bộ Trường Cao đẳng Yên Bái",
        "Trường Cao đẳng Yên Bái",
        190,
        ["Chi bộ Khoa Sư phạm", "Chi bộ Khoa Y dược", "Chi bộ Sinh viên"],
    ),
    (
        "CTHUE",
        "Đảng bộ Cục Thuế tỉnh",
        "Cục Thuế tỉnh",
        305,
        ["Chi bộ Phòng Tuyên truyền - Hỗ trợ người nộp thuế", "Chi bộ Phòng Kiểm tra thuế"],
    ),
    (
        "DIENLUC",
        "Đảng bộ Công ty Điện lực Yên Bái",
        "Công ty Điện lực Yên Bái",
        420,
        ["Chi bộ Điện lực Thành phố", "Chi bộ Điện lực Văn Yên", "Chi bộ Phòng Kỹ thuật"],
    ),
    (
        "VNPT",
        "Đảng bộ Viễn thông Yên Bái (VNPT Yên Bái)",
        "VNPT Yên Bái",
        198,
        ["Chi bộ Trung tâm Kinh doanh", "Chi bộ Trung tâm Điều hành thông tin"],
    ),
    ("VIETTEL", "Đảng bộ Viettel Yên Bái", "Viettel Yên Bái", 160, []),
    ("KBNN", "Đảng bộ Kho bạc Nhà nước tỉnh", "Kho bạc Nhà nước tỉnh", 140, []),
    ("BIDV", "Chi bộ Ngân hàng TMCP Đầu tư và Phát triển chi nhánh Yên Bái", "BIDV Yên Bái", 58, []),
    ("VCB", "Chi bộ Ngân hàng TMCP Ngoại thương chi nhánh Yên Bái", "Vietcombank Yên Bái", 45, []),
    ("VIETINBANK", "Chi bộ Ngân hàng TMCP Công thương chi nhánh Yên Bái", "VietinBank Yên Bái", 52, []),
    ("NHCSXH", "Đảng bộ Ngân hàng Chính sách xã hội tỉnh", "Ngân hàng CSXH tỉnh", 130, []),
    ("NHNN", "Chi bộ Ngân hàng Nhà nước chi nhánh tỉnh", "Ngân hàng Nhà nước tỉnh", 40, []),
    ("SYT", "Đảng bộ Sở Y tế", "Sở Y tế", 260, ["Chi bộ Văn phòng Sở Y tế"]),
    ("BVDK", "Đảng bộ Bệnh viện Đa khoa tỉnh", "Bệnh viện Đa khoa tỉnh", 310, ["Chi bộ Khoa Nội", "Chi bộ Khoa Ngoại"]),
    ("SGDDT", "Đảng bộ Sở Giáo dục và Đào tạo", "Sở GD&ĐT", 120, []),
    ("STC", "Đảng bộ Sở Tài chính", "Sở Tài chính", 75, []),
    ("SKHDT", "Chi bộ Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", 60, []),
    ("SNNPTNT", "Đảng bộ Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT", 210, []),
    ("STNMT", "Đảng bộ Sở Tài nguyên và Môi trường", "Sở TN&MT", 115, []),
    ("SXD", "Chi bộ Sở Xây dựng", "Sở Xây dựng", 48, []),
    ("SGTVT", "Đảng bộ Sở Giao thông vận tải", "Sở GTVT", 95, []),
    ("SCT", "Chi bộ Sở Công Thương", "Sở Công Thương", 55, []),
    ("STTTT", "Chi bộ Sở Thông tin và Truyền thông", "Sở TT&TT", 42, []),
    ("SVHTTDL", "Đảng bộ Sở Văn hóa, Thể thao và Du lịch", "Sở VH-TT&DL", 140, []),
    ("SNV", "Chi bộ Sở Nội vụ", "Sở Nội vụ", 50, []),
    ("STP", "Chi bộ Sở Tư pháp", "Sở Tư pháp", 38, []),
    ("SKHCN", "Chi bộ Sở Khoa học và Công nghệ", "Sở KH&CN", 36, []),
    ("BHXH", "Đảng bộ Bảo hiểm xã hội tỉnh", "BHXH tỉnh", 150, []),
    ("CUCTK", "Chi bộ Cục Thống kê tỉnh", "Cục Thống kê", 44, []),
    ("HQ", "Chi bộ Chi cục Hải quan Yên Bái", "Hải quan Yên Bái", 20, []),
    ("BAOYB", "Đảng bộ Báo Yên Bái", "Báo Yên Bái", 62, []),
    ("DPTTH", "Đảng bộ Đài Phát thanh và Truyền hình tỉnh", "Đài PT-TH tỉnh", 88, []),
    ("VPTU", "Đảng bộ Văn phòng Tỉnh ủy", "Văn phòng Tỉnh ủy", 96, []),
    ("VPDDBQH", "Chi bộ Văn phòng Đoàn ĐBQH và HĐND tỉnh", "Văn phòng Đoàn ĐBQH và HĐND", 45, []),
    ("TCT-TD", "Đảng bộ Trường Chính trị tỉnh", "Trường Chính trị tỉnh", 65, []),
    ("XMYB", "Đảng bộ Công ty Cổ phần Xi măng Yên Bái", "Xi măng Yên Bái", 120, []),
    ("CTNUOC", "Chi bộ Công ty Cổ phần Cấp nước và Xây dựng Yên Bái", "Cấp nước Yên Bái", 70, []),
]
DISTRICTS = [
    ("TU-TPYB", "Thành ủy Yên Bái"),
    ("TU-NL", "Thị ủy Nghĩa Lộ"),
    ("HU-LY", "Huyện ủy Lục Yên"),
    ("HU-VY", "Huyện ủy Văn Yên"),
    ("HU-MCC", "Huyện ủy Mù Cang Chải"),
    ("HU-TY", "Huyện ủy Trấn Yên"),
    ("HU-TT", "Huyện ủy Trạm Tấu"),
    ("HU-VC", "Huyện ủy Văn Chấn"),
    ("HU-YB", "Huyện ủy Yên Bình"),
]
MASS = [
    ("DTN-KHOI", "Đoàn Thanh niên Khối các cơ quan và doanh nghiệp tỉnh"),
    ("CDVC", "Công đoàn Viên chức tỉnh"),
    ("HCCB-KHOI", "Hội Cựu chiến binh Khối các cơ quan và doanh nghiệp tỉnh"),
]


def _upsert_org(code, name, **fields) -> Organization:
    org, _ = Organization.objects.update_or_create(code=code, defaults={"name": name, **fields})
    return org


def seed_organizations() -> dict[str, Organization]:
    bloc = _upsert_org(BLOC[0], BLOC[1], short_name=BLOC[2], kind=K.BLOC, parent=None, sort_order=0)
    units = {bloc.code: bloc}
    for order, (code, name, short, members, cells) in enumerate(GRASSROOTS, start=1):
        org = _upsert_org(code, name, short_name=short, kind=K.GRASSROOTS, parent=bloc, member_count=members, sort_order=order)
        units[code] = org
        for cell_order, cell in enumerate(cells, start=1):
            units[f"{code}-{cell_order}"] = _upsert_org(
                f"{code}-{cell_order}", cell, kind=K.CELL, parent=org, sort_order=cell_order
            )
    for order, (code, name) in enumerate(DISTRICTS, start=100):
        units[code] = _upsert_org(code, name, kind=K.DISTRICT, parent=None, sort_order=order)
    for order, (code, name) in enumerate(MASS, start=200):
        units[code] = _upsert_org(code, name, kind=K.MASS, parent=bloc, sort_order=order)
    return units


def _user(email, full_name, *, roles=(), staff=False, superuser=False) -> User:
    user = User.objects.filter(email=email).first() or User(email=email)
    user.full_name = full_name
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def seed_users(units: dict[str, Organization]) -> dict[str, User]:
    users = {
        "admin": _user("admin@example.com", "Quản trị hệ thống", superuser=True),
        "organizer": _user("organizer@example.com", "Nguyễn Thị Hương", roles=[Role.ORGANIZER], staff=True),
        "secretariat": _user("secretariat@example.com", "Trần Văn Minh", roles=[Role.SECRETARIAT], staff=True),
        "judge1": _user("judge1@example.com", "Phạm Quốc Khánh", roles=[Role.JUDGE]),
        "judge2": _user("judge2@example.com", "Lê Thị Thu Hà", roles=[Role.JUDGE]),
        "judge3": _user("judge3@example.com", "Đỗ Mạnh Cường", roles=[Role.JUDGE]),
        "contestant": _user("contestant@example.com", "Hoàng Thị Lan", roles=[Role.CONTESTANT]),
        "unitofficer": _user("unitofficer@example.com", "Vương Thị Thanh", roles=[Role.UNIT_OFFICER]),
    }
    unit_officer_assign(user=users["unitofficer"], organization=units["CTHUE"], by=users["organizer"])
    seed_members(units, by=users["unitofficer"])
    Profile.objects.update_or_create(
        user=users["contestant"],
        defaults={
            "phone": "0912345678",
            "organization": units["CTHUE-1"],
            "position": "Chuyên viên",
            "is_party_member": True,
        },
    )
    # The demo contestant signed up, so consented to the notice in force.
    from .privacy import consent_record, consent_text_current

    notice = consent_text_current()
    if notice is not None:
        consent_record(user=users["contestant"], text=notice, ip=None)
    return users


# The member list of the demo unit officer's organization: some signed up already (the phone of a
# demo contestant of the Cục Thuế), the rest still to be invited.
DEMO_MEMBERS = [
    ("Bùi Quang Huy", "0900000007", "", "CTHUE-2", "Kiểm tra viên", True),
    ("Hoàng Thị Lan", "0912345678", "contestant@example.com", "CTHUE-1", "Chuyên viên", True),
    ("Nguyễn Thị Bích Ngọc", "0352000101", "ngoc.ntb@example.com", "CTHUE-1", "Chuyên viên", True),
    ("Trần Đức Long", "0352000102", "long.td@example.com", "CTHUE-1", "Phó Trưởng phòng", True),
    ("Lê Thị Thu Trang", "0352000103", "", "CTHUE-1", "Cán sự", False),
    ("Phạm Văn Quyết", "0352000104", "quyet.pv@example.com", "CTHUE-2", "Kiểm tra viên chính", True),
    ("Đinh Thị Hạnh", "0352000105", "hanh.dt@example.com", "CTHUE-2", "Chuyên viên", False),
    ("Vũ Mạnh Hà", "0352000106", "", "CTHUE", "Chánh Văn phòng", True),
]


def seed_members(units: dict[str, Organization], *, by: User) -> None:
    for name, phone, email, unit_code, position, party in DEMO_MEMBERS:
        member = Member.objects.filter(phone=phone).first() or Member(phone=phone, token=secrets.token_urlsafe(32))
        member.full_name, member.email, member.organization = name, email, units[unit_code]
        member.position, member.is_party_member, member.invited_by = position, party, by
        member.save()
    # The demo contestant signed up through her invitation.
    lan = Member.objects.get(phone="0912345678")
    if lan.status != MemberStatus.ACCEPTED:
        contestant = User.objects.get(email="contestant@example.com")
        lan.user, lan.status, lan.accepted_at = contestant, MemberStatus.ACCEPTED, timezone.now()
        lan.save()
