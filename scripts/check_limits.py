"""Report modules over 1,000 lines, functions over 16 parameters and classes over 500 lines."""

import ast
import sys
from pathlib import Path

LIMITS = {"module": 1000, "function": 16, "class": 500}


def violations(root: Path) -> list[str]:
    """Every limit the Python files under ``root`` break, one line each."""
    out = []
    for path in sorted(root.rglob("*.py")):
        src = path.read_text(encoding="utf-8")
        lines = src.count("\n")
        if lines > LIMITS["module"]:
            out.append(f"module {path}: {lines} lines")
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                a = node.args
                n = len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs)
                n += (a.vararg is not None) + (a.kwarg is not None)
                if a.args and a.args[0].arg in ("self", "cls"):
                    n -= 1
                if n > LIMITS["function"]:
                    out.append(f"function {path}:{node.lineno} {node.name}: {n} parameters")
            if isinstance(node, ast.ClassDef):
                length = node.end_lineno - node.lineno + 1
                if length > LIMITS["class"]:
                    out.append(f"class {path}:{node.lineno} {node.name}: {length} lines")
    return out


if __name__ == "__main__":
    found = violations(Path(sys.argv[1] if len(sys.argv) > 1 else "qcy_sim"))
    print("\n".join(found) or "within the limits")
    sys.exit(1 if found else 0)
