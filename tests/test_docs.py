"""The documentation names only what exists: code references, files, commands, make targets.

What is checked, in README.md and docs/*.md:

- A backticked dotted name whose first part is one of the project's packages (a top-level
  directory holding Python: the apps, contest_site, tests, tools…, so a new app is covered
  without editing this file) must import as a module or resolve to an attribute of one
  (`quiz.services.attempt_deadline`, `quiz.models.AttemptQuerySet.full_score`, a dataclass
  field such as `reports.selectors.UnitRow.members`), or name a model as `app_label.Model`.
  A call written after it is ignored: `quiz.services.rounds.round_approve(confirm_published=True)`.
- A backticked path whose first part is a top-level entry of the repository
  (`scripts/pg-replica.sh`, `tests/quiz/test_seal.py`, `quiz/templatetags/seal_tags.py`) must
  exist; `…` or `...` ends the part checked; `file.py::test_name` must define `test_name`; a
  path to a template (`quiz/attempt.html`) is looked up by Django's template loaders. A bare test
  file name (`test_uploads.py`, `test_headers.py::test_x`) must exist somewhere under tests/; a
  `::test_name` alone belongs to the test file named last before it in the same document.
- A backticked URL of the site (`/quiz/rounds/<id>/receipt/`, placeholders filled in with a
  sample value) must resolve; `/media/` (served by nginx) and filesystem paths are left alone.
- `manage.py COMMAND` (backticked or in a code block) must be a management command;
  `make TARGET` (backticked or at the start of a code-block line) a target of the Makefile;
  `LOADTEST_SCENARIO=X` a scenario of tests/load/run.sh.
- `Model.attribute` where Model is a model of the project (`Prize.objects.valid()`,
  `Round.full_score_actual`) must resolve on the model class.
- A dotted name that starts with a module of some app (`selectors.blind_sheet`,
  `integrity.cases()`: named within its app's context) must resolve in at least one app.
- Every management command of the project's apps is named somewhere in the docs (the other
  direction: a new command comes with its line); `.env.example` names every environment variable
  the code reads; docs/performance.md's «Query budgets» is the table of tests/budgets.py; every
  `contest.E…` error of contest_site/checks.py is in docs/operations.md's table; a label the docs
  quote in «…» is in the code, the templates or the catalogues, or is a section of the docs.

Skipped, on purpose: other names that start with no package, module nor model
(`round.max_attempts`, `results.prizes`: a field or a key of a file), URLs ending with `…`,
settings and environment variables, shell commands other than manage.py and make, and anything
inside a code block except the manage.py, make and LOADTEST_SCENARIO lines and the dotted names
that start with a package.
"""

import dataclasses
import importlib
import re
from functools import cache
from pathlib import Path

from django.apps import apps
from django.core.management import get_commands
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import Resolver404, resolve

from tests.budgets import QUERIES

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP_DIRS = {".venv", "node_modules", "staticfiles", "locale", "static", "templates"}

SPAN = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?:\(.*\))?")
PATH_TOKEN = re.compile(r"[\w.\-…]+(?:/[\w.\-<>…]*)+(?:::\w+)?")
TEST_FILE = re.compile(r"(test_\w+\.py)(?:::(\w+))?")
URL = re.compile(r"/[\w\-/<>.…]*(?:\?[\w=&<>-]*)?")
MANAGE = re.compile(r"manage\.py\s+([a-z][\w-]*)")
MAKE = re.compile(r"^(?:\$\s*)?make\s+([a-z][\w-]*)")


def project_packages():
    """Top-level directories holding Python code: every app, contest_site, tests, tools…"""
    return {
        d.name
        for d in ROOT.iterdir()
        if d.is_dir() and d.name not in SKIP_DIRS and not d.name.startswith(".") and any(d.glob("*.py"))
    }


def project_models():
    """The models of the project's apps by class name (a name two apps share is left out)."""
    packages = project_packages()
    found = {}
    for model in apps.get_models():
        if model.__module__.split(".")[0] in packages:
            found[model.__name__] = None if model.__name__ in found else model
    return {name: model for name, model in found.items() if model}


def loadtest_scenarios():
    """The scenarios tests/load/run.sh knows (the branches of its `case "$scenario"`)."""
    text = (ROOT / "tests" / "load" / "run.sh").read_text()
    branches = text.split('case "$scenario" in', 1)[1].split("esac", 1)[0]
    return set(re.findall(r"^\s*([a-z_]+)\)", branches, re.M))


def make_targets():
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, re.M))


def references():
    """(where, kind, text) for every reference in the docs; kind is a span or a code-block line."""
    for doc in DOCS:
        in_code = False
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            where = f"{doc.relative_to(ROOT)}:{number}"
            if line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            if in_code:
                yield where, "code", line.strip()
            else:
                for span in SPAN.findall(line):
                    yield where, "span", span.strip()


