"""`python manage.py grant_app_role ROLE`: run as the database owner after every `migrate`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contests.append_only import APPEND_ONLY_TABLES
from contests.database_roles import AppRoleError, app_role_grant


class Command(BaseCommand):
    help = (
        "Cấp cho vai trò cơ sở dữ liệu của ứng dụng đúng các quyền nó cần (chạy bằng vai trò chủ sở hữu, "
        "sau mỗi lần migrate). Các bảng chỉ ghi thêm chỉ được SELECT và INSERT."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="vai trò mà web, worker và beat dùng để kết nối")

    def handle(self, *args, role, **options):
        try:
            with transaction.atomic():
                grant = app_role_grant(role=role)
        except AppRoleError as exc:
            raise CommandError(str(exc)) from exc
        for table in grant.missing:
            self.stdout.write(f"Lưu ý: bảng chỉ ghi thêm {table} chưa có (chưa migrate tới); bỏ qua.")
        appended = [t for t in APPEND_ONLY_TABLES if t in grant.tables]
        self.stdout.write(
            f"Đã cấp quyền cho {role}: {len(grant.tables)} bảng, {len(grant.sequences)} sequence; "
            f"chỉ SELECT, INSERT trên {', '.join(appended)}."
        )
