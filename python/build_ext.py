"""Builds the compiled half of the libbm package (_libbm_cffi) into a folder:
    python3 python/build_ext.py INCLUDE_DIR LIBRARY_DIR RPATH OUT_DIR
`make python` runs it against the build tree, `make install-python` against
the installed library's folder."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libbm_build  # noqa: E402

include_dir, library_dir, rpath, out_dir = (os.path.abspath(a) for a in sys.argv[1:5])
os.makedirs(out_dir, exist_ok=True)
ffi = libbm_build.make_builder(include_dir, library_dir, rpath)
tmp = os.path.join(out_dir, "cffi-tmp")
path = ffi.compile(tmpdir=tmp)
final = os.path.join(out_dir, os.path.basename(path))
os.replace(path, final)
print(final)
