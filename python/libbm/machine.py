"""Machines: compiled from a network, read from XML or assembled from text;
simulated cycle by cycle, reported on, written as Verilog, co-simulated
with Verilator, drawn."""
import shutil
import tempfile
from collections import namedtuple

import numpy as np

from . import _capi
from ._capi import Error, ffi, lib
from .draw import svg

Transfer = namedtuple("Transfer", "cycle output value")


class SimResult:
    """What a simulation did: `transfers` (Transfer(cycle, output, value),
    in order of cycle then output), `stop` ("outputs", "halted", "cycles",
    "deadlock"), `cycles` simulated, per core its final state, and with
    activity=True the per-core state counts and their chart."""

    def __init__(self, transfers, stop, cycles, cores):
        self.transfers = transfers
        self.stop = stop
        self.cycles = cycles
        self.cores = cores
        self.activity = None      # {core: {"running": n, "wait_input": n, ...}}
        self.activity_svg = None  # the chart (bm_sim_activity_svg)

    def _repr_svg_(self):
        """The activity chart in Jupyter, when activity was counted."""
        return self.activity_svg

    def values(self, output):
        """The values that went out on `output`, in order."""
        return [t.value for t in self.transfers if t.output == output]

    def __repr__(self):
        return "<libbm.SimResult %d transfers, stop %s after %d cycles>" % (
            len(self.transfers), self.stop, self.cycles)


