"""The C-facing part of the libbm package: the compiled cffi module, the
context, errors with libbm's diagnostics, and the option structs.

Everything that knows how libbm's C API is spelled lives here, so that a
change there (for example `*_options_init()` functions replacing the
`BM_*_OPTIONS_INIT` macros, or a last-error string on the context) is one
edit in this file.  The rest of the package calls only what this module
defines.
"""
from collections import namedtuple

try:
    from _libbm_cffi import ffi, lib
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError(
        "libbm: the compiled module _libbm_cffi is missing or cannot load libbm.so "
        "(build it with `make python`, install it with `make install-python`): %s" % e
    ) from e

Diagnostic = namedtuple("Diagnostic", "severity file line column message")
_SEVERITY = {lib.BM_SEV_NOTE: "note", lib.BM_SEV_WARNING: "warning",
             lib.BM_SEV_ERROR: "error"}


class Error(Exception):
    """A libbm call failed.  `code` is the negative BM_E* code, `diagnostics`
    the list of Diagnostic(severity, file, line, column, message) libbm
    recorded, and str(error) shows them as FILE:LINE:COL: error: MESSAGE."""

    def __init__(self, message, code=0, diagnostics=()):
        self.code = code
        self.diagnostics = list(diagnostics)
        lines = [format_diagnostic(d) for d in self.diagnostics]
        text = message if not lines else message + "\n" + "\n".join(lines)
        super().__init__(text)


def format_diagnostic(d):
    where = ""
    if d.file:
        where = d.file
        if d.line:
            where += ":%d" % d.line
            if d.column:
                where += ":%d" % d.column
        where += ": "
    return "%s%s: %s" % (where, d.severity, d.message)


def _string(p):
    return ffi.string(p).decode("utf-8", "replace") if p != ffi.NULL else None


class Ctx:
    """A bm_ctx: owns the diagnostics of the objects made on it."""

    def __init__(self):
        out = ffi.new("bm_ctx **")
        rc = lib.bm_ctx_new(out, ffi.NULL)
        if rc:
            raise Error("libbm: cannot create a context: %s" % strerror(rc), rc)
        self.ptr = out[0]

    def __del__(self):
        if getattr(self, "ptr", None) is not None:
            lib.bm_ctx_free(self.ptr)
            self.ptr = None

    def diagnostics(self):
        out = []
        for i in range(lib.bm_ctx_diag_count(self.ptr)):
            d = lib.bm_ctx_diag(self.ptr, i)
            out.append(Diagnostic(_SEVERITY.get(d.severity, "error"), _string(d.loc.file),
                                  d.loc.line, d.loc.column, _string(d.message)))
        return out

    def check(self, rc, what):
        """Raises Error for a failed call (rc < 0), with the diagnostics;
        clears them either way."""
        diags = self.diagnostics()
        lib.bm_ctx_clear_diags(self.ptr)
        if rc < 0:
            raise Error("%s: %s" % (what, strerror(rc)), rc,
                        [d for d in diags if d.severity == "error"] or diags)
        return rc


def strerror(rc):
    return _string(lib.bm_strerror(rc))


def version():
    return _string(lib.bm_version())


def string(p):
    return _string(p)


def cstr(s):
    return s.encode("utf-8") if isinstance(s, str) else s


# ---- option structs: the Python side of the BM_*_OPTIONS_INIT macros ----

def graph_options(type_text=None):
    opt = ffi.new("bm_graph_options *")
    opt.version = lib.BM_GRAPH_OPTIONS_VERSION
    opt.type.total = lib.BM_FIXED_DEFAULT_TOTAL
    opt.type.frac = lib.BM_FIXED_DEFAULT_FRAC
    if type_text is not None:
        t = ffi.new("bm_fixed_type *")
        if lib.bm_graph_parse_type(cstr(type_text), t):
            raise Error("libbm: the type must be fixed<TOTAL,INTEGER> or int<TOTAL>, not %r"
                        % type_text, lib.BM_EINVAL)
        opt.type = t[0]
        opt.force_type = 1
    return opt


def compile_options():
    opt = ffi.new("bm_compile_options *")
    opt.version = lib.BM_COMPILE_OPTIONS_VERSION
    opt.strategy = lib.BM_MAP_NODE
    opt.cores = 4
    opt.name = ffi.NULL
    opt.buffers = lib.BM_COMPILE_BUFFERS_DEFAULT
    opt.mul = lib.BM_MUL_COMB
    opt.fold = lib.BM_COMPILE_FOLD_DEFAULT
    opt.fetch = lib.BM_COMPILE_FETCH_AUTO
    return opt


def report_options():
    opt = ffi.new("bm_report_options *")
    opt.version = lib.BM_REPORT_OPTIONS_VERSION
    opt.vectors = 8
    opt.seed = 1
    return opt


def sim_limits(max_cycles=0, max_outputs=0):
    lim = ffi.new("bm_sim_limits *")
    lim.version = lib.BM_SIM_LIMITS_VERSION
    lim.max_cycles = max_cycles
    lim.max_outputs = max_outputs
    return lim


def verilog_options(top=None, rom="auto", pin_wrapper=False):
    """The options and the buffer they point into (keep both alive)."""
    opt = ffi.new("bm_verilog_options *")
    opt.version = lib.BM_VERILOG_OPTIONS_VERSION
    styles = {"auto": lib.BM_VERILOG_ROM_AUTO, "logic": lib.BM_VERILOG_ROM_LOGIC,
              "block": lib.BM_VERILOG_ROM_BLOCK}
    if rom not in styles:
        raise Error("libbm: rom must be auto, logic or block, not %r" % (rom,), lib.BM_EINVAL)
    opt.rom_style = styles[rom]
    opt.pin_wrapper = 1 if pin_wrapper else 0
    buf = ffi.NULL
    if top is not None:
        buf = ffi.new("char[]", cstr(top))
        opt.top_name = buf
    return opt, buf


def cosim_options(work_dir):
    """The options and the buffer they point into (keep both alive)."""
    opt = ffi.new("bm_cosim_options *")
    opt.version = lib.BM_COSIM_OPTIONS_VERSION
    buf = ffi.new("char[]", cstr(work_dir))
    opt.work_dir = buf
    return opt, buf
