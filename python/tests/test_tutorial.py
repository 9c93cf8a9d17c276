"""docs/tutorial.md and examples/tutorial.ipynb: the notebook is the page's
code (examples/make_tutorial_notebook.py writes it), and it runs from top to
bottom: training, conversion, bit-exact predictions, drawings, simulation
with waveform and activity, Verilog, Verilator, yosys and nextpnr."""
import os
import re
import sys

import nbformat
from nbclient import NotebookClient

from conftest import BMC, REPO, repo

sys.path.insert(0, repo("examples"))
import make_tutorial_notebook as tutorial  # noqa: E402


def test_notebook_is_the_page():
    with open(tutorial.MD) as f:
        want = tutorial.render(f.read())
    with open(tutorial.NOTEBOOK) as f:
        got = f.read()
    assert got == want, ("examples/tutorial.ipynb is not docs/tutorial.md: run "
                         "/usr/bin/python3 examples/make_tutorial_notebook.py")
    kinds = [k for k, _ in tutorial.blocks(open(tutorial.MD).read())]
    assert kinds.count("python") >= 10 and kinds.count("sh") >= 3


def outputs_text(cell):
    text = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            text.append(o["text"])
        elif "data" in o:
            text.append(o["data"].get("text/plain", ""))
    return "".join(text)


def test_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("BM_REPO", REPO)
    # the bmc under test (make test's BUILD), not whatever build/ holds
    monkeypatch.setenv("PATH", os.path.dirname(os.path.abspath(BMC)) + os.pathsep + os.environ["PATH"])
    nb = nbformat.read(tutorial.NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=1200, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], c.source
    svgs = [c for c in code if any("image/svg+xml" in o.get("data", {}) for o in c.outputs)]
    # the network, the node and fold machines, and the activity chart
    assert len(svgs) == 4, [c.source[:40] for c in svgs]
    everything = "".join(outputs_text(c) for c in code)
    assert "bmc eval gives the same classes: True" in everything
    assert "'equal': True" in everything
    m = re.search(r"nextpnr: (\d+) logic cells of 7680, Fmax ([\d.]+) MHz", everything)
    assert m and 0 < int(m.group(1)) <= 7680 and float(m.group(2)) > 12, everything[-2000:]
    for f in ("iris_mlp.xml", "iris_fold.vcd", "iris_fold.gtkw", "iris_fold.svg",
              "iris_fold_activity.svg", "iris_rtl/iris_pins.v", "iris_rtl/iris.json"):
        assert (tmp_path / f).stat().st_size > 0, f