def resolve_dotted(name):
    """None if `name` imports or resolves to an attribute of a module, else what went wrong."""
    parts = name.split(".")
    module, rest = None, []
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError as exc:
            if exc.name and not name.startswith(exc.name):
                # The module exists but needs what this environment lacks (locust for tests/load):
                # its attributes cannot be checked here.
                return None
            continue
        rest = parts[cut:]
        break
    if module is None:
        return "no such module"
    if rest and len(parts) == 2 and apps.is_installed(parts[0]) and not hasattr(module, rest[0]):
        try:
            apps.get_model(parts[0], rest[0])  # app_label.Model
            return None
        except LookupError:
            pass
    return resolve_attributes(module, rest, ".".join(parts[: len(parts) - len(rest)]))


def resolve_attributes(obj, rest, prefix):
    """None if the attribute chain `rest` resolves on obj (the last may be a declared field)."""
    for i, part in enumerate(rest):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        declared = dataclasses.is_dataclass(obj) and part in {f.name for f in dataclasses.fields(obj)}
        declared = declared or part in getattr(obj, "_fields", ())
        declared = declared or any(part in getattr(k, "__annotations__", {}) for k in getattr(obj, "__mro__", ()))
        if declared and i == len(rest) - 1:
            return None
        return f"{'.'.join([prefix, *rest[:i]])} has no {part!r}"
    return None


FILE_SUFFIXES = {
    *("py", "html", "txt", "json", "md", "sh", "yml", "toml", "conf", "crt", "pem", "po", "mo"),
    *("tar", "gz", "zip", "csv", "xlsx", "docx", "pdf", "webp"),
}


def submodule_homes(name, packages):
    """The apps holding a module named like the first part of `name` (`selectors.blind_sheet`:
    every app with a selectors module), unless `name` is a file name (`selectors.py`)."""
    first, _, rest = name.partition(".")
    if not rest or name.rsplit(".", 1)[1] in FILE_SUFFIXES:
        return []
    return sorted(p for p in packages if (ROOT / p / f"{first}.py").exists() or (ROOT / p / first / "__init__.py").exists())


def template_exists(name):
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@cache
def suite_files_by_name():
    return {p.name: p for p in (ROOT / "tests").rglob("test_*.py")}


def check_path(token):
    path, _, test_name = token.partition("::")
    for ellipsis in ("…", "..."):
        if ellipsis in path:
            path = path.split(ellipsis)[0].rstrip("/") or "."
    target = ROOT / path
    if not target.exists():
        if path.endswith((".html", ".txt", ".xml")) and template_exists(path):
            return None
        return "no such file"
    if test_name and not re.search(rf"^\s*(?:(?:async )?def {test_name}\(|class {test_name}\b)", target.read_text(), re.M):
        return f"{path} defines no {test_name}"
    return None


SERVED_ELSEWHERE = {"/media/"}  # by nginx or whitenoise, not by a view
FILESYSTEM = {"usr", "etc", "tmp", "var", "opt", "srv", "home", "dev", "proc", "run"}


def check_url(text):
    """None if the site answers the path (placeholders such as <id> filled in), else the error."""
    path = text.split("?")[0]
    if path.split("/")[1] in FILESYSTEM:
        return None
    if "…" in path:  # a family of URLs (`/accounts/…`): not checked
        return None
    samples = {"sha256": "0" * 64, "id": "1", "n": "1", "part": "quiz"}
    path = re.sub(r"<(\w+)>", lambda m: samples.get(m.group(1), "abc"), path)
    try:
        resolve(path)
    except Resolver404:
        if path in SERVED_ELSEWHERE:
            return None
        return "no URL of the site"
    return None


def named_permissions() -> set[str]:
    """The policy layer's permissions (`app.perm`, each app's rules.py): names, not modules."""
    import rules

    return set(rules.permissions.permissions)


def library_name_error(name: str) -> str | None:
    """django-rules' own names (`rules.add_perm`, `rules.apps.AutodiscoverRulesConfig`): the
    library is a package called `rules`, like each app's module."""
    import importlib

    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return f"{'.'.join(parts[:cut])} has no {attribute!r}"
            target = getattr(target, attribute)
        return None
    return "no such module"


