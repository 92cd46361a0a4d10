"""The README and the user guide tell the truth: their commands, outputs and figures.

Every command output shown in README.md and docs/*.md is rerun and compared
(``tools/doc_outputs.py --check``); the committed figures record the command that drew
them, and the pages show that command beside them.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from cli_support import png_text

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def doc_outputs():
    spec = importlib.util.spec_from_file_location("doc_outputs", ROOT / "tools" / "doc_outputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("doc_outputs", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert first_block[0].startswith("pip install . && ridgeboot demo ")
    assert first_block[1].startswith('pip install ".[test]" && python -m pytest ')
    assert README.index("```bash") < README.index("\n## ")


def test_the_shown_outputs_are_what_the_commands_print():
    pytest.importorskip("matplotlib")  # the commands draw the figures
    tool = doc_outputs()
    shown = [b for page in tool.pages() for b in tool.blocks(page)]
    assert {b.page.name for b in shown} >= {"README.md", "tutorial.md", "cli.md"}
    assert all(b.body.strip() for b in shown), "an empty output block: run tools/doc_outputs.py"
    assert tool.check() == []


def test_the_comparison_tolerates_last_digits_only():
    tool = doc_outputs()
    assert tool.same_text("se 1.23456 at 0.1", "se 1.23457 at 0.1")
    assert not tool.same_text("se 1.23456 at 0.1", "se 1.23556 at 0.1")
    assert not tool.same_text("se 1.23456 at 0.1", "SE 1.23456 at 0.1")


@pytest.mark.parametrize("figure", ["demo.png", "fit.png"])
def test_committed_figures_were_made_by_the_commands_beside_them(figure):
    command = png_text(ROOT / "docs" / figure)["Description"]
    assert command.startswith("ridgeboot ") and command.endswith(f"--plot docs/{figure}")
    for page in ("README.md", "docs/tutorial.md"):
        text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
        assert command in text, f"{page} does not show {command!r} beside {figure}"


def test_linked_pages_and_figures_exist():
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if "://" not in target:
            assert (ROOT / target).exists(), target


def test_a_figure_from_other_data_is_caught(tmp_path):
    """The check compares the drawn figures with the committed ones, not only their metadata."""
    pytest.importorskip("matplotlib")
    from ridgeboot import cli

    tool = doc_outputs()
    committed = ROOT / "docs" / "fit.png"
    assert tool.png_software(committed) is not None
    same = tmp_path / "same.png"
    other = tmp_path / "other.png"
    command = png_text(committed)["Description"].split()[1:]
    plot = command.index("--plot") + 1
    for path, extra in ((same, []), (other, ["--seed", "1", "--n-boot", "50"])):
        argv = [*command[:plot], str(path), *command[plot + 1 :], *extra]
        argv[1] = str(ROOT / argv[1])  # the data file, from the repository's root
        assert cli.main([*argv, "--no-progress"]) == 0
    if tool.png_software(same) != tool.png_software(committed):
        pytest.skip("another matplotlib version drew the committed figure")
    assert tool.figure_differences(same, committed) == []
    (problem,) = tool.figure_differences(other, committed)
    assert "of its pixels differ" in problem and "run tools/doc_outputs.py" in problem
