"""Machines: assembly and simulation against `bmc sim`, report, Verilog,
Verilator, drawings, VCD."""
import os

import numpy as np
import pytest

import libbm
from conftest import bmc, repo

PIPELINE = open(repo("examples", "pipeline.s")).read()


def test_assemble_and_simulate_equals_bmc_sim(tmp_path):
    m = libbm.assemble(PIPELINE, name="pipeline.s")
    assert m.name == "pipeline" and m.cores == ["scale", "offset"]
    r = m.simulate(inputs={"x": [1, 2, 100]})
    assert r.stop == "deadlock"
    lines = ["%d %s %d" % t for t in r.transfers]
    want = open(repo("examples", "pipeline.expected")).read().split("\n")
    assert lines == [w for w in want if w and not w.startswith("#")]
    xml = tmp_path / "p.xml"
    m.save(xml)
    out = bmc("sim", xml, "--in", "x=1,2,100", check=False)
    assert out.returncode == 5 and out.stdout.splitlines() == lines
    assert r.values("y") == [13, 16, 54]
    assert "waits for valid on i0" in r.cores[0]["state"]
    again = libbm.Machine.from_file(xml)
    assert again.xml == m.xml


def test_simulate_stimulus_ready_limits():
    m = libbm.assemble(PIPELINE)
    r = m.simulate(stimulus="x = 1, 2\n", ready={"y": [1, 0, 0]}, cycles=100)
    assert r.values("y") == [13, 16]
    slow = [t.cycle for t in r.transfers]
    fast = [t.cycle for t in m.simulate(inputs={"x": [1, 2]}).transfers]
    assert all(c % 3 == 0 for c in slow) and slow != fast
    r = m.simulate(inputs={"x": [1, 2, 3]}, outputs=1)
    assert r.stop == "outputs" and len(r.transfers) == 1
    r = m.simulate(inputs={"x": [-1]}, cycles=3)
    assert r.stop == "cycles" and r.cycles == 3


def test_assembly_errors():
    with pytest.raises(libbm.Error) as e:
        libbm.assemble(".core c 8\n  frob r0\n", name="bad.s")
    assert "bad.s:2:" in str(e.value) and e.value.diagnostics[0].line == 2
    m = libbm.assemble(PIPELINE)
    with pytest.raises(libbm.Error, match="no input 'z'"):
        m.simulate(inputs={"z": [1]})
    with pytest.raises(libbm.Error):
        m.simulate(inputs={"x": [1000]})
    with pytest.raises(libbm.Error, match="was not compiled from a network"):
        m.predict([[1]])


def test_report_and_area(iris_data):
    net = libbm.load(repo("examples", "networks", "iris.xml"))
    m = net.compile(strategy="fold", fold=4)
    r = m.report()
    assert r["verified"] is True
    assert r["cores"] == len(m.cores) == len(r["per_core"])
    assert r["latency"] > 0 and r["interval"] > 0 and r["vectors"] == 8
    assert "macfxi" in r["per_core"][0]["opcodes"]
    j = bmc("compile", repo("examples", "networks", "iris.xml"), "--fold", "4", "--json").stdout
    import json
    jr = json.loads(j)
    assert (jr["latency"], jr["interval"], jr["instructions"]) == (
        r["latency"], r["interval"], r["instructions"])
    X, _ = iris_data
    assert m.report(X=X[:10])["vectors"] == 10
    a = m.area("hx8k")
    assert a["fits"] and a["estimate"]["lut"] > 0 and a["budget"]["lut"] == 7680
    with pytest.raises(libbm.Error, match="unknown device"):
        m.area("nosuchchip")


def test_write_verilog(tmp_path):
    m = libbm.load(repo("examples", "networks", "iris.xml")).compile(strategy="single")
    files = m.write_verilog(tmp_path / "rtl")
    assert "iris.v" in files
    for f in files:
        assert (tmp_path / "rtl" / f).stat().st_size > 0
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "mine.txt").write_text("keep")
    with pytest.raises(libbm.Error):
        m.write_verilog(tmp_path / "other")
    assert (tmp_path / "other" / "mine.txt").read_text() == "keep"


def test_verify_with_verilator(iris_data, tmp_path):
    X, _ = iris_data
    m = libbm.load(repo("examples", "networks", "iris.xml")).compile(strategy="single")
    v = m.verify(X[:3], work_dir=tmp_path / "work")
    assert v["equal"] and v["transfers"] == 3 and not v["reused_build"]
    v = m.verify(X[3:5], work_dir=tmp_path / "work")
    assert v["transfers"] == 2 and v["reused_build"]
    p = libbm.assemble(PIPELINE)
    assert p.verify(inputs={"x": [1, 2, 100]})["transfers"] == 3


def test_drawings_and_vcd(tmp_path):
    m = libbm.assemble(PIPELINE)
    dot = m.dot()
    assert dot == bmc("dot", _saved(m, tmp_path)).stdout
    s = m._repr_svg_()
    assert "<svg" in s and "scale" in s
    net = libbm.load(repo("tests", "data", "graph", "tiny.xml"))
    assert net.dot() == open(repo("tests", "data", "dot", "tiny.dot")).read()
    assert "<svg" in net._repr_svg_()
    vcd = tmp_path / "run.vcd"
    m.simulate(inputs={"x": [1, 2]}, vcd=vcd)
    text = vcd.read_text()
    assert "$enddefinitions" in text and "core_scale" in text


def _saved(m, tmp_path):
    p = tmp_path / ("%s.xml" % m.name)
    m.save(p)
    return p


def test_activity_gtkw_and_pin_wrapper(iris_data, tmp_path):
    X, _ = iris_data
    m = libbm.load(repo("examples", "networks", "iris.xml")).compile(strategy="fold", fold=4)
    r = m.simulate(X=X[:20], activity=True, vcd=tmp_path / "w.vcd", gtkw=tmp_path / "w.gtkw")
    assert len(r.values("class")) == 20 and r.stop == "deadlock"
    for core, counts in r.activity.items():
        assert sum(counts.values()) == r.cycles, core
    # the last layer's core is the bottleneck of this machine: busy most
    busiest = max(r.activity, key=lambda c: r.activity[c]["running"])
    assert busiest == "l1c0"
    assert r.activity["l0c1"]["wait_output"] > 0
    assert r._repr_svg_().startswith("<?xml") and "l1c0" in r.activity_svg
    assert "-core l1c0" in (tmp_path / "w.gtkw").read_text()
    assert "$var wire 2" in (tmp_path / "w.vcd").read_text()
    with pytest.raises(libbm.Error, match="needs a VCD"):
        m.simulate(X=X[:1], gtkw=tmp_path / "x.gtkw")
    files = m.write_verilog(tmp_path / "rtl", pin_wrapper=True, top="iris4")
    assert (tmp_path / "rtl" / "iris4_pins.v").exists() and "iris4.v" in files
    with pytest.raises(libbm.Error, match="rom must be"):
        m.write_verilog(tmp_path / "rtl2", rom="fast")
