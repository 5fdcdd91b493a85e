"""Both languages are complete.

The catalogues: every entry of the English catalogue is translated and none is a fuzzy guess; the
catalogue lists exactly the strings the sources mark for translation; each compiled .mo holds what
its .po says. The pages: a Vietnamese page shows none of Django's or allauth's English strings
(password rules, login errors, the admin's filters and labels), and an English page shows no
Vietnamese the interface wrote (the data is stripped of its diacritics first, so that any letter
left with one comes from a string nobody marked for translation)."""

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# Placeholders that must survive translation unchanged: %(name)s, %s, %d, {name}, a literal %%.
PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sd]|%[sd]|%\(\w+\)02d|\{\w+\}")


# Every catalogue the project keeps: locale/<language>/LC_MESSAGES/<domain>.po.
CATALOGUES = sorted(str(path.relative_to(LOCALE)) for path in LOCALE.glob("*/LC_MESSAGES/*.po"))


def _entries(po):
    return [e for e in po if not e.obsolete and e.msgid]


def _key(entry):
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.fixture(autouse=True)
def _language_restored(settings):
    """A request with the English cookie leaves English active in this thread: put Vietnamese back
    so that the tests after these read Vietnamese messages."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- the catalogues ----------------------------------------------------------------------------


def test_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in _entries(po) if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [e.msgid for e in _entries(po) if "fuzzy" in e.flags]
    assert untranslated == [], "give these an English msgstr in locale/en/LC_MESSAGES/django.po"
    assert fuzzy == [], "check these guesses, correct them and remove the '#, fuzzy' flag"


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_translations_keep_every_placeholder(catalogue):
    po = polib.pofile(str(LOCALE / catalogue))
    wrong = []
    for e in _entries(po):
        # A plural entry's first form may leave the count out as its singular source does
        # («Một kết quả …» / «One result …»); every other form keeps the plural source's.
        pairs = (
            [((e.msgid,), e.msgstr)]
            if not e.msgid_plural
            else [((e.msgid_plural, e.msgid) if n == 0 else (e.msgid_plural,), s) for n, s in e.msgstr_plural.items()]
        )
        for sources, text in pairs:
            if text and all(sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(text)) for src in sources):
                wrong.append((sources[0], text))
    assert wrong == []


@pytest.mark.parametrize("catalogue", [c for c in CATALOGUES if c.startswith("vi/")])
def test_vietnamese_catalogues_have_no_fuzzy_or_empty_entry(catalogue):
    """locale/vi holds only what Django's and allauth's own Vietnamese catalogues lack (django.po;
    djangojs.po for the admin's scripts); the project's strings are Vietnamese in the sources and
    are not listed there."""
    po = polib.pofile(str(LOCALE / catalogue))
    assert [e.msgid for e in _entries(po) if "fuzzy" in e.flags or not e.translated()] == []


def _extract(tmp_path) -> set:
    """The msgids makemessages finds in the sources today, extracted in a copy of the project so
    that the real catalogue is never touched."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is missing (apt-get install gettext)")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "project"
    skip = {".venv", ".git", "node_modules", "staticfiles", "media", "private_media", "locale", "__pycache__"}
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if skip & set(relative.parts) or not path.is_file() or path.suffix not in {".py", ".html", ".txt"}:
            continue
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=.venv", "--ignore=staticfiles"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "contest_site.settings"},
    )
    return {_key(e) for e in _entries(polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po")))}


def test_english_catalogue_is_up_to_date_with_the_sources(tmp_path):
    found = _extract(tmp_path)
    listed = {_key(e) for e in _entries(polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po")))}
    hint = "run 'make messages', translate the new entries, and commit the .po and .mo"
    assert sorted(found - listed) == [], f"strings missing from the catalogue: {hint}"
    assert sorted(listed - found) == [], f"strings no source uses any more: {hint}"


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_compiled_catalogue_matches_its_source(catalogue):
    po = polib.pofile(str(LOCALE / catalogue))
    mo = polib.mofile(str(LOCALE / catalogue)[: -len(".po")] + ".mo")

    def table(entries):
        return {
            _key(e): (e.msgstr if not e.msgid_plural else tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural)))
            for e in entries
        }

    compiled = table(e for e in _entries(mo))
    source = table(e for e in _entries(po) if e.translated() and "fuzzy" not in e.flags)
    assert compiled == source, f"locale/{catalogue}: run 'make messages' (compilemessages) and commit the .mo"


# --- the pages ---------------------------------------------------------------------------------


class _Text(HTMLParser):
    """What a person reads: the text outside <script>/<style>, and the attributes shown or spoken
    (title, placeholder, aria-label, alt, a button's value) or handed to scripts to show (data-msg-*)."""

    SHOWN = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            button = name == "value" and attrs.get("type") in {"submit", "button"}
            shown = name in self.SHOWN or name.startswith("data-msg") or button
            if shown and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def _visible(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return "\n".join(parser.parts)


# English strings of Django, its admin and allauth that reached Vietnamese pages before their
# Vietnamese was provided in locale/vi.
ENGLISH = [
    "This password is too short",
    "This password is too common",
    "This password is entirely numeric",
    "The password is too similar",
    "You must type the same password each time",
    "This field is required",
    "The email address and/or password you specified are not correct",
    "Show counts",
    "Hide counts",
    "Clear all filters",
    "Filter",
    "Select all",
    "Recent actions",
    "My actions",
    "Log out",
    "View site",
    "Welcome",
    "Skip to main content",
    "Breadcrumbs",
    "Toggle theme",
    "Sidebar",
    "Start typing to filter",
    "Add link",
    "Change or view list link",
    "Model name",
    "Password-based authentication",
    "Enabled",
    "Disabled",
    "Raw passwords are not stored",
    "After you’ve created a user",
    "Sign In",
    "Sign Up",
    "Forgot your password",
    "Password",
    "CONTESTS",
    "Contests",
    "Accounts",
    "Authentication and Authorization",
    "Email addresses",
    "Groups",
    "Users",
    "Django site admin",
    "Please correct the error",
    "Please correct the errors",
]
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in ENGLISH) + r")\b")
# Letters only Vietnamese uses here (Latin letters with Vietnamese diacritics).
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
LANGUAGE_NAMES = ("Tiếng Việt",)  # the language switcher names each language in itself


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _strip_diacritics_from_data():
    """Vietnamese data would hide Vietnamese interface text on an English page: strip it."""
    from contests.models import Decision
    from quiz import pool_cache

    for model in apps.get_models():
        if model is Decision:  # append-only: the fixture gives its rows plain-letter data from the start
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        fields = [f for f in fields if not f.choices and f.name != "password"]
        if not fields:
            continue
        for row in model._default_manager.values("pk", *[f.attname for f in fields]):
            pk = row.pop("pk")
            changed = {k: _ascii(v) for k, v in row.items() if isinstance(v, str) and VIETNAMESE.search(v)}
            if changed:
                model._default_manager.filter(pk=pk).update(**changed)
    cache.clear()  # the pages read questions and figures through caches
    pool_cache.clear()


@pytest.fixture
def site(db, client, django_user_model):
    """A contest with an open, sealed round, a finished attempt, an open essay phase and one user
    per role; returns the pages to walk, each as (user or None, method, url, data)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.enums import Role
    from quiz.services.attempts import attempt_start, attempt_submit
    from tests.essays.factories import EssayPhaseFactory
    from tests.factories import ContestFactory, contestant, staff_user
    from tests.quiz.factories import answer_all, sealed_round

    contest = ContestFactory(name="Contest One")
    sealer = staff_user(Role.ORGANIZER, full_name="Organizer One")
    round = sealed_round(contest=contest, name="Week One", organizer=sealer)
    player = contestant()
    finished = attempt_start(round=round, user=player)
    attempt_submit(attempt=finished, user=player, answers=answer_all(finished, right=15))
    other = contestant()
    open_attempt = attempt_start(round=round, user=other)
    EssayPhaseFactory(contest=contest, opens_at=timezone.now() - timezone.timedelta(days=1))
    secretary = staff_user(Role.SECRETARIAT)
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="x-Strong-Pass-91")
    Group.objects.get_or_create(name=Role.ORGANIZER)
    pages = [
        (None, "post", "/accounts/signup/", {"email": "new@example.com", "password1": "abc", "password2": "abd"}),
        (None, "post", "/accounts/login/", {"login": "nobody@example.com", "password": "wrong-password"}),
        (None, "get", "/accounts/password/reset/", None),
        (None, "get", "/", None),
        (None, "get", "/rules/", None),
        (None, "get", "/stats/", None),
        (player, "get", f"/quiz/rounds/{round.pk}/", None),
        (player, "get", f"/quiz/attempts/{finished.pk}/result/", None),
        (player, "get", f"/quiz/rounds/{round.pk}/leaderboard/", None),
        (player, "get", "/quiz/my-results/", None),
        (player, "get", "/essays/", None),
        (player, "get", "/essays/new/", None),
        (player, "post", "/accounts/profile/", {"full_name": "", "phone": "12"}),
        (other, "get", f"/quiz/attempts/{open_attempt.pk}/", None),
        (player, "get", "/quiz/", None),
        (None, "get", "/quiz/seal/", None),
        (None, "get", "/faq/", None),
        (None, "get", "/documents/", None),
        (staff_user(Role.JUDGE), "get", "/judging/", None),
        (secretary, "get", "/reports/", None),
        (secretary, "get", "/reports/integrity/", None),
        (secretary, "get", "/reports/decisions/", None),
        (secretary, "get", f"/reports/rounds/{round.pk}/winners/", None),
        (secretary, "get", "/essays/manage/", None),
        (sealer, "get", f"/quiz/manage/rounds/{round.pk}/", None),
        (admin, "get", "/admin/", None),
        (admin, "get", "/admin/quiz/question/?_facets=True", None),
        (admin, "get", f"/admin/quiz/round/{round.pk}/change/", None),
        (admin, "get", "/admin/accounts/user/add/", None),
        (admin, "get", "/admin/accounts/organization/", None),
        # An admin form sent back with an error: its banner is a plural message (ngettext).
        (admin, "post", "/admin/auth/group/add/", {"name": ""}),
    ]
    return pages


def _walk(client, pages, language):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for user, method, url, data in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = getattr(client, method)(url, data or {}, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        yield url, _visible(response)


def test_vietnamese_pages_show_no_english(client, site):
    found = {url: sorted(set(ENGLISH_RE.findall(text))) for url, text in _walk(client, site, "vi")}
    found = {url: words for url, words in found.items() if words}
    assert found == {}, "\n".join(f"{url}: {lines}" for url, lines in found.items())


def test_english_pages_show_no_vietnamese(client, site):
    _strip_diacritics_from_data()
    found = {}
    for url, text in _walk(client, site, "en"):
        for name in LANGUAGE_NAMES:
            text = text.replace(name, "")
        lines = sorted({line for line in text.splitlines() if VIETNAMESE.search(line)})
        if lines:
            found[url] = lines
    assert found == {}, "\n".join(f"{url}: {lines}" for url, lines in found.items())


def test_english_pages_are_in_english(client, site):
    """The walk above proves nothing if the pages silently stayed Vietnamese."""
    texts = dict(_walk(client, site, "en"))
    assert "Sign up" in texts["/accounts/signup/"] or "Sign Up" in texts["/accounts/signup/"]
    assert "Leaderboard" in texts[next(url for url in texts if url.endswith("/leaderboard/"))]
    assert "Hide counts" in texts["/admin/quiz/question/?_facets=True"]


def test_translation_functions_keep_names_makemessages_knows():
    """makemessages finds strings by the function's name (gettext, gettext_lazy, ngettext,
    pgettext, _ …): a string passed to an alias such as `_lazy` is never extracted, so it stays
    Vietnamese on English pages."""
    alias = re.compile(r"from django\.utils\.translation import .*\bas (?!_\b)(\w+)")
    wrong = []
    for path in ROOT.rglob("*.py"):
        if {".venv", "node_modules"} & set(path.relative_to(ROOT).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if alias.search(line):
                wrong.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert wrong == []


def test_admin_scripts_are_in_vietnamese(client, admin_user):
    """The admin's JavaScript catalogue (selection boxes, calendar) takes the project's
    locale/vi/LC_MESSAGES/djangojs.po on top of Django's own."""
    client.force_login(admin_user)
    script = client.get("/admin/jsi18n/").content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    assert catalogue["Choose all %s"] == "Chọn tất cả %s"
    assert catalogue["Monday"] == "Thứ hai"
    assert catalogue["%(sel)s of %(cnt)s selected"] == ["Đã chọn %(sel)s/%(cnt)s"]


