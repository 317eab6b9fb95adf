"""The layout a newcomer reads: docs/architecture.md names every module, the paths the docs give
exist, no module grows past the size the project keeps to, and the public API is whole."""

from __future__ import annotations

import re

import pytest

import ictscore
from tests.conftest import ROOT

SRC = ROOT / "src" / "ictscore"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MODULES = sorted(p for p in SRC.rglob("*.py") if p.name not in ("__init__.py", "__main__.py"))


def test_the_architecture_page_names_every_module() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = [str(p.relative_to(SRC)) for p in MODULES if f"`{p.name}`" not in page]
    assert unnamed == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_source_path_the_docs_give_exists(doc) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = [p for p in re.findall(r"src/ictscore/[\w/]+\.\w+", text) if not (ROOT / p).exists()]
    assert missing == []


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_modules_stay_readable(module) -> None:
    """About 500 lines at most (STYLE.md: split a module when it passes ~500 lines)."""
    assert len(module.read_text(encoding="utf-8").splitlines()) <= 550


def test_every_public_name_is_exported_and_documented() -> None:
    doc = ictscore.__doc__ or ""
    for name in ictscore.__all__:
        assert getattr(ictscore, name) is not None
        assert name == "__version__" or f"`{name}`" in doc or name in doc, name
