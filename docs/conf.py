"""Sphinx configuration of the ridgeboot user guide.

Build (warnings are errors, nothing is fetched from the network):

    pip install ".[docs]"
    sphinx-build -W --keep-going -b html docs build/docs
"""

from __future__ import annotations

import re
from typing import Any

import ridgeboot

project = "ridgeboot"
author = "the ridgeboot authors"
copyright = "the ridgeboot authors"  # noqa: A001 - Sphinx's name
version = release = ridgeboot.__version__

extensions = ["sphinx.ext.autodoc", "numpydoc", "myst_parser"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
# docs/bench holds the benchmark runs' raw output, shown by link, not pages
exclude_patterns = ["_build", "bench"]

# API reference from the docstrings (numpy style); members are listed where the page says so
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc sections state the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

html_theme = "alabaster"
html_title = f"ridgeboot {version}"
html_theme_options = {"description": "ridge regression and the bootstrap, at machine speed"}


# A name ending in "_" (scikit-learn's fitted attributes: n_features_in_, coef_) is a link
# target to reStructuredText. In a docstring it is a name: set it as code. The name of an
# item ("coef_ : ndarray") is left to numpydoc, which escapes it itself.
_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![\w`])")


def _underscored_names_as_code(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    for i, line in enumerate(lines):
        head, sep, tail = line.partition(" : ")
        if sep and head.strip() and " " not in head.strip():
            lines[i] = head + sep + _TRAILING_UNDERSCORE.sub(r"``\1``", tail)
        else:
            lines[i] = _TRAILING_UNDERSCORE.sub(r"``\1``", line)


def setup(app: Any) -> None:
    """Register the docstring fix-up (before numpydoc, which parses the sections)."""
    app.connect("autodoc-process-docstring", _underscored_names_as_code, priority=100)