class _Sim:
    """A bm_sim for the duration of a with-block."""

    def __init__(self, machine):
        self.m = machine
        out = ffi.new("bm_sim **")
        machine._ctx.check(lib.bm_sim_new(out, machine._m, ffi.NULL), "libbm: simulating")
        self.ptr = out[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        lib.bm_sim_free(self.ptr)
        self.ptr = None

    def check(self, rc, what):
        return self.m._ctx.check(rc, what)

    def push(self, inputs):
        for name, values in inputs.items():
            i = lib.bm_machine_find_input(self.m._m, _capi.cstr(name))
            if i < 0:
                raise Error("libbm: machine %s has no input %r" % (self.m.name, name),
                            lib.BM_ENOTFOUND)
            push, ptr = lib.bm_sim_push_input, self.ptr
            for v in np.asarray(values, dtype=object).ravel().tolist():
                rc = push(ptr, i, int(v) & 0xFFFFFFFFFFFFFFFF)
                if rc:
                    self.check(rc, "libbm: input %s: value %d" % (name, int(v)))

    def run(self, cycles=0, outputs=0):
        why = ffi.new("bm_sim_stop *")
        self.check(lib.bm_sim_run(self.ptr, _capi.sim_limits(cycles, outputs), why),
                   "libbm: simulating")
        return _capi.string(lib.bm_sim_stop_name(why[0]))

    def transfers(self):
        out, t = [], ffi.new("bm_sim_transfer *")
        names = self.m.outputs
        for i in range(lib.bm_sim_output_count(self.ptr)):
            lib.bm_sim_output(self.ptr, i, t)
            out.append(Transfer(int(t.cycle), names[t.output], int(t.value)))
        return out

    def raw_transfers(self):
        n = lib.bm_sim_output_count(self.ptr)
        arr = ffi.new("bm_sim_transfer[]", max(n, 1))
        for i in range(n):
            lib.bm_sim_output(self.ptr, i, arr + i)
        return arr, n

    def activity(self):
        names = [_capi.string(lib.bm_core_state_name(k)) for k in range(lib.BM_CORE_STATE_COUNT)]
        counts, a = {}, ffi.new("bm_sim_activity *")
        for i, core in enumerate(self.m.cores):
            self.check(lib.bm_sim_core_activity(self.ptr, i, a), "libbm: activity")
            counts[core] = {n: int(a.cycles[k]) for k, n in enumerate(names)}
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self.check(lib.bm_sim_activity_svg(out, n, self.ptr), "libbm: activity chart")
        try:
            return counts, ffi.unpack(out[0], n[0]).decode("utf-8")
        finally:
            lib.bm_sim_text_free(self.ptr, out[0])

    def cores(self):
        buf = ffi.new("char[]", 1024)
        out = []
        for i, name in enumerate(self.m.cores):
            lib.bm_sim_describe_stall(self.ptr, i, buf, 1024)
            out.append({"name": name, "halted": lib.bm_sim_core_halted(self.ptr, i) == 1,
                        "retired": int(lib.bm_sim_retired(self.ptr, i)),
                        "state": _capi.string(buf)})
        return out


class Machine:
    """A valid machine.  From a network: Network.compile(); from a file:
    Machine.from_file(); from assembly text: assemble()."""

    def __init__(self, ctx, ptr, network=None):
        self._ctx = ctx
        self._m = ptr
        self.network = network
        m = ptr
        self.name = _capi.string(lib.bm_machine_name(m))
        self.inputs = [_capi.string(lib.bm_machine_input_name(m, i))
                       for i in range(lib.bm_machine_input_count(m))]
        self.outputs = [_capi.string(lib.bm_machine_output_name(m, i))
                        for i in range(lib.bm_machine_output_count(m))]
        self.cores = [_capi.string(lib.bm_core_name(lib.bm_machine_core(m, i)))
                      for i in range(lib.bm_machine_core_count(m))]
        self.bonds = lib.bm_machine_bond_count(m)

    def __del__(self):
        if getattr(self, "_m", None) is not None:
            lib.bm_machine_free(self._m)
            self._m = None

    def __repr__(self):
        return "<libbm.Machine %s: %d cores, %d bonds, inputs %s, outputs %s>" % (
            self.name, len(self.cores), self.bonds, ",".join(self.inputs),
            ",".join(self.outputs))

    @classmethod
    def from_file(cls, path):
        """Reads and validates a machine XML (docs/format.md)."""
        ctx = _capi.Ctx()
        out = ffi.new("bm_machine **")
        ctx.check(lib.bm_machine_read_file(out, ctx.ptr, _capi.cstr(str(path))),
                  "libbm: reading %s" % path)
        return cls(ctx, out[0])

    # ---- formats ----------------------------------------------------------

    @property
    def xml(self):
        """The canonical machine XML."""
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._ctx.check(lib.bm_machine_write_memory(self._m, out, n), "libbm: writing XML")
        try:
            return ffi.unpack(out[0], n[0]).decode("utf-8")
        finally:
            lib.bm_xml_buffer_free(self._ctx.ptr, out[0])

    def save(self, path):
        """Writes the machine XML to path (atomically)."""
        self._ctx.check(lib.bm_machine_write_file(self._m, _capi.cstr(str(path))),
                        "libbm: writing %s" % path)

    def write_verilog(self, directory, top=None, rom="auto", pin_wrapper=False):
        """Writes the Verilog into a folder (bm_verilog_write_dir: all or
        nothing; an existing folder is replaced only when empty or an
        earlier output), like `bmc verilog`: top names the top module, rom
        is auto, logic or block, pin_wrapper adds TOP_pins.v (the machine
        behind three pins, for yosys and nextpnr trials).  Returns the
        Verilog files in compile order (files.f)."""
        opt, keep = _capi.verilog_options(top, rom, pin_wrapper)
        self._ctx.check(lib.bm_verilog_write_dir(self._m, _capi.cstr(str(directory)), opt),
                        "libbm: writing Verilog to %s" % directory)
        del keep
        with open("%s/files.f" % directory) as f:
            return [line.strip() for line in f if line.strip()]

    def dot(self):
        """The machine as Graphviz text (bm_machine_dot, docs/dot.md)."""
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._ctx.check(lib.bm_machine_dot(out, n, self._m), "libbm: drawing")
        try:
            return ffi.unpack(out[0], n[0]).decode("utf-8")
        finally:
            lib.bm_dot_free(self._ctx.ptr, out[0])

    def svg(self):
        return svg(self.dot())

    def _repr_svg_(self):
        return self.svg()

    # ---- simulation -------------------------------------------------------

    def simulate(self, inputs=None, stimulus=None, ready=None, cycles=1000000, outputs=0,
                 vcd=None, gtkw=None, activity=False, X=None):
        """Runs the cycle-accurate simulator like `bmc sim`: inputs maps an
        input name to its values (ints), stimulus is stimulus-file text, X
        vectors for a machine compiled from a network (quantised), ready
        maps an output name to a ready pattern (e.g. [1, 0, 0]); it stops
        after `cycles` cycles (0: no limit), `outputs` transfers, when every
        core halts, or on deadlock.  vcd names a waveform file to write (with
        registers and core states), gtkw a GTKWave save file for it;
        activity=True counts each core's busy, stalled and idle cycles
        (SimResult.activity, and the chart SimResult.activity_svg)."""
        if gtkw is not None and vcd is None:
            raise Error("libbm: a GTKWave save file (gtkw) needs a VCD file (vcd)")
        with _Sim(self) as sim:
            if X is not None:
                sim.push(self._vector_inputs(self._network()._raw_inputs(X, False)))
            if stimulus is not None:
                data = _capi.cstr(stimulus)
                sim.check(lib.bm_sim_load_stimulus(sim.ptr, data, len(data), b"<stimulus>"),
                          "libbm: stimulus")
            sim.push(inputs or {})
            if ready:
                text = "".join("%s = %s\n" % (k, ", ".join(str(int(b)) for b in v))
                               for k, v in ready.items()).encode()
                sim.check(lib.bm_sim_load_ready(sim.ptr, text, len(text), b"<ready>"),
                          "libbm: ready patterns")
            if vcd is not None:
                sim.check(lib.bm_sim_vcd_open(sim.ptr, _capi.cstr(str(vcd))), "libbm: VCD")
            if activity:
                sim.check(lib.bm_sim_activity_start(sim.ptr), "libbm: activity")
            stop = sim.run(cycles, outputs)
            if gtkw is not None:
                sim.check(lib.bm_sim_gtkw_write(sim.ptr, _capi.cstr(str(gtkw))),
                          "libbm: GTKWave save file")
            if vcd is not None:
                sim.check(lib.bm_sim_vcd_close(sim.ptr), "libbm: VCD")
            result = SimResult(sim.transfers(), stop, int(lib.bm_sim_cycle(sim.ptr)),
                               sim.cores())
            if activity:
                result.activity, result.activity_svg = sim.activity()
            return result

    def _network(self):
        if self.network is None:
            raise Error("libbm: machine %s was not compiled from a network here; predict, "
                        "report and verify with vectors need one" % self.name)
        return self.network

    def _vector_inputs(self, raw):
        net = self._network()
        return {name: raw[:, i] for i, name in enumerate(net.inputs)}

    def predict(self, X, raw=False, raw_in=False, max_cycles=10**9):
        """Streams every vector of X through the simulated machine and
        returns its outputs, decoded like Network.evaluate (raw=True: raw
        int64).  Bit for bit what evaluate() gives."""
        net = self._network()
        rin = net._raw_inputs(X, raw_in)
        n, no = rin.shape[0], len(net.outputs)
        out = np.empty((n, no), dtype=np.int64)
        if n:
            with _Sim(self) as sim:
                sim.push(self._vector_inputs(rin))
                stop = sim.run(max_cycles, n * no)
                if stop != "outputs":
                    states = "\n".join("core %s: %s" % (c["name"], c["state"])
                                       for c in sim.cores())
                    raise Error("libbm: machine %s stopped (%s) before giving %d outputs\n%s"
                                % (self.name, stop, n * no, states))
                t = ffi.new("bm_sim_transfer *")
                col = [net.outputs.index(name) for name in self.outputs]
                seen = [0] * len(self.outputs)
                ty = lib.bm_graph_type(net._g)
                for i in range(lib.bm_sim_output_count(sim.ptr)):
                    lib.bm_sim_output(sim.ptr, i, t)
                    k = seen[t.output]
                    if k < n:
                        v = int(t.value)
                        out[k, col[t.output]] = lib.bm_fixed_wrap(
                            v - (1 << 64) if v >= 1 << 63 else v, ty)
                    seen[t.output] += 1
        return out if raw else net.decode(out)

    def report(self, vectors=None, seed=1, X=None):
        """The compile report (bm_compile_report_new) as a dict: per core its
        opcodes, instruction width, program length and registers, and the
        latency and interval measured by simulation (every output checked
        against the evaluator).  X (optional) gives the vectors to stream
        (all of them, unless `vectors` says how many; they repeat when
        `vectors` is larger); without X, `vectors` (default 8) random ones."""
        net = self._network()
        opt = _capi.report_options()
        opt.seed = seed
        opt.vectors = vectors if vectors is not None else 8
        if X is not None:
            rin = np.ascontiguousarray(net.quantize(X), dtype=np.int64)
            if vectors is None:
                opt.vectors = max(rin.shape[0], 2)
            buf = ffi.new("int64_t[]", rin.ravel().tolist())
            opt.inputs = buf
            opt.n_inputs = rin.shape[0]
        out = ffi.new("bm_compile_report **")
        self._ctx.check(lib.bm_compile_report_new(out, self._m, net._g, opt),
                        "libbm: report on %s" % self.name)
        r = out[0]
        try:
            s = lib.bm_compile_report_summary(r)
            d = {k: getattr(s, k) for k in (
                "cores", "bonds", "instructions", "registers", "rom_bits", "max_insn_width",
                "latency", "interval", "interval_max", "vectors", "predicted_latency",
                "predicted_interval")}
            d["verified"] = bool(s.verified)
            d["per_core"] = []
            for i in range(lib.bm_compile_report_core_count(r)):
                c = lib.bm_compile_report_core(r, i)
                d["per_core"].append({
                    "name": _capi.string(c.name), "opcodes": _capi.string(c.opcodes).split(),
                    "insn_width": c.insn_width, "instructions": c.instructions,
                    "registers": c.registers, "inputs": c.inputs, "outputs": c.outputs})
            return d
        finally:
            lib.bm_compile_report_free(r)

    def area(self, device="hx8k"):
        """The area estimate on a device (bm_area_estimate_machine, docs/area.md)
        and the device's budget."""
        i = lib.bm_device_find(_capi.cstr(device))
        if i < 0:
            names = [_capi.string(lib.bm_device_get(k).name) for k in range(lib.bm_device_count())]
            raise Error("libbm: unknown device %r (%s)" % (device, ", ".join(names)),
                        lib.BM_ENOTFOUND)
        d = lib.bm_device_get(i)
        a = ffi.new("bm_area *")
        self._ctx.check(lib.bm_area_estimate_machine(a, self._m, d), "libbm: area")
        keys = ("lut", "ff", "dsp", "bram", "lutram")
        est = {k: int(getattr(a, k)) for k in keys + ("carry",)}
        budget = {k: int(getattr(d, k)) for k in keys}
        return {"device": _capi.string(d.name), "part": _capi.string(d.part),
                "lut_name": _capi.string(d.lut_name), "estimate": est, "budget": budget,
                "fits": all(est[k] <= budget[k] for k in keys)}

    # ---- Verilator ---------------------------------------------------------

    def verify(self, X=None, inputs=None, work_dir=None, max_cycles=10**7):
        """Co-simulates the Verilog under Verilator against the simulator
        (like `bmc verify`): the same stimulus (the vectors of X, or the
        values of `inputs` by input name), every output transfer compared,
        value and cycle.  Returns a dict; raises Error on any difference.
        work_dir keeps the Verilator build for reuse (default: a temporary
        folder, removed after)."""
        tmp = None
        if work_dir is None:
            tmp = work_dir = tempfile.mkdtemp(prefix="libbm-verify-")
        st = ffi.new("bm_cosim_stimulus **")
        cs = ffi.new("bm_cosim **")
        rtl, n_rtl = ffi.new("bm_sim_transfer **"), ffi.new("size_t *")
        try:
            with _Sim(self) as sim:
                if X is not None:
                    sim.push(self._vector_inputs(self._network()._raw_inputs(X, False)))
                sim.push(inputs or {})
                sim.check(lib.bm_cosim_stimulus_capture(st, sim.ptr), "libbm: stimulus")
                stop = sim.run(max_cycles, 0)
                cycles = int(lib.bm_sim_cycle(sim.ptr)) + (16 if stop != "cycles" else 0)
                expected, n_exp = sim.raw_transfers()
            opt, keep = _capi.cosim_options(str(work_dir))
            try:
                self._ctx.check(lib.bm_cosim_build(cs, self._m, opt),
                                "libbm: building with Verilator")
                reused = bool(lib.bm_cosim_reused(cs[0]))
                self._ctx.check(lib.bm_cosim_run(cs[0], st[0], cycles, ffi.NULL, rtl, n_rtl),
                                "libbm: running the Verilator model")
                diff = lib.bm_cosim_first_difference(expected, n_exp, rtl[0], n_rtl[0])
                if diff >= 0:
                    def show(arr, n):
                        if diff >= n:
                            return "nothing"
                        t = arr[diff]
                        return "%s=%d in cycle %d" % (self.outputs[t.output], t.value, t.cycle)
                    raise Error("libbm: RTL and simulator differ at transfer %d: simulator %s, "
                                "RTL %s" % (diff, show(expected, n_exp), show(rtl[0], n_rtl[0])))
                return {"transfers": int(n_exp), "cycles": cycles, "stop": stop,
                        "reused_build": reused, "equal": True}
            finally:
                if cs[0] != ffi.NULL:
                    lib.bm_cosim_transfers_free(cs[0], rtl[0])
                    lib.bm_cosim_free(cs[0])
                del keep
        finally:
            if st[0] != ffi.NULL:
                lib.bm_cosim_stimulus_free(st[0])
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)


def assemble(text, name="<asm>"):
    """Assembles a machine from assembler text (docs/asm.md); errors carry
    NAME:LINE:COL."""
    ctx = _capi.Ctx()
    data = _capi.cstr(text)
    out = ffi.new("bm_machine **")
    ctx.check(lib.bm_asm_memory(out, ctx.ptr, data, len(data), _capi.cstr(name), ffi.NULL),
              "libbm: assembling %s" % name)
    return Machine(ctx, out[0])