def problems():
    packages = project_packages()
    permissions = named_permissions()
    top_level = {p.name for p in ROOT.iterdir()}
    commands = set(get_commands())
    targets = make_targets()
    models = project_models()
    scenarios = loadtest_scenarios()
    last_file = {}  # per document: the test file a following `::test_name` belongs to
    found = []
    for where, kind, text in references():
        for command in MANAGE.findall(text):
            if command not in commands:
                found.append(f"{where}: manage.py {command}: no such management command")
        for scenario in re.findall(r"LOADTEST_SCENARIO=([a-z_]+)", text):
            if scenario not in scenarios:
                found.append(f"{where}: LOADTEST_SCENARIO={scenario}: no such scenario in tests/load/run.sh")
        make = MAKE.match(text)
        if make and make.group(1) not in targets:
            found.append(f"{where}: make {make.group(1)}: no such target in the Makefile")
        if kind == "code":
            for name in re.findall(r"(?<![\w./-])([a-z_]+(?:\.[A-Za-z_]\w*)+)", text):
                ours = name.split(".")[0] in packages and name.rsplit(".", 1)[1] not in FILE_SUFFIXES
                if ours and (error := resolve_dotted(name)):
                    found.append(f"{where}: {name}: {error}")
            continue
        dotted = DOTTED.fullmatch(text)
        if dotted and dotted.group(1) in permissions:
            continue
        if dotted and dotted.group(1).split(".")[0] == "rules" and dotted.group(1) != "rules.py":
            if error := library_name_error(dotted.group(1)):
                found.append(f"{where}: `{text}`: {error}")
            continue
        if dotted and dotted.group(1).split(".")[0] in packages:
            error = resolve_dotted(dotted.group(1))
            if error:
                found.append(f"{where}: `{text}`: {error}")
            continue
        if dotted and (homes := submodule_homes(dotted.group(1), packages)):
            errors = [resolve_dotted(f"{home}.{dotted.group(1)}") for home in homes]
            if all(errors):
                found.append(f"{where}: `{text}`: in no app ({'; '.join(errors)})")
            continue
        if dotted and dotted.group(1).split(".")[0] in models:
            model, _, attribute = dotted.group(1).partition(".")
            error = resolve_attributes(models[model], attribute.split("."), model)
            if error:
                found.append(f"{where}: `{text}`: {error}")
            continue
        if URL.fullmatch(text):
            error = check_url(text)
            if error:
                found.append(f"{where}: `{text}`: {error}")
            continue
        if (more := re.fullmatch(r"::(\w+)", text)) and last_file.get(where.split(":")[0]):
            error = check_path(f"{last_file[where.split(':')[0]]}::{more.group(1)}")
            if error:
                found.append(f"{where}: `{text}`: {error}")
            continue
        for token in text.split():
            if PATH_TOKEN.fullmatch(token) and token.split("/")[0] in top_level:
                error = check_path(token)
                if error:
                    found.append(f"{where}: `{token}`: {error}")
                elif token.partition("::")[0].endswith(".py"):
                    last_file[where.split(":")[0]] = token.partition("::")[0]
            elif bare := TEST_FILE.fullmatch(token):
                path = suite_files_by_name().get(bare.group(1))
                if path is None:
                    found.append(f"{where}: `{token}`: no such test file under tests/")
                    continue
                last_file[where.split(":")[0]] = str(path.relative_to(ROOT))
                if bare.group(2) and (error := check_path(f"{path.relative_to(ROOT)}::{bare.group(2)}")):
                    found.append(f"{where}: `{token}`: {error}")
    return found


def test_every_code_reference_in_the_docs_exists():
    found = problems()
    assert not found, "references in the docs to nothing:\n" + "\n".join(found)


def test_the_checker_reports_what_does_not_exist():
    assert resolve_dotted("quiz.services.deadlines.attempt_deadline") is None
    assert resolve_dotted("reports.selectors.UnitRow.members") is None
    assert resolve_dotted("quiz.Prize") is None
    assert resolve_dotted("quiz.services.no_such_rule") == "quiz.services has no 'no_such_rule'"
    assert resolve_dotted("quiz.no_such_module.f") == "quiz has no 'no_such_module'"
    assert "essays" in submodule_homes("selectors.blind_sheet", project_packages())
    assert submodule_homes("selectors.py", project_packages()) == []
    models = project_models()
    assert resolve_attributes(models["Prize"], ["objects", "valid"], "Prize") is None
    assert resolve_attributes(models["Round"], ["no_such_field"], "Round") == "Round has no 'no_such_field'"
    assert check_url("/quiz/rounds/<id>/receipt/?receipt=<hex>") is None
    assert check_url("/quiz/no-such-page/") == "no URL of the site"
    assert check_path("scripts/pg-replica.sh") is None
    assert check_path("quiz/attempt.html") is None
    assert check_path("scripts/no-such-script.sh") == "no such file"
    assert check_path("tests/test_docs.py::test_no_such_test") == "tests/test_docs.py defines no test_no_such_test"
    assert {"quiz", "reports", "contest_site", "tests", "tools"} <= project_packages()
    assert {"run", "test", "bench"} <= make_targets()
    assert {"capacity", "faults", "scaled"} <= loadtest_scenarios() and "esac" not in loadtest_scenarios()
    assert MAKE.match("make bench BENCH_DATABASE_URL=x").group(1) == "bench"
    assert MANAGE.findall("docker compose exec web python manage.py seed_demo") == ["seed_demo"]


