"""Security of the pipeline: names never escape the lake, documents never reach the network or run code,
and the UI listens on 127.0.0.1.

The reader-level cases (entities, macros, scripts, zip bombs, a path in a file name) are in
tests/test_bad_inputs.py; here the same kinds of input go through the whole pipeline: the inbox
sensor's tick and the curated runs, in-process, with every connection and process recorded.
"""

from __future__ import annotations

import io
import socket
import subprocess
import threading
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from disclosure.audit import audit_lake
from disclosure.lake import Lake, decode_agency_key, encode_agency_key, read_curated, read_quarantine
from lakeops.runner import apply_sensor_tick, materialize_all
from pipelines.definitions import build_defs
from pipelines.resources import LakeResource
from tests.pipeline_helpers import REPORTS

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

REPO = Path(__file__).resolve().parent.parent
SECRET = "TOPSECRET-4711"


class Listener(threading.Thread):
    """A TCP server on 127.0.0.1 that counts connections (a document's URLs all point here)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    srv = Listener()
    srv.start()
    yield srv
    srv.done.set()
    srv.join(timeout=5)
    srv.sock.close()


@pytest.fixture
def outbound(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every IP connection attempt and every process started while the pipeline runs."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connect {address!r}")
        return real_connect(self, address)

    real_popen = subprocess.Popen.__init__

    def popen(self: subprocess.Popen, args: object, *a: object, **kw: object) -> None:
        attempts.append(f"process {args!r}")
        real_popen(self, args, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(subprocess.Popen, "__init__", popen)
    return attempts


# Dagster's default compute-log capture starts `tail` processes of its own; without it, any process
# started during a run would come from a document.
NO_LOG_CAPTURE = {"compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager",
                                   "class": "NoOpComputeLogManager"}}


def run_pipeline(lake: Lake) -> tuple[list[str], list[str]]:
    """Inbox tick + curated runs in-process; (accepted agency-years, dynamic division partitions)."""
    defs = build_defs(LakeResource(root=str(lake.root)))
    with dg.instance_for_test(overrides=NO_LOG_CAPTURE) as instance:
        tick = apply_sensor_tick(instance, lake, lake.root / ".state")
        summary = materialize_all(defs, instance, lake, year_job_name=None)
        assert summary.failed_runs == 0
        return tick.accepted, instance.get_dynamic_partitions("division")


def lake_bytes(lake: Lake) -> bytes:
    """Everything the pipeline wrote (a symlink a test planted in the inbox is not its output)."""
    return b"".join(p.read_bytes() for p in sorted(lake.root.rglob("*")) if p.is_file() and not p.is_symlink())


def rezip(data: bytes, *, add: dict[str, bytes], edit: dict[str, tuple[bytes, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            member = zin.read(info.filename)
            if info.filename in edit:
                member = member.replace(*edit[info.filename])
            z.writestr(info.filename, member)
        for name, member in add.items():
            z.writestr(name, member)
    return out.getvalue()


def hostile_documents(inbox: Path, secret: Path, url: str) -> None:
    """Three real reports rewritten to fetch URLs, include a local file and carry a macro."""
    html = (REPORTS / "sh-gov-office-2019.html").read_text("utf-8")
    fetch = (f'<img src="{url}/img.png"><script src="{url}/x.js"></script><link rel="stylesheet" href="{url}/c.css">'
             f'<iframe src="{url}/frame"></iframe><meta http-equiv="refresh" content="0;url={url}/go">'
             f"<script>fetch('{url}/js')</script>")
    (inbox / "web.html").write_text(fetch + html, "utf-8")
    xhtml = (REPORTS / "shuyang-fgj-2023.html").read_text("utf-8")
    prolog = (f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
              f'<!ENTITY net SYSTEM "{url}/dtd">]>\n')
    (inbox / "xxe.xhtml").write_text(prolog + xhtml.replace("</p>", "&xxe;&net;</p>", 1), "utf-8")
    template = (f'<Relationship Id="rIdX" TargetMode="External" Target="{url}/evil.dotm" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"/>').encode()
    macro = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1Sub AutoOpen()\r\nShell \"touch " + str(secret.parent / "pwned").encode() + b"\"\r\nEnd Sub"
    docx = rezip((REPORTS.parent / "docx" / "hongze-gov-2024-word.docx").read_bytes(),
                 add={"word/vbaProject.bin": macro},
                 edit={"word/_rels/document.xml.rels": (b"</Relationships>", template + b"</Relationships>")})
    (inbox / "macro.docx").write_bytes(docx)
    (inbox / "manifest.csv").write_text(f"file,agency,year,url\nweb.html,,,{url}/manifest\n"
                                        f"macro.docx,,,{secret.as_uri()}\n", "utf-8")


def test_documents_pointing_at_urls_and_local_files_are_curated_with_no_connection_no_process_no_leak(
    tmp_path: Path, listener: Listener, outbound: list[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    lake = Lake(tmp_path / "lake")
    lake.ensure()
    hostile_documents(lake.inbox, secret, listener.url)
    accepted, _ = run_pipeline(lake)
    # 淮安市洪泽区人民政府 is filed under the registry's canonical name of the body.
    assert sorted(accepted) == ["上海市人民政府办公厅|2019", "沭阳县发展和改革局|2023", "洪泽区人民政府|2024"]
    assert outbound == [] and listener.connections == 0
    assert SECRET.encode() not in lake_bytes(lake)
    assert not (tmp_path / "pwned").exists()
    assert len(read_curated(lake, "reports")) == 3 and read_quarantine(lake) == []
    assert audit_lake(lake).ok


NAMES = {  # inbox path → corpus file
    "x..\\..\\evil.txt": "pingtan-2022.txt",
    "..\\..\\hidden.txt": "pingtan-2021.txt",  # a leading dot: hidden, never listed (editors' temp files)
    "year=2023/agency=../%2e%2e%2fx.txt": "pingtan-2023.txt",
    "sub/-rf \n.txt": "hongze-gov-2023.txt",
}
MANIFEST = (
    "file,agency,year,url\n"
    "../outside.txt,外部机关,2023,\n"           # a manifest row naming a file outside the inbox
    "dot.txt,../../escape,2022,\n"              # an agency that is a path
    'pct.txt,"..%2F..%2Fescape",2024,\n'        # an agency that is a path once percent-decoded
    "yr.txt,洪泽区人民政府,2024/../../x,\n"    # a year that is a path
)


def test_file_names_manifest_fields_and_agency_names_never_reach_outside_the_lake(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    lake.ensure()
    for rel, src in NAMES.items():
        (lake.inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (lake.inbox / rel).write_bytes((REPORTS / src).read_bytes())
    for name, src in (("dot.txt", "xining-etdz-2022.txt"), ("pct.txt", "huaian-gov-2024.txt"),
                      ("yr.txt", "hongze-gov-2024.txt")):
        (lake.inbox / name).write_bytes((REPORTS / src).read_bytes())
    (lake.inbox / "manifest.csv").write_text(MANIFEST, "utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text((REPORTS / "pingtan-2019.txt").read_text("utf-8") + "\nOUTSIDE-MARKER\n", "utf-8")
    before = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(lake.root))

    accepted, divisions = run_pipeline(lake)

    assert sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(lake.root)) == before
    assert all(p.resolve().is_relative_to(lake.root.resolve()) and not p.is_symlink() for p in lake.root.rglob("*"))
    assert b"OUTSIDE-MARKER" not in lake_bytes(lake)
    # A manifest year that is a path is not a year: the row is reported and skipped (issue 10), so
    # yr.txt is filed by its own title and 统计期限 (淮安市洪泽区人民政府 2024 → the registry's 洪泽区人民政府).
    assert sorted((q.source_file, q.code) for q in read_quarantine(lake)) == [("dot.txt", "bad_agency_key")]
    assert sorted(accepted) == ["..%2F..%2Fescape|2024", "平潭综合实验区|2022", "平潭综合实验区|2023",
                                "洪泽区人民政府|2023", "洪泽区人民政府|2024"]
    # an unregistered body (whatever its name) is filed under the unknown division, never a guessed one
    assert sorted(divisions) == ["000000 区划不明", "320813 洪泽区", "350128 平潭县"]
    for zone in (lake.raw, lake.curated / "reports"):
        dirs = [p.relative_to(zone) for p in zone.glob("*/*") if p.is_dir()]
        assert all(len(d.parts) == 2 and d.parts[1] == f"agency={encode_agency_key(decode_agency_key(d.parts[1][7:]))}"
                   for d in dirs)
    reports = read_curated(lake, "reports")
    assert sorted(reports["agency"]) == sorted(a.split("|")[0] for a in accepted)
    assert sorted(reports["source_file"]) == sorted(["x..\\..\\evil.txt", "%2e%2e%2fx.txt", "-rf \n.txt", "yr.txt",
                                                     "pct.txt"])
    assert audit_lake(lake).ok


def test_a_symlinked_folder_in_the_inbox_is_not_followed(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    lake.ensure()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pingtan-2022.txt").write_bytes((REPORTS / "pingtan-2022.txt").read_bytes())
    (lake.inbox / "linked").symlink_to(elsewhere, target_is_directory=True)
    accepted, _ = run_pipeline(lake)
    assert accepted == [] and not list(lake.raw.rglob("*.txt"))
    assert [(q.source_file, q.code) for q in read_quarantine(lake)] == [("linked", "symlink_refused")]


def test_a_symlinked_file_in_the_inbox_is_never_read(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    lake.ensure()
    target = tmp_path / "private-report.txt"
    target.write_text((REPORTS / "pingtan-2022.txt").read_text("utf-8") + "\nPRIVATE-MARKER\n", "utf-8")
    (lake.inbox / "innocent.txt").symlink_to(target)
    run_pipeline(lake)
    assert b"PRIVATE-MARKER" not in lake_bytes(lake)
    assert not any(lake.raw.rglob("*.txt")), "nothing was copied into the raw zone"


# --------------------------------------------------------------------------- the UI


def test_the_ui_launcher_binds_the_webserver_to_127_0_0_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lakeops import service

    commands: list[list[str]] = []

    class FakeProcess:
        def __init__(self, cmd: list[str], **kwargs: object) -> None:
            commands.append(cmd)
            self.pid = -1

        def poll(self) -> int:
            return 0

        def wait(self, timeout: float | None = None) -> int:
            return 0

    monkeypatch.setattr(service.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(service.Services, "graphql", lambda self, *a, **k: {"version": "x"})
    with service.running_services(tmp_path / "lake", tmp_path / "home") as svc:
        assert svc.url.startswith("http://127.0.0.1:")
    [webserver] = [c for c in commands if c[0].endswith("dagster-webserver")]
    assert webserver[webserver.index("-h") + 1] == "127.0.0.1"
    assert not any("0.0.0.0" in part for c in commands for part in c)


def test_the_webserver_default_and_every_documented_ui_command_stay_on_loopback() -> None:
    import dagster_webserver.cli

    [host] = [p for p in dagster_webserver.cli.dagster_webserver.params if p.name == "host"]
    assert host.default == "127.0.0.1"
    for rel in ("Makefile", "workspace.yaml", "lakeops/service.py", "lakeops/demo.py", "lakeops/backfill.py",
                "docs/pipeline.md"):
        text = (REPO / rel).read_text("utf-8")
        assert "0.0.0.0" not in text and "--host 0" not in text, rel
    demo = (REPO / "lakeops" / "demo.py").read_text("utf-8")
    assert "dagster dev -w workspace.yaml -h 127.0.0.1" in demo
    assert "lakeops.service --lake $(LAKE) --port $(PORT)" in (REPO / "Makefile").read_text("utf-8")
