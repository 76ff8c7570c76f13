"""The VBA project rename of xlgrade.addins.excel.ovba (MS-OVBA), on the template and the build."""

from __future__ import annotations

import struct
import zipfile

import olefile
import pytest
from pyopenvba.cfb import CFB
from pyopenvba.vba import decompress

from xlgrade.addins.excel import names, ovba
from xlgrade.addins.excel.xlam import build_xlam, template_path

pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def template_bin() -> bytes:
    with zipfile.ZipFile(template_path()) as z:
        return z.read("xl/vbaProject.bin")


def _olevba(vba_bin: bytes) -> tuple[str, dict[str, str]]:
    """The project name and module sources as olevba reads them, strictly ([MS-OVBA] checks on)."""
    from oletools.olevba import VBA_Project  # imported here: its pyparsing warnings stay filtered

    ole = olefile.OleFileIO(vba_bin)
    try:
        project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
        project.parse_project_stream()
        modules = {filename.rsplit(".", 1)[0]: code for _, filename, code in project.parse_modules()}
        return project.projectname, modules
    finally:
        ole.close()


def _streams(vba_bin: bytes) -> dict[str, bytes]:
    ole = olefile.OleFileIO(vba_bin)
    try:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    finally:
        ole.close()


def test_template_project_is_myaddin(template_bin):
    assert ovba.project_names(template_bin) == ("MyAddin", "MyAddin")
    assert _olevba(template_bin)[0] == "MyAddin"


@pytest.mark.parametrize("name", ["xlgrade", "A", "Project_2", "x" * 128])
def test_rename_changes_the_name_only(template_bin, name):
    renamed = ovba.rename_project(template_bin, name)
    assert ovba.project_names(renamed) == (name, name)
    got_name, got_modules = _olevba(renamed)
    assert got_name == name
    assert got_modules == _olevba(template_bin)[1]
    before, after = _streams(template_bin), _streams(renamed)
    assert set(before) == set(after)
    for stream in set(before) - {"PROJECT", "VBA/dir", "VBA/_VBA_PROJECT"}:
        assert after[stream] == before[stream], stream
    old_lines, new_lines = before["PROJECT"].split(b"\r\n"), after["PROJECT"].split(b"\r\n")
    assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b] == [old_lines.index(b'Name="MyAddin"')]
    assert new_lines[old_lines.index(b'Name="MyAddin"')] == f'Name="{name}"'.encode()
    old_dir = decompress(CFB.from_bytes(template_bin).get_stream_in_storage("VBA", "dir"))
    new_dir = decompress(CFB.from_bytes(renamed).get_stream_in_storage("VBA", "dir"))
    old_record = struct.pack("<HI", 4, 7) + b"MyAddin"
    new_record = struct.pack("<HI", 4, len(name)) + name.encode()
    assert old_dir.count(old_record) == 1 and new_dir == old_dir.replace(old_record, new_record)
    cache = after["VBA/_VBA_PROJECT"]
    assert cache[:5] == before["VBA/_VBA_PROJECT"][:5] and not any(cache[5:])


@pytest.mark.parametrize("name", ["", "1abc", "x y", "客户", "x" * 129, 'a"b'])
def test_rename_refuses_what_is_no_vba_name(template_bin, name):
    with pytest.raises(ovba.OvbaError):
        ovba.rename_project(template_bin, name)


def test_a_dir_stream_of_unknown_layout_is_refused():
    with pytest.raises(ovba.OvbaError, match="0x0009"):
        ovba._name_record(struct.pack("<HI", 1, 4) + b"\0" * 4 + struct.pack("<HI", 9, 4) + b"\0" * 4)
    with pytest.raises(ovba.OvbaError, match="no PROJECTNAME"):
        ovba._name_record(struct.pack("<HI", 1, 4) + b"\0" * 4)


def test_built_project_is_named_xlgrade(tmp_path):
    xlam = build_xlam(tmp_path)
    with zipfile.ZipFile(xlam) as z:
        vba_bin = z.read("xl/vbaProject.bin")
    assert names.VBA_PROJECT_NAME == "xlgrade"
    assert ovba.project_names(vba_bin) == ("xlgrade", "xlgrade")
    name, modules = _olevba(vba_bin)
    assert name == "xlgrade"
    assert {names.RIBBON_VBA_MODULE, names.UDF_VBA_MODULE, names.EVENTS_VBA_CLASS, "xlwings"} <= set(modules)