# --- plurals -----------------------------------------------------------------------------------


def _django_plurals():
    """Every plural message of Django and its admin (their English catalogues list the msgids)."""
    import django

    base = Path(django.__file__).resolve().parent
    for path in (base / "conf/locale/en/LC_MESSAGES/django.po", base / "contrib/admin/locale/en/LC_MESSAGES/django.po"):
        for e in polib.pofile(str(path)):
            if e.msgid_plural and not e.obsolete:
                yield e.msgctxt, e.msgid, e.msgid_plural


@pytest.mark.parametrize(("context", "singular", "plural"), list(_django_plurals()))
def test_django_plural_messages_are_in_vietnamese(context, singular, plural):
    """A plural message is looked up as one (ngettext): a Vietnamese entry without msgid_plural
    does not answer it, and the admin said «Please correct the error below.» in English.
    Vietnamese has one form, so a found entry answers 2 with something else than the English
    plural (its singular may be the same word: «%(size)d byte»)."""
    with translation.override("vi"):
        text = translation.npgettext(context, singular, plural, 2) if context else translation.ngettext(singular, plural, 2)
    assert text != plural


def test_admin_form_error_banner_is_vietnamese(client, admin_user):
    from django.conf import settings

    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.post("/admin/auth/group/add/", {"name": ""})
    assert response.status_code == 200
    assert "Vui lòng sửa lỗi dưới đây." in response.content.decode()


# A count of one reads in the singular in English (the Vietnamese sources say it with ngettext or
# {% blocktranslate count %}; the English catalogue gives both forms).
ONE = [
    ("Anh/chị đã thi đủ %(n)d lần cho phép của tuần này.", "You have used the 1 attempt allowed this round."),
    (
        "Đã lập danh sách %(n)d giải; chờ Tổ Thư ký xác minh.",
        "Prize list of 1 prize drawn up; awaiting the Secretariat's verification.",
    ),
    ("Đã thêm %(n)d câu.", "1 question added."),
    ("Được thi tối đa %(n)s lần.", "Up to 1 attempt."),
    ("%(n)s chữ", "1 word"),
]


@pytest.mark.parametrize(("msgid", "english"), ONE)
def test_a_count_of_one_is_singular_in_english(msgid, english):
    with translation.override("en"):
        assert translation.ngettext(msgid, msgid, 1) % {"n": 1} == english
