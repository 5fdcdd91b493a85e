"""Walk every registered ModelAdmin, its pages and its actions, as every role.

The tables below say what each role may do. A model registered later without a line here fails
the walk, so whoever adds it decides who may touch it."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from tests.admin.conftest import ROLES, make_user

pytestmark = pytest.mark.django_db

FULL = "vacd"
# model -> role -> what the role may do with the walked object: v(iew) a(dd) c(hange) d(elete).
# Judges and contestants are not staff: the admin sends them to its login page.
EXPECTED = {
    "auth.group": {"superuser": FULL},
    "account.emailaddress": {"superuser": FULL},
    "accounts.user": {"superuser": FULL, "organizer": "vc", "secretariat": "v"},  # the contestant's account
    "accounts.profile": {"superuser": "vcd", "organizer": "vc", "secretariat": "v"},
    "accounts.consenttext": {"superuser": "va", "organizer": "va", "secretariat": "v"},  # published: a new version
    "accounts.consent": {"superuser": "v", "organizer": "v", "secretariat": "v"},
    "accounts.deletionrequest": {"superuser": "v", "organizer": "v", "secretariat": "v"},  # handled on /reports/privacy/
    "accounts.organization": {"superuser": FULL, "organizer": "vac", "secretariat": "v"},
    "accounts.unitofficer": {"superuser": "vad", "organizer": "vad", "secretariat": "v"},  # never edited
    "accounts.member": {"superuser": "vcd", "organizer": "vc", "secretariat": "v"},  # added by import
    "contests.contest": {"superuser": FULL, "organizer": FULL, "secretariat": "v"},
    "contests.notification": {"superuser": "v", "organizer": "v", "secretariat": "v"},  # the outbox
    "quiz.field": {"superuser": FULL, "organizer": FULL, "secretariat": "v"},
    "quiz.question": {"superuser": "va", "organizer": "va", "secretariat": "v"},  # in a sealed pool
    "quiz.round": {"superuser": "vac", "organizer": "vac", "secretariat": "v"},  # sealed
    "quiz.roundentry": {"superuser": "v", "organizer": "v", "secretariat": "v"},
    "quiz.prize": {"superuser": "v", "organizer": "v", "secretariat": "v"},
    "quiz.timeextension": {"superuser": "va", "organizer": "va", "secretariat": "v"},  # a record
    "essays.essayphase": {"superuser": FULL, "organizer": "vac", "secretariat": "v"},
    "essays.essay": {"superuser": "vcd", "organizer": "vc", "secretariat": "v"},
    "essays.judginground": {"superuser": FULL, "organizer": "vac", "secretariat": "v"},
    "essays.essayprize": {"superuser": "v", "organizer": "v", "secretariat": "v"},
    "essays.assignment": {"superuser": "vc", "organizer": "vc", "secretariat": "v"},  # never deleted (a conflict off the record)
    "awards.certificate": {"superuser": "v", "organizer": "v", "secretariat": "v"},  # issued by a task
    "awards.prizeamount": {"superuser": FULL, "organizer": FULL, "secretariat": "v"},  # the prize plan's money
    "awards.awarddownload": {"superuser": "v", "organizer": "v", "secretariat": "v"},  # the log of downloads
}
ORGANIZERS = {"superuser", "organizer"}
# Organizers delete unsealed questions and rounds; the walked ones are sealed (object-level refusal).
SEALED = {"quiz.question", "quiz.round"}
# (model, action) -> the roles offered the action. delete_selected follows the delete right.
ACTIONS = {
    ("contests.contest", "copy_contest"): ORGANIZERS,
    ("quiz.round", "approve_and_seal"): ORGANIZERS,
    ("quiz.round", "export_answer_key"): ORGANIZERS,
    ("essays.essay", "publish"): ORGANIZERS,
    ("essays.essay", "unpublish"): ORGANIZERS,
    ("essays.assignment", "reopen"): ORGANIZERS,
    ("essays.judginground", "amend_rubric"): ORGANIZERS,
    ("account.emailaddress", "make_verified"): {"superuser"},
    ("contests.notification", "retry"): ORGANIZERS,
    ("accounts.consenttext", "publish"): ORGANIZERS,
}


def _registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def _allowed(label: str, role: str) -> str:
    return EXPECTED[label].get(role, "")


def _object(model, world):
    if model._meta.label_lower == "accounts.user":
        return world["player"]
    return model._default_manager.order_by("pk").first()


def _snapshot():
    """The rows of every registered model and of its many-to-many tables, one digest a table
    (one query on PostgreSQL); the rows themselves elsewhere."""
    tables = {}
    for model, _a in _registry():
        tables[model._meta.label_lower] = model._meta.db_table
        for field in model._meta.local_many_to_many:
            tables[f"{model._meta.label_lower}.{field.name}"] = field.remote_field.through._meta.db_table
    quote = connection.ops.quote_name
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            return {label: _rows(cursor, f"SELECT * FROM {quote(table)}") for label, table in tables.items()}
    digest = " UNION ALL ".join(
        f"SELECT %s, (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(table)} AS t)"
        for table in tables.values()
    )
    with connection.cursor() as cursor:
        cursor.execute(digest, list(tables))
        return dict(cursor.fetchall())


def _rows(cursor, sql):
    cursor.execute(sql)
    return sorted(map(repr, cursor.fetchall()))


def test_the_snapshot_sees_a_changed_row_and_a_changed_many_to_many_row(world):
    from django.contrib.auth.models import Group, Permission

    from accounts.models import Member

    group = Group.objects.create(name="Nhóm thử")
    before = _snapshot()
    Member.objects.filter(token="walk-token").update(full_name="Lê Văn Mới")
    changed = _snapshot()
    assert {label for label in before if before[label] != changed[label]} == {"accounts.member"}
    group.permissions.add(Permission.objects.get(codename="view_essay"))
    assert {label for label in changed if changed[label] != _snapshot()[label]} == {"auth.group.permissions"}


def _denied(response, role):
    """Staff without the right get 403 (or, for the few custom pages that say so, a redirect);
    everyone else is sent to the admin's login page."""
    if role in ("judge", "contestant"):
        return response.status_code == 302 and "/admin/login/" in response["Location"]
    return response.status_code in (302, 403)


