"""pip install ./python (docs/python.md): the libbm package and its compiled
module, built by cffi against an installed libbm (pkg-config libbm, or
LIBBM_INCLUDE_DIR / LIBBM_LIBRARY_DIR / LIBBM_RPATH)."""
from setuptools import setup

setup(
    name="libbm",
    version="0.1.0",
    description="BondMachine-style multi-core processors for FPGAs: a binding of libbm",
    packages=["libbm"],
    python_requires=">=3.9",
    setup_requires=["cffi>=1.15"],
    install_requires=["cffi>=1.15", "numpy"],
    cffi_modules=["libbm_build.py:ffibuilder"],
)
