"""Shared fixtures.  The tests run from `make test` (python-test) with
PYTHONPATH set to the package and the build tree; BMC and BM_REPO name the
bmc program and the repository.  A skipped test fails the run: nothing here
may be skipped silently."""
import os
import subprocess

import numpy as np
import pytest

REPO = os.environ.get("BM_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__),
                                                              "..", "..")))
BMC = os.environ.get("BMC", os.path.join(REPO, "build", "bmc"))

_skipped = []


def repo(*parts):
    return os.path.join(REPO, *parts)


def bmc(*args, check=True):
    r = subprocess.run([BMC] + [str(a) for a in args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError("bmc %s failed (%d): %s" % (" ".join(map(str, args)),
                                                        r.returncode, r.stderr))
    return r


def load_csv(path):
    d = np.loadtxt(path, delimiter=",", comments="#")
    return d[:, :-1], d[:, -1].astype(int)


@pytest.fixture(scope="session")
def iris_data():
    return load_csv(repo("examples", "networks", "iris-test.csv"))


@pytest.fixture(scope="session")
def digits_data():
    return load_csv(repo("examples", "networks", "digits-test.csv"))


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and session.exitstatus == 0:
        print("\nlibbm: tests were skipped, which make test does not allow: %s" % _skipped)
        session.exitstatus = 1