def test_every_registered_admin_has_a_line_in_the_tables():
    assert {model._meta.label_lower for model, _a in _registry()} == set(EXPECTED)
    declared = {
        (model._meta.label_lower, name)
        for model, model_admin in _registry()
        for name in (model_admin.actions or [])
        if isinstance(name, str)
    }
    assert declared == set(ACTIONS)


def test_every_admin_action_declares_who_may_run_it():
    for model, model_admin in _registry():
        for name in model_admin.actions or []:
            func = getattr(model_admin, name) if isinstance(name, str) else name
            assert getattr(func, "allowed_permissions", None), f"{model._meta.label_lower}.{name}"
    assert list(admin.site.get_action("delete_selected").allowed_permissions) == ["delete"]


@pytest.mark.parametrize("role", ROLES)
def test_actions_offered_to_each_role(role, world):
    user = make_user(role)
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in _registry():
        label = model._meta.label_lower
        offered = set(model_admin.get_actions(request))
        expected = {name for (m, name), roles in ACTIONS.items() if m == label and role in roles}
        if "d" in _allowed(label, role) or (label in SEALED and role in ORGANIZERS):
            expected.add("delete_selected")
        assert offered == expected, (label, role)


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_as_each_role(role, world, as_role):
    client = as_role(role)
    for model, _model_admin in _registry():
        label = model._meta.label_lower
        allowed = _allowed(label, role)
        info = (model._meta.app_label, model._meta.model_name)
        obj = _object(model, world)
        urls = {
            "v": reverse("admin:{}_{}_changelist".format(*info)),
            "a": reverse("admin:{}_{}_add".format(*info)),
            "c": reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
            "d": reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]),
        }
        for right, url in urls.items():
            response = client.get(url)
            # The change page is the view page for those who may only look.
            may = right in allowed or (right == "c" and "v" in allowed)
            if may:
                assert response.status_code == 200, (label, role, right, response.status_code)
            else:
                assert _denied(response, role), (label, role, right, response.status_code)
        if "v" in allowed:
            page = client.get(urls["c"]).content.decode()
            assert ('name="_save"' in page) == ("c" in allowed), (label, role)

        before = _snapshot()
        if "c" not in allowed:
            response = client.post(urls["c"], {})
            assert _denied(response, role), (label, role, "post change", response.status_code)
        if "d" not in allowed:
            response = client.post(urls["d"], {"post": "yes"})
            assert _denied(response, role), (label, role, "post delete", response.status_code)
        assert _snapshot() == before, (label, role)


