"""``xlgrade install libreoffice`` / ``xlgrade uninstall libreoffice``: the extension in and out.

Before installing, the LibreOffice version is checked: below 25.2 Calc does not map the Excel
names (an .xlsx's ``ABCGRADE(...)`` would show #NAME?), so the command refuses in one line.

Where it goes:

- ``--profile DIR``: into that LibreOffice profile (``-env:UserInstallation=file://DIR``),
  through UNO's extension manager of a headless soffice started on it. This works as root
  too, where ``unopkg`` refuses to write a user profile; the tests install this way.
- no ``--profile``, as a normal user: ``unopkg add`` into the user's own profile.
- no ``--profile``, as root: ``unopkg add --shared``, for every user of the machine (unopkg
  will not touch root's own profile without it). Said so in the output.

LibreOffice must not be running on that profile while installing (close it first).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from xlgrade.addins.lo import names
from xlgrade.errors import InstallError, LibreOfficeError, LibreOfficeTooOld
from xlgrade.lo.harness import CLEAN_PATH, LibreOffice, find_soffice

MINIMUM = ".".join(map(str, names.MINIMUM_LO))
_VERSION = re.compile(r"LibreOffice(?:Dev)?\s+(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"LibreOffice 25.2.3.2 520(Build:2)"`` -> (25, 2, 3); None if it says no version."""
    m = _VERSION.search(text)
    return None if m is None else tuple(int(g) for g in m.groups() if g is not None)


def _soffice() -> str:
    path = find_soffice()
    if path is None:
        raise InstallError(
            "未找到 LibreOffice,请先安装 LibreOffice " + MINIMUM + " 或更新版本 / "
            "LibreOffice not found: install LibreOffice " + MINIMUM + " or newer first"
        )
    return path


def _env() -> dict[str, str]:
    """LibreOffice's tools with a clean environment: a virtualenv's PATH or PYTHONPATH breaks
    the Python UNO bridge that registers our component."""
    env = {"PATH": CLEAN_PATH, "LANG": os.environ.get("LANG", "C.UTF-8")}
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


def installed_version(soffice: str | None = None) -> tuple[int, ...]:
    soffice = soffice or _soffice()
    try:
        r = subprocess.run([soffice, "--version"], capture_output=True, text=True, env=_env(), timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{soffice} --version failed: {exc}") from None
    version = parse_version(r.stdout + r.stderr)
    if version is None:
        raise InstallError(
            f"{soffice} --version did not say which LibreOffice it is: {(r.stdout or r.stderr).strip()[:80]!r}"
        )
    return version


def check_version(version: tuple[int, ...]) -> None:
    if tuple(version[:2]) < names.MINIMUM_LO:
        found = ".".join(map(str, version))
        raise LibreOfficeTooOld(
            f"LibreOffice {found} 太旧,xlgrade 需要 LibreOffice {MINIMUM} 或更新版本,请升级 / "
            f"LibreOffice {found} is too old: xlgrade needs LibreOffice {MINIMUM} or newer; upgrade "
            f"(libreoffice.org, or on Debian 12: apt-get install -t bookworm-backports libreoffice-calc)"
        )


def unopkg_command(action: str, unopkg: str, oxt: str | os.PathLike | None = None, *, root: bool) -> list[str]:
    """The unopkg command line: ``add`` the .oxt or ``remove`` the extension; root: --shared."""
    if action == "add":
        cmd = [unopkg, "add", "--force", "--suppress-license", str(oxt)]
    elif action == "remove":
        cmd = [unopkg, "remove", names.EXTENSION_ID]
    else:
        raise ValueError(f"unknown unopkg action {action!r}")
    return cmd + (["--shared"] if root else [])


def _unopkg(soffice: str) -> str:
    cand = Path(os.path.realpath(soffice)).with_name("unopkg")
    if cand.is_file():
        return str(cand)
    raise InstallError(f"unopkg not found next to {soffice}: the LibreOffice installation is incomplete")


def _run_unopkg(cmd: list[str]) -> None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{cmd[0]} failed: {exc}") from None
    if r.returncode != 0:
        lines = [ln.strip() for ln in (r.stderr + "\n" + r.stdout).splitlines() if ln.strip()]
        raise InstallError(f"unopkg {cmd[1]} failed: {lines[-1] if lines else f'exit status {r.returncode}'}")


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def install(profile: str | os.PathLike | None = None) -> str:
    """Build xlgrade.oxt from the registry and install it; returns the line to print."""
    from xlgrade.addins.lo.package import build_oxt

    soffice = _soffice()
    check_version(installed_version(soffice))
    with tempfile.TemporaryDirectory(prefix="xlgrade-install-") as tmp:
        oxt = build_oxt(tmp, python=sys.executable)  # the menu's monthly job runs this xlgrade
        if profile is not None:
            where = Path(profile).resolve()
            try:
                with LibreOffice(soffice=soffice, profile=where) as lo:
                    lo.add_extension(oxt)
            except LibreOfficeError as exc:
                raise InstallError(f"installing into the profile {where} failed: {_first_line(exc)}") from None
            return f"{names.EXTENSION_ID} installed into the LibreOffice profile {where}"
        root = _is_root()
        _run_unopkg(unopkg_command("add", _unopkg(soffice), oxt, root=root))
    return (
        f"{names.EXTENSION_ID} installed for every user of this machine (unopkg --shared, as root)"
        if root
        else f"{names.EXTENSION_ID} installed into your LibreOffice profile"
    )


def uninstall(profile: str | os.PathLike | None = None) -> str:
    soffice = _soffice()
    if profile is not None:
        where = Path(profile).resolve()
        if not where.is_dir():
            raise InstallError(f"no LibreOffice profile at {where}")
        try:
            with LibreOffice(soffice=soffice, profile=where) as lo:
                removed = lo.remove_extension(names.EXTENSION_ID)
        except LibreOfficeError as exc:
            raise InstallError(f"removing from the profile {where} failed: {_first_line(exc)}") from None
        if not removed:
            raise InstallError(f"{names.EXTENSION_ID} is not installed in the profile {where}")
        return f"{names.EXTENSION_ID} removed from the LibreOffice profile {where}"
    root = _is_root()
    _run_unopkg(unopkg_command("remove", _unopkg(soffice), root=root))
    return f"{names.EXTENSION_ID} removed" + (" for every user of this machine" if root else "")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