ENV_READ = re.compile(
    r"""(?:\benv(?:_bool|\.\w+)?|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
NOT_OURS = {"DJANGO_SETTINGS_MODULE"}  # Django's own, set by manage.py, wsgi.py, asgi.py, celery.py


def environment_variables_read():
    """{name: files} of the variables the application's code reads (settings, gunicorn, the apps)."""
    found = {}
    code = [*ROOT.glob("*.py")]
    for package in project_packages() - {"tests", "scripts"}:
        code += (ROOT / package).rglob("*.py")
    for path in code:
        relative = path.relative_to(ROOT)
        for match in ENV_READ.finditer(path.read_text()):
            found.setdefault(match.group(1) or match.group(2), set()).add(str(relative))
    return {name: files for name, files in found.items() if name not in NOT_OURS}


def test_env_example_documents_every_variable_the_application_reads():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    read = environment_variables_read()
    assert {"DATABASE_URL", "DJANGO_DEBUG", "GUNICORN_WORKERS", "FIRST_ORGANIZER_PASSWORD"} <= set(read)
    missing = sorted(f"{name} (read in {', '.join(sorted(read[name]))})" for name in set(read) - documented)
    assert not missing, ".env.example does not document:\n" + "\n".join(missing)


def budget_table():
    """The table of docs/performance.md's «Query budgets», as tests/budgets.py has it."""
    rows = ["| budget | queries | what |", "|---|---|---|"]
    for name, budget in QUERIES.items():
        rows.append(f"| `{name}` | {'≤ ' if budget.at_most else ''}{int(budget)} | {budget.what} |")
    return rows


def test_the_query_budgets_in_the_docs_are_the_ones_the_tests_assert():
    text = (ROOT / "docs" / "performance.md").read_text()
    section = text.split("\n## Query budgets\n", 1)[1].split("\n## ", 1)[0]
    written = [line for line in section.splitlines() if line.startswith("|")]
    expected = budget_table()
    assert written == expected, "docs/performance.md, «Query budgets», should read:\n" + "\n".join(expected)


def test_every_management_command_of_the_project_is_named_in_the_docs():
    packages = project_packages()
    ours = sorted(name for name, app in get_commands().items() if app.split(".")[0] in packages)
    assert {"seed_demo", "verify_results", "grant_app_role"} <= set(ours)
    text = "\n".join(doc.read_text() for doc in DOCS)
    unnamed = [name for name in ours if not re.search(rf"(?<![\w-]){name}(?![\w-])", text)]
    assert not unnamed, "management commands the README and docs/ never name: " + ", ".join(unnamed)


def test_every_deploy_check_error_is_in_the_operations_table():
    raised = {int(n) for n in re.findall(r"\berror\((\d+)", (ROOT / "contest_site" / "checks.py").read_text())}
    assert {1, 8, 9} <= raised
    operations = (ROOT / "docs" / "operations.md").read_text()
    table = operations.split("## Before every start", 1)[1].split("\n## ", 1)[0].splitlines()
    documented = {int(n) for line in table if line.startswith("| E") for n in re.findall(r"\bE(\d{3})\b", line)}
    assert not raised - documented, f"contest.E… errors missing from docs/operations.md: {sorted(raised - documented)}"


LIBRARY_LABELS = {"Periodic tasks"}  # django-celery-beat's admin, not ours


def test_every_label_the_docs_quote_is_on_screen_or_a_section():
    """«Duyệt và niêm phong», «Sao chép cuộc thi»: a button, a page or a field the docs send people
    to must exist in the code, the templates or the catalogues — or be a section of the docs."""
    sources = [ROOT / "locale"] + [ROOT / p for p in project_packages() - {"tests", "scripts"}] + [ROOT / "templates"]
    text = "\n".join(
        path.read_text(errors="ignore").lower()
        for folder in sources
        for path in folder.rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".po"}
    )
    headings = "\n".join(line.lower() for doc in DOCS for line in doc.read_text().splitlines() if line.startswith("#"))
    quoted = {(doc.relative_to(ROOT), label) for doc in DOCS for label in re.findall(r"«([^»\n]+)»", doc.read_text())}
    assert len(quoted) > 30
    missing = sorted(
        f"{doc}: «{label}»"
        for doc, label in quoted
        if label not in LIBRARY_LABELS and label.lower() not in text and label.lower() not in headings
    )
    assert not missing, "labels quoted in the docs that nothing shows:\n" + "\n".join(missing)
