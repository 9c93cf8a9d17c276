"""Pictures: the DOT text libbm writes (bm/dot.h), rendered to SVG by
Graphviz's `dot` program."""
import shutil
import subprocess

from ._capi import Error


def svg(dot_text):
    """Renders DOT text to SVG text with Graphviz (Debian: graphviz)."""
    exe = shutil.which("dot")
    if exe is None:
        raise Error("libbm: drawing needs Graphviz's `dot` program (apt-get install graphviz)")
    r = subprocess.run([exe, "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True)
    if r.returncode != 0:
        raise Error("libbm: dot -Tsvg failed: %s" % r.stderr.decode("utf-8", "replace"))
    return r.stdout.decode("utf-8")
