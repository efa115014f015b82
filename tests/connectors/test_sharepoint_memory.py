"""Uploading 100 MB of evidence through upload sessions holds memory flat: spooled and sent piece by piece.

The upload runs in a child process so that its peak resident set (``ru_maxrss``)
is its own; the fake Graph (in this process) keeps no copy of the bytes.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from support.fake_graph import SECRET, FakeGraph

SIZE = 100 * 1000 * 1000
LIMIT_MB = 64

CHILD = textwrap.dedent("""
    import json, resource, sys, tracemalloc
    from pathlib import Path
    from steerco.services.governance.evidence import spool
    from steerco_sharepoint.connector import SharePointConnector

    settings, source, spool_dir = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    conn = SharePointConnector(SharePointConnector.load_settings(settings, env={"GRAPH_SECRET": sys.argv[4]}))
    with conn.evidence_store() as store:
        # Warm up (imports, TLS, token, one session) from a file, so that the baseline holds what any
        # upload needs and no large buffer of its own.
        warm = spool_dir / "warm-up.bin"
        with open(warm, "wb") as f:
            for _ in range(5):
                f.write(b"w" * 65536 * 16)
        with open(warm, "rb") as f:
            store.put(f, name="warm-up.bin", size=warm.stat().st_size, folder=("bench",))
        warm.unlink()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        with open(source, "rb") as f:
            digest, size, tmp = spool(f, spool_dir, 1 << 40)
        with open(tmp, "rb") as f:
            item = store.put(f, name="big.bin", size=size, folder=("bench",))
        _, traced = tracemalloc.get_traced_memory()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_growth_kb": after - before, "traced_peak_kb": traced // 1024, "sha256": digest,
                      "item": item.item_id, "size": size}))
""")


@pytest.fixture
def graph(tmp_path):
    with FakeGraph(tmp_path) as server:
        server.quiet()
        yield server


def test_100_mb_upload_session_stays_under_64_mb_extra(graph, tmp_path):
    source = tmp_path / "big.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with open(source, "wb") as f:
        left = SIZE
        while left:
            f.write(block[:min(left, len(block))])
            left -= min(left, len(block))
    (tmp_path / "spool").mkdir()
    settings = graph.connector_settings(chunk_size=10 * 320 * 1024)
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(settings), str(source), str(tmp_path / "spool"),
                          SECRET], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["size"] == SIZE and graph.sha256(figures["item"]) == figures["sha256"]
    growth_mb = figures["rss_growth_kb"] / 1024
    print(f"\n100 MB upload: peak RSS growth {growth_mb:.1f} MB, Python allocations peak "
          f"{figures['traced_peak_kb'] / 1024:.1f} MB")
    assert growth_mb < LIMIT_MB, figures
