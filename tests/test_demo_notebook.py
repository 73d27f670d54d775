"""demo.ipynb, executed headless by nbclient exactly as the README's main job runs it."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import run_demo  # noqa: E402


@pytest.fixture(scope="module")
def executed():
    return run_demo.execute(ROOT / "demo.ipynb")


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_every_cell_runs_and_only_the_error_demo_raises(executed):
    for cell in code_cells(executed):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        expected = "raises-exception" in cell.metadata.get("tags", [])
        assert bool(errors) == expected, cell.source


def test_the_seed_programs_print_one_two_three_both_ways(executed):
    printed = ["".join(o.text for o in cell.outputs if o.output_type == "stream")
               for cell in code_cells(executed)[1:3]]
    assert printed == ["1\n2\n3\n", "1\n2\n3\n"]


def test_the_tour_draws_inline_svgs(executed):
    assert run_demo.count_drawings(executed) >= 8


def test_the_error_names_its_cell_and_line(executed):
    error = [o for cell in code_cells(executed) for o in cell.outputs
             if o.output_type == "error"][0]
    assert error.ename == "InvalidArgumentError"
    assert "defined at cell In[" in error.evalue


def test_the_saved_notebook_holds_its_outputs():
    import nbformat
    saved = nbformat.read(ROOT / "demo.ipynb", as_version=4)
    assert run_demo.count_drawings(saved) >= 8


def test_the_html_page_carries_the_drawings_inline(executed):
    from nbconvert import HTMLExporter
    page, _ = HTMLExporter().from_notebook_node(executed)
    # NOTE: nbconvert embeds each SVG output as an <img> data URI; "PD94" is base64 "<?x".
    assert page.count("data:image/svg+xml;base64,PD94") >= 8