@pytest.mark.parametrize("role", ROLES)
def test_admin_actions_as_each_role(role, world, as_role):
    """Every action posted by every role: never a 500; a role not offered it changes nothing and
    downloads nothing."""
    client = as_role(role)
    for model, model_admin in _registry():
        label = model._meta.label_lower
        obj = _object(model, world)
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        names = [n for n in (model_admin.actions or []) if isinstance(n, str)] + ["delete_selected"]
        for name in names:
            offered = role in ACTIONS.get((label, name), set()) or (
                name == "delete_selected" and ("d" in _allowed(label, role) or label in SEALED and role in ORGANIZERS)
            )
            before = _snapshot()
            response = client.post(url, {"action": name, "_selected_action": [obj.pk]})
            assert response.status_code < 500, (label, name, role)
            if not offered:
                assert "Content-Disposition" not in response, (label, name, role)
                assert _snapshot() == before, (label, name, role)


# Custom admin pages: the roles that get the page (others are refused or sent back).
CUSTOM_PAGES = {
    "/admin/quiz/question/export.xlsx": ORGANIZERS,
    "/admin/quiz/question/export.zip": ORGANIZERS,
    "/admin/quiz/question/import/": ORGANIZERS,
    "/admin/quiz/question/template.xlsx": {"superuser", "organizer", "secretariat"},
    "/admin/quiz/round/{round}/pool/": ORGANIZERS,
    "/admin/quiz/round/{round}/extend/": ORGANIZERS,
    "/admin/quiz/round/{round}/analysis/": {"superuser", "organizer", "secretariat"},
    "/admin/quiz/round/{round}/analysis.xlsx": {"superuser", "organizer", "secretariat"},
    "/admin/accounts/organization/import/": ORGANIZERS,
    "/admin/accounts/member/import/": ORGANIZERS,
    "/admin/accounts/user/{player}/password/": {"superuser"},
}


@pytest.mark.parametrize("role", ROLES)
def test_custom_admin_pages_as_each_role(role, world, as_role):
    client = as_role(role)
    for pattern, roles in CUSTOM_PAGES.items():
        url = pattern.format(round=world["round"].pk, player=world["player"].pk)
        response = client.get(url)
        if role in roles:
            assert response.status_code == 200, (url, role)
        else:
            assert _denied(response, role), (url, role, response.status_code)
            assert "Content-Disposition" not in response, (url, role)


def _form_data(response) -> dict:
    """What the browser would send back for the change page as shown: every field of the form
    and of its inlines with its current value."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {bf.html_name: bf.value() for bf in formset.management_form}
        forms += list(formset.forms)
    for form in forms:
        for bf in form:
            value = bf.value()
            widget = bf.field.widget
            if getattr(widget, "widgets", None) and not isinstance(value, list):
                for i, part in enumerate(widget.decompress(value)):
                    data[f"{bf.html_name}_{i}"] = "" if part is None else part
            elif isinstance(value, bool) or bf.widget_type == "checkbox":
                if value:
                    data[bf.html_name] = "on"
            elif value is not None:
                data[bf.html_name] = value
    return data


@pytest.mark.parametrize("role", ["superuser", "organizer"])
def test_change_forms_saved_unchanged_never_fail(role, world, as_role):
    """Every change form the role may edit, posted back as shown, saves: never a 500, whatever
    service sits behind save_model."""
    client = as_role(role)
    for model, _model_admin in _registry():
        label = model._meta.label_lower
        if "c" not in _allowed(label, role):
            continue
        obj = _object(model, world)
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        shown = client.get(url)
        response = client.post(url, _form_data(shown))
        assert response.status_code == 302, (label, role, response.status_code)


@pytest.mark.parametrize("role", ["superuser", "organizer"])
def test_add_forms_posted_blank_answer_with_form_errors(role, world, as_role):
    client = as_role(role)
    for model, _model_admin in _registry():
        label = model._meta.label_lower
        if "a" not in _allowed(label, role):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        before = model._default_manager.count()
        response = client.post(url, _form_data(client.get(url)))
        assert response.status_code == 200, (label, role, response.status_code)
        assert response.context["adminform"].form.errors, (label, role)
        assert model._default_manager.count() == before, (label, role)
