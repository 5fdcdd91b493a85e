"""A change of unit is recorded whatever path it takes; a unit never moves under its own subtree."""

import pytest
from django.core.exceptions import ValidationError

from accounts.enums import Role
from accounts.models import Organization, Profile, ProfileUnitChange, organization_refresh_paths
from accounts.services import organizations_import, profile_save
from tests.factories import OrganizationFactory, ProfileFactory, contestant, staff_user

pytestmark = pytest.mark.django_db


def _profile_form(profile, **changes):
    data = {
        "phone": profile.phone,
        "organization": profile.organization_id,
        "position": profile.position,
        "is_party_member": "on" if profile.is_party_member else "",
        "unit_changes-TOTAL_FORMS": 0,
        "unit_changes-INITIAL_FORMS": 0,
    }
    return data | changes


def test_admin_profile_unit_change_is_recorded_with_who(client, organizer):
    profile = ProfileFactory()
    old, new = profile.organization, OrganizationFactory()
    client.force_login(organizer)

    response = client.post(
        f"/admin/accounts/profile/{profile.pk}/change/", _profile_form(profile, organization=new.pk, phone="0912 345 678")
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.organization, profile.phone) == (new, "0912345678")
    change = ProfileUnitChange.objects.get()
    assert (change.old_organization, change.new_organization, change.changed_by) == (old, new, organizer)


def test_admin_profile_bad_phone_is_a_vietnamese_error(client, organizer):
    profile = ProfileFactory()
    client.force_login(organizer)
    response = client.post(f"/admin/accounts/profile/{profile.pk}/change/", _profile_form(profile, phone="12345"))
    assert response.status_code == 200
    assert "Số điện thoại di động không hợp lệ" in response.content.decode()


def test_admin_profile_of_a_staff_member_is_view_only_for_organizers(client, organizer):
    staff_profile = ProfileFactory(user=staff_user(Role.SECRETARIAT))
    client.force_login(organizer)
    response = client.post(
        f"/admin/accounts/profile/{staff_profile.pk}/change/", _profile_form(staff_profile, organization=OrganizationFactory().pk)
    )
    assert response.status_code == 403
    assert not ProfileUnitChange.objects.exists()


def test_plain_save_with_a_new_unit_is_recorded_and_other_saves_are_not():
    profile = ProfileFactory()
    old, new = profile.organization, OrganizationFactory()

    profile.position = "Trưởng phòng"
    profile.save()
    profile.phone = "0987654321"
    profile.organization = new
    profile.save(update_fields=["phone"])  # the unit is not among the saved fields
    assert not ProfileUnitChange.objects.exists()

    profile.save()

    change = ProfileUnitChange.objects.get()
    assert (change.old_organization, change.new_organization, change.changed_by) == (old, new, None)
    assert Profile.objects.get(pk=profile.pk).organization == new


def test_profile_save_records_one_change_by_the_user_themselves():
    user = contestant()
    old, new = user.profile.organization, OrganizationFactory()
    profile_save(
        user=user, full_name="Lê Văn Cường", phone="0912345678", organization=new, position="Chuyên viên", is_party_member=True
    )
    change = ProfileUnitChange.objects.get()
    assert (change.old_organization, change.new_organization, change.changed_by) == (old, new, user)


def test_admin_refuses_moving_a_unit_under_its_own_descendant(client, organizer):
    bloc = OrganizationFactory(name="Đảng ủy Khối")
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế", parent=bloc)
    cell = OrganizationFactory(name="Chi bộ Phòng Kiểm tra", parent=tax)
    client.force_login(organizer)
    data = {"code": bloc.code, "name": bloc.name, "short_name": "", "kind": bloc.kind, "sort_order": 0, "is_active": "on"}

    for parent in (cell, bloc):
        response = client.post(f"/admin/accounts/organization/{bloc.pk}/change/", data | {"parent": parent.pk})
        assert response.status_code == 200
        assert "một đơn vị không thể nằm dưới chính nó" in response.content.decode()

    bloc.refresh_from_db()
    cell.refresh_from_db()
    assert bloc.parent is None
    assert cell.path == f"/{bloc.pk}/{tax.pk}/{cell.pk}/"


def test_a_cycle_is_a_validation_error_and_the_save_is_undone():
    bloc = OrganizationFactory()
    cell = OrganizationFactory(parent=OrganizationFactory(parent=bloc))
    bloc.parent = cell

    with pytest.raises(ValidationError) as refused:
        bloc.save()
    assert refused.value.code == "cycle"
    assert Organization.objects.get(pk=bloc.pk).parent_id is None
    with pytest.raises(ValidationError):
        organization_refresh_paths(organization=bloc)


def test_import_moving_a_unit_under_its_descendant_in_the_database_reports_the_row():
    bloc = OrganizationFactory(code="DUK")
    OrganizationFactory(code="CTHUE", parent=bloc)
    rows = [("MOI", "Đơn vị mới", "", "", "", None, 0), ("DUK", "Đảng ủy Khối", "", "Đảng ủy Khối", "CTHUE", None, 0)]

    result = organizations_import(rows=rows)

    # The file check sees the cycle through the units already in the database before any write.
    assert result.errors == ["Dòng 3: cấp trên của đơn vị DUK tạo thành vòng lặp."]
    assert not Organization.objects.filter(code="MOI").exists()
    assert Organization.objects.get(code="DUK").parent is None
