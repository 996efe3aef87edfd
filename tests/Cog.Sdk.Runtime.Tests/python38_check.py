"""Report Python newer than 3.8 in .py files: `python3 python38_check.py FOLDER` exits 1 on any finding.

The machine has no Python 3.8, so this is the check: the 3.8 grammar (ast feature_version) plus
a deny-list of 3.9+ standard-library names and runtime-evaluated newer forms that the grammar
alone does not catch (`list[int]`, `X | Y` in annotations, `{...} | {...}`).
"""
import ast
import os
import sys

NEWER_MODULES = {"zoneinfo": "3.9", "graphlib": "3.9", "tomllib": "3.11"}
NEWER_ATTRIBUTES = {
    "removeprefix": "3.9", "removesuffix": "3.9", "cache": "3.9 (functools.cache)", "to_thread": "3.9",
    "randbytes": "3.9", "is_relative_to": "3.9", "with_stem": "3.9", "Annotated": "3.9",
    "BooleanOptionalAction": "3.9", "pairwise": "3.10", "bit_count": "3.10", "TypeAlias": "3.10",
    "ParamSpec": "3.10", "TypeGuard": "3.10", "UnionType": "3.10", "Self": "3.11", "batched": "3.12",
}
NEWER_KEYWORDS = {"strict": "3.10 (zip strict=)", "slots": "3.10 (dataclass slots=)", "kw_only": "3.10",
                  "include_extras": "3.9 (get_type_hints)", "usedforsecurity": "3.9"}
NEWER_BUILTINS = {"aiter": "3.10", "anext": "3.10"}
BUILTIN_GENERICS = {"list", "dict", "tuple", "set", "frozenset", "type"}


def annotations(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs + [node.args.vararg, node.args.kwarg]
            yield from (argument.annotation for argument in arguments if argument is not None and argument.annotation)
            if node.returns:
                yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation


def findings(path):
    with open(path, encoding="utf-8") as source_file:
        source = source_file.read()
    try:
        tree = ast.parse(source, path, feature_version=(3, 8))
    except SyntaxError as problem:
        yield problem.lineno, "syntax newer than 3.8: {}".format(problem.msg)
        return
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in NEWER_MODULES:
                    yield line, "module {} is {}".format(alias.name, NEWER_MODULES[alias.name.split(".")[0]])
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")[0]
            if module in NEWER_MODULES:
                yield line, "module {} is {}".format(node.module, NEWER_MODULES[module])
            for alias in node.names:
                if alias.name in NEWER_ATTRIBUTES:
                    yield line, "{} is {}".format(alias.name, NEWER_ATTRIBUTES[alias.name])
        elif isinstance(node, ast.Attribute) and node.attr in NEWER_ATTRIBUTES:
            yield line, ".{} is {}".format(node.attr, NEWER_ATTRIBUTES[node.attr])
        elif isinstance(node, ast.keyword) and node.arg in NEWER_KEYWORDS:
            yield line, "keyword {}= is {}".format(node.arg, NEWER_KEYWORDS[node.arg])
        elif isinstance(node, ast.Name) and node.id in NEWER_BUILTINS:
            yield line, "{}() is {}".format(node.id, NEWER_BUILTINS[node.id])
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in BUILTIN_GENERICS:
            yield line, "{}[...] is 3.9: use typing.{}".format(node.value.id, node.value.id.capitalize())
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and any(
                isinstance(side, ast.Dict) or (isinstance(side, ast.Call) and getattr(side.func, "id", "") == "dict")
                for side in (node.left, node.right)):
            yield line, "dict | dict is 3.9"
    for annotation in annotations(tree):
        for node in ast.walk(annotation):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                yield node.lineno, "X | Y in an annotation is 3.10: use typing.Optional/Union"


def main(folder):
    checked = 0
    problems = 0
    for root, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                checked += 1
                for line, message in findings(path):
                    problems += 1
                    print("{}:{}: {}".format(path, line, message))
    print("checked {} files, {} findings".format(checked, problems))
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
