"""Factories shared by every app's tests. Apps add their own in tests/<app>/factories.py."""

import datetime
import io

import factory
from django.contrib.auth.models import Group

from accounts.enums import OrganizationKind, Role
from accounts.models import Consent, Organization, Profile, User
from contests.enums import ContestStatus
from contests.models import Contest


def published_notice():
    """The first privacy notice, as migration accounts 0006 publishes it; published again if a
    transactional test flushed the tables before (they run in any order under pytest-xdist)."""
    from django.utils import timezone

    from accounts.models import ConsentText

    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, title="Thông báo", body="Theo Nghị định số 13/2023/NĐ-CP.")
        ConsentText.objects.filter(version=1).update(published_at=timezone.now())
    return ConsentText.objects.get(version=1)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đảng bộ Đơn vị số {n}")
    kind = OrganizationKind.GRASSROOTS


def _letters(n: int) -> str:
    text = ""
    while True:
        n, rest = divmod(n, 26)
        text = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + text
        if n == 0:
            return text


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    # Unique without digits (a name has none: contests.cleaning.clean_person_name): Thử A, Thử B … Thử BA.
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {_letters(n)}")
    password = factory.django.Password("DemoPass123!")  # hashed before the INSERT: no second save

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get_or_create(name=r)[0] for r in extracted])

    @factory.post_generation
    def consented(self, create, extracted, **kwargs):
        """Consented to the notice in force, as everyone who signs up does (consented=False: not)."""
        if create and extracted is not False:
            from accounts.privacy import consent_text_current

            text = consent_text_current()
            if text is not None:
                Consent.objects.create(user=self, text=text)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, roles=[Role.CONTESTANT])
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    organization = factory.SubFactory(OrganizationFactory)
    position = "Chuyên viên"
    is_party_member = True


def contestant(**kwargs) -> User:
    """A user with a completed profile."""
    return ProfileFactory(**kwargs).user


def staff_user(role: str, **kwargs) -> User:
    return UserFactory(roles=[role], is_staff=role in (Role.ORGANIZER, Role.SECRETARIAT), **kwargs)


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    name = factory.Sequence(lambda n: f"Cuộc thi số {n}")
    slug = factory.Sequence(lambda n: f"cuoc-thi-{n}")
    theme = "Đảng viên tốt, chi bộ kiểu mẫu"
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))
    status = ContestStatus.PUBLISHED


def xlsx_bomb(inflated_bytes: int, *, header=("Mã câu", "Lĩnh vực", "Câu hỏi")) -> bytes:
    """A real .xlsx (openpyxl opens it): the header row, then the same row again and again until
    the sheet's XML holds `inflated_bytes` — a few hundred kilobytes on disk at most, as many rows
    and as much memory as asked once read."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(header)
    plain = io.BytesIO()
    wb.save(plain)
    row = "<row>" + "".join(f'<c t="inlineStr"><is><t>{"Câu hỏi lặp lại " * 8}</t></is></c>' for _ in header) + "</row>"
    row = row.encode()
    chunk = row * (1024 * 1024 // len(row) + 1)
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            head = head.replace(b'<dimension ref="A1:C1"/>', b"")
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(head)
                rows = inflated_bytes // len(row) + 1
                per_chunk = len(chunk) // len(row)
                for start in range(0, rows, per_chunk):
                    part.write(row * min(per_chunk, rows - start))
                part.write(b"</sheetData>" + tail)
    return bomb.getvalue()
