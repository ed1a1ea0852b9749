"""The core's layers, read from its imports (issue 18, "One clear house").

    records (field rules and the records the store hands out; no SQLAlchemy)
      -> storage: database access (store.py), then the notebook file and the review store
        -> aggregation and reports (aggregate, scoring, published, disclosure, board, boardpack, history, ...)
          -> Streamlit glue (ui/) -> pages

Checked without importing anything: each module's `import` statements, parsed with `ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "src" / "joiningforces"
STORAGE = CORE / "storage"
# What sits above storage: storage never imports these.
ABOVE_STORAGE = {"aggregate", "scoring", "published", "disclosure", "boardpack", "history", "report", "charts",
                 "board", "notebook", "exports", "recommend", "review_views", "serve", "cli", "studio"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(CORE.parent).with_suffix("").parts)


def imports(path: Path) -> list[tuple[str, list[str], ast.AST]]:
    """(absolute module imported, names taken from it, the node) for every import in the file."""
    package = module_name(path).rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [alias.name for alias in node.names]
            found.append((base, names, node))
            if not node.module:  # `from . import schema`: each name is a module
                found += [(f"{base}.{name}", [], node) for name in names]
    return found


def imported_modules(path: Path) -> set[str]:
    return {name for name, _, _ in imports(path)}


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def storage_modules() -> list[Path]:
    return sorted(STORAGE.glob("*.py"))


def test_records_are_plain_python():
    records = CORE / "records.py"
    assert records.exists(), "the records and field rules live in joiningforces/records.py"
    for name in imported_modules(records):
        assert not name.startswith("sqlalchemy"), f"records imports {name}"
        assert not name.startswith("joiningforces.storage"), f"records imports {name}"
        assert name.split(".")[-1] not in ABOVE_STORAGE, f"records imports {name}, which sits above it"


@pytest.mark.parametrize("path", storage_modules(), ids=lambda p: p.name)
def test_storage_imports_nothing_above_it(path):
    for name in imported_modules(path):
        if name.startswith("joiningforces.") and not name.startswith("joiningforces.storage"):
            assert name.split(".")[1] not in ABOVE_STORAGE, f"storage/{path.name} imports {name}"


@pytest.mark.parametrize("path", storage_modules(), ids=lambda p: p.name)
def test_storage_has_no_imports_hidden_in_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("joiningforces")):
                    pytest.fail(f"storage/{path.name}:{node.lineno} imports {node.module} inside {func.name}()")


def test_no_core_module_takes_a_private_name_from_another():
    for path in core_modules():
        for name, names, node in imports(path):
            if name.startswith("joiningforces"):
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                assert not private, f"{module_name(path)}:{node.lineno} imports {private} from {name}"


def test_no_module_reaches_into_the_store_or_reviews_private_members():
    for path in core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                owner = ast.unparse(node.value)
                if owner.split(".")[-1] in ("store", "reviews", "Store", "Reviews", "notebook"):
                    pytest.fail(f"{module_name(path)}:{node.lineno} uses {owner}.{node.attr}")


def test_the_storage_modules_import_each_other_without_a_cycle():
    graph = {module_name(p): {n for n in imported_modules(p) if n.startswith("joiningforces.storage.")}
             for p in storage_modules() if p.name != "__init__.py"}

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " -> ".join(path + (node,))
        for nxt in graph.get(node, ()):
            visit(nxt, path + (node,))

    for start in graph:
        visit(start, ())


def test_reports_and_history_use_records_not_the_store():
    for name in ("boardpack.py", "history.py", "review_views.py"):
        for module in imported_modules(CORE / name):
            assert not module.startswith("joiningforces.storage"), f"{name} imports {module}"


def test_validators_are_written_once():
    """The field rules are defined in records only: the store and the notebook file use them."""
    rules = ("TOKEN_RE", "UID_RE", "HEX64_RE", "OWNER_RE", "ID_RE", "MAX_NAME", "MAX_NOTE", "MAX_ACTION_TEXT")
    for path in storage_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign):
                defined = {t.id for t in node.targets if isinstance(t, ast.Name)}
                assert not defined & set(rules), f"storage/{path.name} defines {defined & set(rules)} again"
