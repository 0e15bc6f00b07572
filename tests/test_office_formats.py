"""Old office formats (issue 11 item 4): .doc / .wps / .et detected by their content, converted by
LibreOffice in a subprocess with a timeout and a private profile, or refused with the exact command.
The conversion of a real .doc is tested in test_reader_docx.py; these check the rest."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from disclosure.model import RejectedReport
from disclosure.readers import office, read

FIXTURES = Path(__file__).parent / "fixtures"
OLD_DOC = FIXTURES / "docx" / "office-doc"
SHEET_ET = OLD_DOC / "table-2-calc.et"
"""表二's first rows saved by LibreOffice Calc as Excel 97 (BIFF8, what WPS's .et holds)."""


def test_a_word_97_file_named_wps_is_detected_as_word_and_refused_with_its_command(monkeypatch):
    data = next(OLD_DOC.glob("*.doc")).read_bytes()
    assert office.old_format(data, "report.wps") is office.WORD
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    with pytest.raises(RejectedReport) as err:
        read(data, "/data/raw/report.wps")
    assert err.value.code == "unsupported_format"
    assert "--convert-to docx:MS Word 2007 XML --outdir OUTDIR '/data/raw/report.wps'" in err.value.message


def test_an_old_workbook_is_detected_by_its_stream_whatever_its_name(monkeypatch):
    data = SHEET_ET.read_bytes()
    assert office.old_format(data, "report.et") is office.SHEET
    assert office.old_format(data, "report.doc") is office.SHEET  # content decides, not the name
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    with pytest.raises(RejectedReport) as err:
        read(data, "report.et")
    assert err.value.code == "unsupported_format"
    assert "--convert-to html:HTML (StarCalc) --outdir OUTDIR 'report.et'" in err.value.message


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_conversion_past_its_timeout_is_killed_with_its_children_and_refused(tmp_path):
    # The fake soffice records its arguments, starts a child that outlives it unless the whole
    # process group is killed, and hangs.
    record = tmp_path / "args"
    script = _fake_soffice(tmp_path, f'echo "$@" > {record}\nsleep 60 &\necho $! > {record}.child\nwait\n')
    data = next(OLD_DOC.glob("*.doc")).read_bytes()
    start = time.monotonic()
    with pytest.raises(RejectedReport) as err:
        office.convert(data, office.WORD, str(script), "report.doc", timeout=1)
    assert time.monotonic() - start < 10
    assert err.value.code == "unreadable_file" and "within 1 s" in err.value.message
    child = int((tmp_path / "args.child").read_text())
    assert _gone(child)  # the process group went down with it


def _gone(pid: int) -> bool:
    """Has the process ended? (Killed, it may linger as a zombie until something reaps it.)"""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_each_conversion_gets_a_private_profile_that_does_not_outlive_it(tmp_path):
    record = tmp_path / "args"
    script = _fake_soffice(tmp_path, f'echo "$@" >> {record}\nexit 1\n')
    data = next(OLD_DOC.glob("*.doc")).read_bytes()
    for _ in range(2):
        with pytest.raises(RejectedReport) as err:
            office.convert(data, office.WORD, str(script), "report.doc", timeout=30)
        assert err.value.code == "corrupt_file"
    profiles = [next(a for a in line.split() if a.startswith("-env:UserInstallation=file://"))
                for line in record.read_text().splitlines()]
    assert len(set(profiles)) == 2  # never shared between conversions (LibreOffice's profile lock)
    for profile in profiles:
        assert not Path(profile.removeprefix("-env:UserInstallation=file://")).exists()


@pytest.mark.skipif(office.find_soffice() is None, reason="LibreOffice (soffice) not installed")
def test_an_old_workbook_is_converted_by_libreoffice_and_its_table_read():
    try:
        doc = read(SHEET_ET.read_bytes(), "table-2.et")
    except RejectedReport as exc:  # LibreOffice without Calc (libreoffice-calc-nogui) cannot open it
        if exc.code == "corrupt_file" and "cannot convert" in exc.message:
            pytest.skip(f"LibreOffice here has no spreadsheet filter: {exc.message}")
        raise
    rows = [[c.text for c in line.cells] for line in doc.lines if line.table is not None]
    assert ["规章", "13", "13", "524"] in rows
    assert ["规范性文件", "60", "60", "368"] in rows
