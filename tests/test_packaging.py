"""The product distribution holds the product: no module of it imports the emulators, demo or benchmarks."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PRODUCT = ROOT / "include" / "timelines_zoho"
SANDBOX_PACKAGE = "timelines_zoho_sandbox"


def _imported_modules(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_product_module_imports_the_sandbox_distribution() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported_modules(path) if name.startswith(SANDBOX_PACKAGE))
        for path in PRODUCT.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_product_imports_with_the_sandbox_distribution_unimportable(tmp_path: pathlib.Path) -> None:
    # A module named like the sandbox that raises on import stands in for an image without it.
    (tmp_path / f"{SANDBOX_PACKAGE}.py").write_text("raise ImportError('the sandbox is not installed here')\n")
    modules = sorted(
        ".".join(path.relative_to(PRODUCT.parent).with_suffix("").parts)
        for path in PRODUCT.rglob("*.py")
        if "migrations" not in path.parts and path.name != "__main__.py"
    )
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run(
        [sys.executable, "-c", script, *modules], capture_output=True, text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_product_image_copies_no_emulator_code() -> None:
    product_stage = (ROOT / "Dockerfile").read_text().split("FROM product AS sandbox")[0]
    copied = [line.split()[-2] for line in product_stage.splitlines() if line.startswith("COPY")]
    assert copied and not any(source in {"include", "include/", "include/sandbox"} for source in copied), copied
