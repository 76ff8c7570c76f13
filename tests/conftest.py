"""Shared test set-up.

LibreOffice: tests marked ``@pytest.mark.libreoffice`` (and every test using the ``lo``
fixture) are skipped when LibreOffice is not installed -- except under CI=true, where a
missing LibreOffice fails them, so CI can never go green by skipping its spreadsheet proofs.

Spark: the ``spark`` fixture is one local Spark session for the whole test session (starting
the JVM costs seconds); without pyspark or Java its tests skip, and under CI=true they fail.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from xlgrade.io import duckfigures

# The machines are shared: a slow draw is the neighbour's load, not a slow strategy; and no
# property test here has a per-example deadline (timing belongs to the benchmark).
settings.register_profile("xlgrade", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("xlgrade")

# The engine runs no SQL itself (xlgrade.engine.figures rule 8): the tests grade pandas
# ledgers on embedded DuckDB, as the command line does.
duckfigures.install()


def libreoffice_required() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_libreoffice() -> None:
    """Skip (or, with CI=true, fail) the current test if LibreOffice is unavailable."""
    from xlgrade.lo import available

    ok, why = available()
    if ok:
        return
    if libreoffice_required():
        pytest.fail(
            f"LibreOffice is required when CI=true but is unavailable: {why}. "
            ".ci/run installs it (libreoffice-calc-nogui python3-uno "
            "libreoffice-script-provider-python fonts-noto-cjk).",
            pytrace=False,
        )
    pytest.skip(f"LibreOffice unavailable: {why}")


def require_unoidl_write() -> str:
    """unoidl-write (Debian's libreoffice-dev), needed to build xlgrade.oxt: skip without it,
    fail with CI=true."""
    from xlgrade.addins.lo.idl import BuildToolMissing, find_unoidl_write

    try:
        return find_unoidl_write()
    except BuildToolMissing as exc:
        if libreoffice_required():
            pytest.fail(f"required when CI=true: {exc}", pytrace=False)
        pytest.skip(str(exc))


def pytest_runtest_setup(item):
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()


@pytest.fixture(scope="session")
def lo():
    """One headless LibreOffice for the whole session; open documents per test."""
    require_libreoffice()
    from xlgrade.lo import LibreOffice

    with LibreOffice() as instance:
        yield instance


@pytest.fixture(scope="session")
def oxt(tmp_path_factory):
    """The Calc extension as `xlgrade addins build` writes it, built once per session."""
    from xlgrade.cli import main

    require_unoidl_write()
    out = tmp_path_factory.mktemp("dist")
    assert main(["addins", "build", str(out)]) == 0
    return out / "xlgrade.oxt"


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (xlgrade.io.sparkfigures.session) for the whole test session:
    skipped without pyspark or Java, failed with CI=true (.ci/run installs Java)."""
    from xlgrade.errors import MissingExtraError

    try:
        from xlgrade.io import sparkfigures

        session = sparkfigures.session()
    except MissingExtraError as exc:
        if libreoffice_required():  # the same rule: CI never goes green by skipping
            pytest.fail(f"Spark is required when CI=true but is unavailable: {exc}", pytrace=False)
        pytest.skip(f"Spark unavailable: {exc}")
    yield session
    session.stop()
