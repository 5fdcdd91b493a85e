"""The apps form layers with no cycle: contests (the campaign and the shared helpers every part
uses: text, cleaning, downloads, the prize lifecycle, the decision log, the frame of the contest
copy) at the bottom, then accounts, then the two parts (quiz, essays), then reports (figures,
exports and their jobs), then audit (recomputes results and the figures, the integrity review,
the decision log's pages), then awards (prizes across both parts: verification pages, which show
the integrity review's warnings, certificates, winners' details), then privacy (a person's data
from every app), then operations on top. A module may import only from its own app and the layers
below it; function-level imports count too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "contests": set(),
    "accounts": {"contests"},
    "quiz": {"contests", "accounts"},
    "essays": {"contests", "accounts"},
    "reports": {"contests", "accounts", "quiz", "essays"},
    "audit": {"contests", "accounts", "quiz", "essays", "reports"},
    "awards": {"contests", "accounts", "quiz", "essays", "reports", "audit"},
    "privacy": {"contests", "accounts", "quiz", "essays", "reports", "audit", "awards"},
    "operations": {"contests", "accounts", "quiz", "essays", "reports", "audit", "awards", "privacy"},
}


def _imports(path: Path, app: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]


def test_apps_import_only_from_the_layers_below():
    wrong = []
    for app, allowed in ALLOWED.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, target in _imports(path, app):
                if target in ALLOWED and target != app and target not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == []


def test_models_import_no_services_or_views_of_their_app():
    """Inside an app, models are the bottom layer: services, selectors and views import them,
    never the other way round (the path of a unit is kept in accounts.models for that reason)."""
    wrong = []
    for app in ALLOWED:
        path = ROOT / app / "models.py"
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                wrong += [f"{app}/models.py:{node.lineno} imports .{n}" for n in names if n and n.split(".")[0] in {
                    "services", "selectors", "views", "admin", "forms"}]  # fmt: skip
    assert wrong == []
