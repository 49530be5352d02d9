"""The apps form one-way layers: no module imports from an app above its own, and no module imports itself
back through others (no import cycles, within an app too).

Every first-party .py file is read with `ast` (no import is executed): module-level imports, imports inside
functions, classes and `if` blocks, and `importlib.import_module("...")` with a literal name. An
`import_module` whose name is computed cannot be checked and fails too: name the module, or let the higher
app register itself (see docs/architecture.md, "Layers").
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: an app may import only from the apps before it.
ORDER = (
    "audit",
    "accounts",
    "qualifications",
    "evidence",
    "assessment",
    "verification",
    "printing",
    "portability",
    "api",
    "portfolio_site",
)
# First-party code outside the apps: may import any app, but takes part in the cycle check.
OTHER_PACKAGES = ("tests", "bench", "tools")
SKIP_DIRS = {"__pycache__", ".venv", "node_modules"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the first-party module imported
    path: str  # the importing file, relative to the root
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def find_modules(root: Path, packages) -> dict[str, Path]:
    """{dotted module name: file} for every .py file under the named top-level packages of `root`."""
    modules = {}
    for package in packages:
        base = root / package
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if SKIP_DIRS & set(path.relative_to(root).parts):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _package_of(module: str, path: Path) -> list[str]:
    """The package a relative import in `module` starts from."""
    parts = module.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def _relative(module: str, path: Path, level: int, name: str | None) -> str:
    package = _package_of(module, path)
    package = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join(package + ([name] if name else []))


def _known(name: str, modules) -> str | None:
    """The first-party module `name` refers to: itself, or the nearest package above it that is ours."""
    while name:
        if name in modules:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return None


def _is_import_module(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )


def imports_of(module: str, path: Path, modules, root: Path) -> tuple[list[Import], list[str]]:
    """The first-party imports of one file, and the problems that make it uncheckable."""
    rel = str(path.relative_to(root))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found, problems = [], []

    def add(name, node):
        target = _known(name, modules)
        if target is not None and target != module:
            found.append(Import(module, target, rel, node.lineno))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            base = _relative(module, path, node.level, node.module) if node.level else (node.module or "")
            for alias in node.names:
                # `from pkg import name`: the submodule pkg.name when there is one, else pkg itself
                candidate = f"{base}.{alias.name}"
                add(candidate if candidate in modules else base, node)
        elif isinstance(node, ast.Call) and _is_import_module(node):
            arg = (
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
            )
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                name = arg.value
                if name.startswith("."):
                    level = len(name) - len(name.lstrip("."))
                    name = _relative(module, path, level, name.lstrip(".") or None)
                add(name, node)
            else:
                problems.append(f"{rel}:{node.lineno} import_module with a computed name (cannot be checked)")
    return found, problems


def app_of(module: str) -> str | None:
    top = module.split(".", 1)[0]
    return top if top in ORDER else None


def upward_imports(imports, order=ORDER) -> list[str]:
    rank = {app: i for i, app in enumerate(order)}
    out = []
    for imp in imports:
        a, b = imp.source.split(".", 1)[0], imp.target.split(".", 1)[0]
        if a in rank and b in rank and rank[b] > rank[a]:
            out.append(f"{imp.where()} imports {imp.target} ({a} -> {b}, upward)")
        elif a in rank and b not in rank:
            out.append(
                f"{imp.where()} imports {imp.target} ({a} -> {b}: an app imports no test or tool code)"
            )
    return out


def cycles(imports) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        edges.setdefault(imp.source, set()).add(imp.target)
        edges.setdefault(imp.target, set())
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def describe_cycle(component, imports) -> str:
    members = set(component)
    lines = sorted(
        {
            f"{imp.where()} {imp.source} -> {imp.target}"
            for imp in imports
            if imp.source in members and imp.target in members
        }
    )
    return "cycle: " + " <-> ".join(component) + "\n    " + "\n    ".join(lines)


def walk(root: Path, packages) -> tuple[list[Import], list[str]]:
    modules = find_modules(root, packages)
    imports, problems = [], []
    for module, path in modules.items():
        found, trouble = imports_of(module, path, modules, root)
        imports += found
        problems += trouble
    return imports, problems


# --- the project --------------------------------------------------------------------------------------------
def _project():
    return walk(ROOT, ORDER + OTHER_PACKAGES)


def test_the_walker_sees_the_project():
    """Not vacuous: every app is found, and the imports known to be there are read."""
    imports, _ = _project()
    modules = {imp.source for imp in imports}
    assert {app_of(m) for m in modules} >= set(ORDER)
    pairs = {(imp.source, imp.target) for imp in imports}
    assert ("assessment.services", "audit.services") in pairs or any(
        s.startswith("assessment.services") and t == "audit.services" for s, t in pairs
    )
    assert len(imports) > 500


def test_no_app_imports_an_app_above_it():
    imports, problems = _project()
    broken = upward_imports(imports) + problems
    assert not broken, "imports against the layers " + " < ".join(ORDER) + ":\n" + "\n".join(broken)


def test_no_import_cycles():
    imports, _ = _project()
    found = cycles(imports)
    assert not found, "import cycles:\n" + "\n".join(describe_cycle(c, imports) for c in found)


# --- the walker itself, on a tiny package it writes -----------------------------------------------------
def _write(root: Path, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_walker_finds_upward_imports_of_every_kind(tmp_path):
    _write(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "import os\nfrom high import b\n",  # module level
            "low/c.py": "def f():\n    from high.b import thing\n    return thing\n",  # function-local
            "low/d.py": "import importlib\nmod = importlib.import_module('high.b')\n",  # by name
            "low/e.py": "from importlib import import_module\nimport_module(name)\n",  # computed
            "low/f.py": "from . import a\nfrom .a import os\n",  # relative, downward
            "high/__init__.py": "",
            "high/b.py": "from low.a import os\nthing = 1\n",  # downward: fine
        },
    )
    imports, problems = walk(tmp_path, ("low", "high"))
    assert upward_imports(imports, order=("low", "high")) == [
        "low/a.py:2 imports high.b (low -> high, upward)",
        "low/c.py:2 imports high.b (low -> high, upward)",
        "low/d.py:2 imports high.b (low -> high, upward)",
    ]
    assert problems == ["low/e.py:2 import_module with a computed name (cannot be checked)"]
    assert {(i.source, i.target) for i in imports if i.source == "low.f"} == {("low.f", "low.a")}


def test_the_walker_finds_cycles_within_an_app_and_across(tmp_path):
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": "from app.permissions import can\n",
            "app/permissions.py": "def can():\n    from .models import Thing\n",  # hidden in a function
            "app/rules.py": "from . import planner\n",
            "app/planner.py": "from app import rules\n",
            "app/ok.py": "from app import models\n",  # into a cycle, not in one
            "other/__init__.py": "",
            "other/x.py": "import other.y\n",
            "other/y.py": "from other import z\n",
            "other/z.py": "import other.x\n",
        },
    )
    imports, _ = walk(tmp_path, ("app", "other"))
    assert cycles(imports) == [
        ["app.models", "app.permissions"],
        ["app.planner", "app.rules"],
        ["other.x", "other.y", "other.z"],
    ]
    assert "app/permissions.py:2 app.permissions -> app.models" in describe_cycle(
        ["app.models", "app.permissions"], imports
    )


def test_the_walker_passes_a_clean_package(tmp_path):
    _write(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "import json\n",
            "high/__init__.py": "from low import a\n",
            "high/b.py": "from high import c\nfrom low.a import json\n",
            "high/c.py": "import importlib\nimportlib.import_module('low.a')\n",
        },
    )
    imports, problems = walk(tmp_path, ("low", "high"))
    assert len(imports) == 4 and not problems
    assert upward_imports(imports, order=("low", "high")) == [] and cycles(imports) == []
