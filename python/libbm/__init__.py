"""libbm for Python: load or convert a network, compile it onto a
BondMachine-style machine, predict bit-exactly with the simulator, write
Verilog, co-simulate it with Verilator, and draw machines and graphs.

A binding, not a second implementation: every step is a call into the
installed libbm.so (docs/python.md).

    import libbm
    net = libbm.from_sklearn(clf)            # or libbm.load("iris.xml")
    m = net.compile(strategy="fold", fold=4)
    m.predict(X)                             # == net.evaluate(X), bit for bit
    m.report()["interval"]
    m.write_verilog("rtl"); m.verify(X[:4])
"""
from ._capi import Diagnostic, Error, version
from .machine import Machine, SimResult, Transfer, assemble
from .network import Network, from_arrays, from_sklearn, from_xml, load

__all__ = ["Diagnostic", "Error", "Machine", "Network", "SimResult", "Transfer", "assemble",
           "from_arrays", "from_sklearn", "from_xml", "load", "version"]
__version__ = version()
