"""The application's database role: what the web app and the workers may do, granted by the owner.

The tables belong to the owning role that runs `migrate`. The web app, the workers and beat connect
as another role that owns nothing, granted by `app_role_grant` (the `grant_app_role` command):
CONNECT, USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on every ordinary table, USAGE/SELECT on
the sequences, SELECT only on django_migrations, and only SELECT/INSERT on the append-only tables
(contests.append_only). Without ownership it cannot ALTER, DROP or disable a trigger, nor TRUNCATE.

Grants name the tables that exist now: a migration that adds a table needs `grant_app_role` again
(ALTER DEFAULT PRIVILEGES would not do — it cannot tell an append-only table from another).
Everything is revoked and granted again each run, so running it twice gives the same rights."""

from dataclasses import dataclass, field

from django.db import connections
from django.utils.translation import gettext as _

from .append_only import APPEND_ONLY_TABLES

# Read by the app (nothing at run time writes the migration history).
READ_ONLY_TABLES = ("django_migrations",)


class AppRoleError(Exception):
    """The role cannot be granted (missing, a superuser, owns tables, not PostgreSQL)."""


@dataclass
class AppRoleGrant:
    tables: dict[str, str] = field(default_factory=dict)  # table -> privileges granted
    sequences: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # listed append-only tables not created yet


def table_privileges(table: str) -> str:
    """What the application's role may do with a table: one rule, read by the grant and the tests."""
    if table in APPEND_ONLY_TABLES:
        return "SELECT, INSERT"
    if table in READ_ONLY_TABLES:
        return "SELECT"
    return "SELECT, INSERT, UPDATE, DELETE"


def app_role_grant(*, role: str, using: str = "default") -> AppRoleGrant:
    """Grant `role` exactly what the application needs on the current database and schema, as the
    owner (the connection's user). Idempotent. Raises AppRoleError when the role cannot be the
    application's: missing, the owner itself or a member of it, a superuser, or owning a table."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise AppRoleError(_("Chỉ cấp quyền được trên PostgreSQL (cơ sở dữ liệu đang dùng: %(v)s).") % {"v": connection.vendor})
    qn = connection.ops.quote_name
    result = AppRoleGrant()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.oid, r.rolsuper, r.rolbypassrls, pg_has_role(r.oid, current_user, 'MEMBER'), current_database(), "
            "current_schema() FROM pg_roles r WHERE r.rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            raise AppRoleError(_("Vai trò cơ sở dữ liệu «%(role)s» không tồn tại; hãy tạo trước (CREATE ROLE).") % {"role": role})
        oid, superuser, bypass_rls, owner_member, database, schema = row
        if superuser or bypass_rls:
            raise AppRoleError(_("Vai trò «%(role)s» là superuser; ứng dụng phải dùng một vai trò thường.") % {"role": role})
        if owner_member:
            raise AppRoleError(
                _(
                    "Vai trò «%(role)s» là chủ sở hữu các bảng (hoặc thành viên của chủ sở hữu); "
                    "ứng dụng phải dùng một vai trò khác."
                )
                % {"role": role}
            )
        # Owning a table, or being a member of a role that owns one, is owning it: ALTER, DROP and
        # DISABLE TRIGGER would be open.
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY c.relname LIMIT 5",
            [oid],
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise AppRoleError(
                _("Vai trò «%(role)s» đang sở hữu %(tables)s; ứng dụng phải dùng một vai trò không sở hữu gì.")
                % {"role": role, "tables": ", ".join(owned)}
            )
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'p', 'S') ORDER BY c.relname"
        )
        relations = cursor.fetchall()
        statements = [
            f"GRANT CONNECT ON DATABASE {qn(database)} TO {qn(role)}",
            f"GRANT USAGE ON SCHEMA {qn(schema)} TO {qn(role)}",
            f"REVOKE CREATE ON SCHEMA {qn(schema)} FROM {qn(role)}",
        ]
        for name, kind in relations:
            statements.append(f"REVOKE ALL ON {qn(name)} FROM {qn(role)}")
            if kind == "S":
                statements.append(f"GRANT USAGE, SELECT ON SEQUENCE {qn(name)} TO {qn(role)}")
                result.sequences.append(name)
            else:
                privileges = table_privileges(name)
                statements.append(f"GRANT {privileges} ON {qn(name)} TO {qn(role)}")
                result.tables[name] = privileges
        for statement in statements:
            cursor.execute(statement)
    result.missing = [table for table in APPEND_ONLY_TABLES if table not in result.tables]
    return result
