import ast, sys, pathlib
root = pathlib.Path(sys.argv[1])
for p in sorted(root.rglob("*.py")):
    src = p.read_text()
    n = src.count("\n")
    if n > 1000: print(f"MODULE {p}: {n} lines")
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            k = len(a.posonlyargs)+len(a.args)+len(a.kwonlyargs)+(1 if a.vararg else 0)+(1 if a.kwarg else 0)
            if a.args and a.args[0].arg in ("self","cls"): k -= 1
            if k > 16: print(f"FUNC {p}:{node.lineno} {node.name} {k}")
        if isinstance(node, ast.ClassDef):
            ln = node.end_lineno - node.lineno
            if ln > 500: print(f"CLASS {p}:{node.lineno} {node.name} {ln}")
