#!/usr/bin/python3
"""Writes examples/tutorial.ipynb from docs/tutorial.md, so that the page and
the notebook hold the same code: prose becomes markdown cells, each ```python
block a code cell, each ```sh block a cell that runs it with the notebook's
sh() helper (defined in its first code cell).  python/tests/test_tutorial.py
checks that the committed notebook is what this script writes, then runs it.

    /usr/bin/python3 examples/make_tutorial_notebook.py    (from the repository root)
"""
import os
import re
import sys

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
MD = os.path.join(HERE, "..", "docs", "tutorial.md")
NOTEBOOK = os.path.join(HERE, "tutorial.ipynb")


def blocks(text):
    """The page as a list of (kind, text): "md" prose, "python" or "sh" code."""
    out, pos = [], 0
    for m in re.finditer(r"^```(python|sh)\n(.*?)^```\n", text, re.S | re.M):
        prose = text[pos:m.start()].strip()
        if prose:
            out.append(("md", prose))
        out.append((m.group(1), m.group(2).rstrip("\n")))
        pos = m.end()
    if text[pos:].strip():
        out.append(("md", text[pos:].strip()))
    return out


def sh_cell(script):
    return 'sh(r"""\n%s\n""")' % script


def notebook(text):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, body) in enumerate(blocks(text)):
        cid = "cell%02d" % i
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(body, id=cid))
        elif kind == "python":
            nb.cells.append(nbformat.v4.new_code_cell(body, id=cid))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(sh_cell(body), id=cid))
    return nb


def render(text):
    return nbformat.writes(notebook(text)) + "\n"


if __name__ == "__main__":
    with open(MD) as f:
        out = render(f.read())
    with open(NOTEBOOK, "w") as f:
        f.write(out)
    print("wrote", os.path.relpath(NOTEBOOK), file=sys.stderr)
