"""``xlgrade install excel [--dry-run]`` and ``xlgrade uninstall excel``: the add-in for one
Windows user.

Install, in order (each a :class:`Step`; ``--dry-run`` prints them and does nothing):

1. build ``xlgrade.xlam`` (the same bytes as ``xlgrade addins build``) into
   ``%LOCALAPPDATA%\\xlgrade``;
2. copy it into the user's ``XLSTART`` (``%APPDATA%\\Microsoft\\Excel\\XLSTART``): Excel opens
   it at start, so the ribbon tab and the functions are there; a file made on this PC carries
   no "downloaded from the internet" mark, so Excel does not block it;
3. write ``INTERPRETER_WIN`` (this installation's ``pythonw.exe``) into
   ``%USERPROFILE%\\.xlgrade\\xlgrade.conf``, the user config file xlwings reads for
   PROJECT_NAME ``xlgrade`` (other lines of that file are kept); the .xlam itself holds only
   machine-independent settings, so it stays byte-identical everywhere;
4. check that the xlwings DLL of the pinned version is where xlwings looks for it (the
   interpreter's folder or, in a virtual environment, its root) and say which Office bitness it
   serves (``xlwings64`` for 64-bit Office, ``xlwings32`` for 32-bit).

Uninstall removes the add-in from XLSTART and the ``INTERPRETER_WIN`` line (the file and its
folder too when nothing else is left).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from xlgrade.addins.excel import names
from xlgrade.errors import InstallError


@dataclass
class Step:
    text: str  # what the step does, one line
    run: Callable[[], str | None] | None  # None: a check already done; returns a note or None


def _env_dir(env: Mapping[str, str], key: str) -> Path:
    value = env.get(key)
    if not value:
        raise InstallError(f"%{key}% is not set: run this as the Windows user who uses Excel")
    return Path(value)


def paths(env: Mapping[str, str] | None = None) -> dict[str, Path]:
    env = os.environ if env is None else env
    return {
        "build": _env_dir(env, "LOCALAPPDATA") / "xlgrade",
        "xlstart": _env_dir(env, "APPDATA") / "Microsoft" / "Excel" / "XLSTART",
        "conf": _env_dir(env, "USERPROFILE") / f".{names.PROJECT_NAME}" / f"{names.PROJECT_NAME}.conf",
    }


def interpreter(executable: str | None = None) -> Path:
    """``pythonw.exe`` beside this installation's python (no console window for RunPython)."""
    return Path(executable or sys.executable).with_name("pythonw.exe")


def dll_names(version: str) -> dict[str, str]:
    return {"64": f"xlwings64-{version}.dll", "32": f"xlwings32-{version}.dll"}


def dll_check(python: Path, prefix: Path, version: str) -> tuple[bool, str]:
    """(found, one line): where xlwings looks for its DLL and what was found there."""
    folders = [python.parent] + ([prefix] if prefix != python.parent else [])
    found = {
        bits: next((f / name for f in folders if (f / name).is_file()), None)
        for bits, name in dll_names(version).items()
    }
    where = " or ".join(str(f) for f in folders)
    if not any(found.values()):
        return False, (
            f"no {dll_names(version)['64']} / {dll_names(version)['32']} in {where}: "
            f"run `{python.with_name('python.exe')} -m pip install --force-reinstall xlwings=={version}` "
            "with a Windows Python of the same bitness as Office (64-bit Office: 64-bit Python)"
        )
    have = ", ".join(f"{dll.name} ({b}-bit Office)" for b in ("64", "32") if (dll := found[b]) is not None)
    missing = [b for b in ("64", "32") if not found[b]]
    note = (
        (f"; {missing[0]}-bit Office would need {dll_names(version)[missing[0]]}, i.e. a {missing[0]}-bit Python")
        if missing
        else ""
    )
    return True, f"xlwings DLL found in {where}: {have}{note}"


def conf_lines(existing: str, python: Path | None) -> str:
    """The user config file with INTERPRETER_WIN set to ``python`` (or removed for None)."""
    keep = [
        ln
        for ln in existing.splitlines()
        if ln.strip() and not ln.strip().strip('"').upper().startswith('INTERPRETER_WIN"')
    ]
    if python is not None:
        keep.append(f'"INTERPRETER_WIN","{python}"')
    return "".join(f"{ln}\r\n" for ln in keep)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def install_steps(
    env: Mapping[str, str] | None = None, executable: str | None = None, prefix: str | None = None
) -> list[Step]:
    import xlwings

    from xlgrade.addins.excel.xlam import build_xlam

    p = paths(env)
    python = interpreter(executable)
    target = p["xlstart"] / names.XLAM_NAME
    built = p["build"] / names.XLAM_NAME

    def write_conf() -> None:
        p["conf"].parent.mkdir(parents=True, exist_ok=True)
        p["conf"].write_text(conf_lines(_read(p["conf"]), python), encoding="utf-8", newline="")

    def copy() -> None:
        p["xlstart"].mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)

    ok, line = dll_check(python, Path(prefix or sys.prefix), xlwings.__version__)
    if not python.is_file():
        line = f"{python} does not exist: install xlgrade with a regular Windows Python (python.org)"
        ok = False
    return [
        Step(f"build {names.XLAM_NAME} into {p['build']}", lambda: str(build_xlam(p["build"])) and None),
        Step(f"copy {built} to {target} (Excel opens it at every start)", copy),
        Step(f'write "INTERPRETER_WIN","{python}" into {p["conf"]}', write_conf),
        Step(("check: " if ok else "PROBLEM: ") + line, None),
    ]


def uninstall_steps(env: Mapping[str, str] | None = None) -> list[Step]:
    p = paths(env)
    target = p["xlstart"] / names.XLAM_NAME

    def remove_addin() -> str | None:
        if not target.is_file():
            return "not there"
        target.unlink()
        return None

    def remove_conf() -> str | None:
        if not p["conf"].is_file():
            return "not there"
        rest = conf_lines(_read(p["conf"]), None)
        if rest:
            p["conf"].write_text(rest, encoding="utf-8", newline="")
            return None
        p["conf"].unlink()
        if not any(p["conf"].parent.iterdir()):
            p["conf"].parent.rmdir()
        return None

    return [
        Step(f"remove {target} (close Excel first)", remove_addin),
        Step(f"remove INTERPRETER_WIN from {p['conf']}", remove_conf),
    ]


def run(steps: list[Step], dry_run: bool, out: Callable[[str], None] = print) -> bool:
    """Print every step; run it unless ``dry_run``. False if a check found a problem."""
    fine = True
    for i, step in enumerate(steps, 1):
        prefix = "would " if dry_run and step.run is not None else ""
        note = None if dry_run or step.run is None else step.run()
        out(f"{i}. {prefix}{step.text}" + (f" ({note})" if note else ""))
        fine = fine and not step.text.startswith("PROBLEM")
    return fine


def install(dry_run: bool = False, env: Mapping[str, str] | None = None, out: Callable[[str], None] = print) -> int:
    if not dry_run and os.name != "nt":
        raise InstallError("xlgrade install excel works on Windows only; --dry-run shows its steps anywhere")
    return 0 if run(install_steps(env), dry_run, out) else 1


def uninstall(dry_run: bool = False, env: Mapping[str, str] | None = None, out: Callable[[str], None] = print) -> int:
    if not dry_run and os.name != "nt":
        raise InstallError("xlgrade uninstall excel works on Windows only; --dry-run shows its steps anywhere")
    run(uninstall_steps(env), dry_run, out)
    return 0
