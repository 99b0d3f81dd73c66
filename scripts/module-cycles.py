#!/usr/bin/env python3
"""Fails when the top-level modules of a crate (a file or folder directly under src/) import
each other in a circle; prints each circle. Usage: scripts/module-cycles.py CRATE_DIR...

A reference is any `crate::name` path in a module's files (in `use` lines, grouped
`use crate::{a, b::c}` and inline paths).
Comments are skipped; lib.rs, main.rs and src/bin/ are the crate's roots, not modules.
"""

import re
import sys
from pathlib import Path

PATH = re.compile(r"\bcrate::(\{[^;]*?\}|[a-z_][a-z0-9_]*)", re.S)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def grouped_names(group: str) -> set[str]:
    """The first segment of each path in `{a, b::c, d::{e, f}}`."""
    names, depth, current = set(), 0, ""
    for ch in group[1:-1]:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            names.add(current)
            current = ""
            continue
        if depth == 0:
            current += ch
    names.add(current)
    return {n.strip().split("::")[0].strip() for n in names if n.strip()}


def module_of(src: Path, file: Path) -> str | None:
    rel = file.relative_to(src)
    if rel.parts[0] == "bin" or rel.as_posix() in ("lib.rs", "main.rs"):
        return None
    return rel.parts[0].removesuffix(".rs")


def graph(src: Path) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    files = sorted(src.rglob("*.rs"))
    modules = {m for f in files if (m := module_of(src, f))}
    for file in files:
        module = module_of(src, file)
        if module is None:
            continue
        edges.setdefault(module, set())
        for tail in PATH.findall(strip_comments(file.read_text())):
            names = grouped_names(tail) if tail.startswith("{") else {tail}
            edges[module] |= {n for n in names if n in modules and n != module}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    failed = False
    for crate in sys.argv[1:]:
        edges = graph(Path(crate) / "src")
        for component in circles(edges):
            failed = True
            print(f"error: {crate}: these modules import each other in a circle: {', '.join(component)}")
            for module in component:
                inside = sorted(edges[module] & set(component))
                print(f"  {module} -> {', '.join(inside)}")
        if not circles(edges):
            print(f"{crate}: {len(edges)} top-level modules, no circle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
