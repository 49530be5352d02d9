"""Check that a module split into a package moved its code unchanged.

    python tools/check_module_split.py OLD_MODULE.py NEW_PACKAGE_DIR

Every top-level function, class and assignment of the old module must appear, with the same AST and the same
source text, in exactly one module of the new package (a relative import one package deeper, `from ..models`
for the old `from .models`, counts as the same); nothing new may be defined; the package's `__init__.py` must
re-export every old top-level name; a single-dot import inside the package must name a sibling module.
Exits 1 and names what differs otherwise. The old module can be had with `git show REV:path/to/module.py`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


class _Deeper(ast.NodeTransformer):
    def __init__(self, siblings: set[str]):
        self.siblings = siblings

    def visit_ImportFrom(self, node):
        if node.level == 1 and node.module not in self.siblings:
            sys.exit(f"line {node.lineno}: `from .{node.module}` reaches into the package, not the app")
        if node.level == 2:
            node.level = 1
        return node


def top_level(src: str, siblings: set[str] | None = None) -> dict[str, tuple[str, str]]:
    tree = ast.parse(src)
    if siblings is not None:
        _Deeper(siblings).visit(tree)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            name = ast.unparse(target)
        else:
            continue
        text = ast.get_source_segment(src, node)
        found[name] = (ast.dump(node), text.replace("from ..", "from .") if siblings is not None else text)
    return found


def main(old_path: str, package: str) -> int:
    old = top_level(Path(old_path).read_text())
    modules = sorted(p for p in Path(package).glob("*.py") if p.name != "__init__.py")
    siblings = {p.stem for p in modules}
    new: dict[str, tuple[str, str, str]] = {}
    twice = []
    for path in modules:
        for name, (dump, text) in top_level(path.read_text(), siblings).items():
            if name in new:
                twice.append(name)
            new[name] = (path.name, dump, text)
    missing, extra = sorted(set(old) - set(new)), sorted(set(new) - set(old))
    differing = [n for n in old if n in new and old[n] != new[n][1:]]
    init = ast.parse((Path(package) / "__init__.py").read_text())
    exported = {a.asname or a.name for n in init.body if isinstance(n, ast.ImportFrom) for a in n.names}
    unexported = sorted(set(old) - exported)
    print(f"{len(old)} old top-level definitions, {len(new)} in {len(modules)} modules")
    for label, names in [
        ("defined twice", twice),
        ("missing", missing),
        ("new", extra),
        ("differing", differing),
        ("not re-exported", unexported),
    ]:
        if names:
            print(f"{label}: {', '.join(names)}")
    return 1 if twice or missing or extra or differing or unexported else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
