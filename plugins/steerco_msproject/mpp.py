"""Microsoft Project's own .mpp files, read through MPXJ (the optional ``mpxj`` package and a Java runtime).

MPXJ converts the file to MSPDI in a separate process (see ``mpxj_convert``);
the result is read like an uploaded XML file, so both paths give the same
milestones and the same checks.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from steerco.domain.schedule import PlanRejected

SUFFIXES = (".mpp", ".mpt")
TIMEOUT = 120.0
SAVE_AS_XML = ("In Microsoft Project, open the plan, choose File → Save As, pick the file type "
               "'XML Format (*.xml)' and upload that file instead")


def java_runtime(env) -> str | None:
    """The ``java`` executable MPXJ would start: under ``JAVA_HOME``, else on ``PATH``."""
    home = env.get("JAVA_HOME")
    if home and os.access(Path(home) / "bin" / "java", os.X_OK):
        return str(Path(home) / "bin" / "java")
    return shutil.which("java", path=env.get("PATH", ""))


def mpxj_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("mpxj", "jpype"))


def to_mspdi(data: bytes, filename: str, *, env=None, timeout: float = TIMEOUT) -> bytes:
    """The plan in an .mpp file as MSPDI XML.

    :raises PlanRejected: no Java runtime or no MPXJ here (``code`` ``mpp_unsupported``, saying how to
        save the plan as XML), or MPXJ could not read the file.
    """
    env = dict(os.environ if env is None else env)
    if java_runtime(env) is None:
        _refuse(f"'{filename}' is a Microsoft Project .mpp file; reading one needs a Java runtime, which this "
                f"server does not have. {SAVE_AS_XML}")
    if not mpxj_installed():
        _refuse(f"'{filename}' is a Microsoft Project .mpp file; reading one needs the optional package mpxj "
                f"(pip install 'steerco[msproject]'), which this server does not have. {SAVE_AS_XML}")
    with tempfile.TemporaryDirectory(prefix="steerco-mpp-") as tmp:
        source, target = Path(tmp) / ("plan" + Path(filename).suffix.lower()), Path(tmp) / "plan.xml"
        source.write_bytes(data)
        try:
            done = subprocess.run([sys.executable, "-m", "steerco_msproject.mpxj_convert", str(source), str(target)],
                                  env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PlanRejected([{"line": None, "task": None, "problem": f"reading '{filename}' took longer than "
                                 f"{timeout:g} s. {SAVE_AS_XML}"}], "mpp_unreadable") from None
        if done.returncode != 0 or not target.exists():
            said = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise PlanRejected([{"line": None, "task": None, "problem": f"'{filename}' could not be read: {said}. "
                                 f"{SAVE_AS_XML}"}], "mpp_unreadable")
        return target.read_bytes()


def _refuse(problem: str):
    raise PlanRejected([{"line": None, "task": None, "problem": problem}], "mpp_unsupported")
