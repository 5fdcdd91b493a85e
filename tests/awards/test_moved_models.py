"""Certificates and winners' details moved from reports to awards, the integrity decisions to
audit (reports 0007, awards 0001, audit 0001): rows, tables and the permissions granted on them
survive the move, forward and back."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import ContestFactory, contestant, staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("awards", None), ("audit", None), ("reports", "0006_winner_details_request")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def test_moving_the_models_keeps_their_rows_tables_and_permissions():
    contest, winner = ContestFactory(), contestant()
    secretary = staff_user("secretariat")
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    try:
        assert {"reports_certificate", "reports_integritydecision_users"} <= _tables()
        assert not {"awards_certificate", "audit_integritydecision"} & _tables()
        assert "reports_cer_user_id_c3bd94_idx" in _indexes("reports_certificate")
        now = timezone.now()
        certificate = old.get_model("reports", "Certificate").objects.create(
            kind="participation", code="ABCDE12345", contest_id=contest.pk, user_id=winner.pk,
            holder_name="Nguyễn Văn A", issued_at=now,
        )  # fmt: skip
        decision = old.get_model("reports", "IntegrityDecision").objects.create(
            contest_id=contest.pk, key=f"fast:{winner.pk}", verdict="clear", reason="Đã xác minh", decided_by_id=secretary.pk
        )
        decision.users.add(winner.pk)
        group = Group.objects.create(name="kiểm tra chuyển bảng")
        group.permissions.add(
            Permission.objects.get(content_type__app_label="reports", codename="view_certificate"),
            Permission.objects.get(content_type__app_label="reports", codename="change_integritydecision"),
        )
    finally:
        _migrate(leaves)

    from audit.models import IntegrityDecision
    from awards.models import Certificate

    assert {"awards_certificate", "awards_winnerdetails", "audit_integritydecision", "audit_integritydecision_users"} <= _tables()
    assert not {"reports_certificate", "reports_integritydecision"} & _tables()
    assert "awards_cert_user_id_b3ed4f_idx" in _indexes("awards_certificate")  # the name awards' state knows
    assert {"awards_winn_prize_i_9f3c38_idx", "awards_winn_essay_p_db50d5_idx"} <= _indexes("awards_winnerdetailsrequest")
    assert Certificate.objects.get(pk=certificate.pk).code == "ABCDE12345"
    assert list(IntegrityDecision.objects.get(pk=decision.pk).users.values_list("pk", flat=True)) == [winner.pk]
    granted = set(Group.objects.get(pk=group.pk).permissions.values_list("content_type__app_label", "codename"))
    assert granted == {("awards", "view_certificate"), ("audit", "change_integritydecision")}
    assert not ContentType.objects.filter(app_label="reports", model__in=["certificate", "integritydecision"]).exists()
    # The renamed table still numbers new rows after the old ones.
    later = Certificate.objects.create(
        kind="participation", code="FGHJK67890", contest=ContestFactory(), user=winner, holder_name="A", issued_at=timezone.now()
    )
    assert later.pk > certificate.pk
    member = staff_user("judge")
    member.groups.add(group)
    assert member.has_perm("awards.view_certificate") and member.has_perm("audit.change_integritydecision")
