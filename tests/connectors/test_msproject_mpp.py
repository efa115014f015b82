""".mpp files: read through MPXJ when Java and the mpxj package are here; otherwise refused saying how to save as XML."""

import os
from datetime import date

import pytest

from steerco.domain.schedule import PlanRejected
from steerco_msproject import mpp
from steerco_msproject.imports import read_plan
from steerco_msproject.mspdi import read_mspdi
from support import shared
from support.mspdi import programme, project_xml

OLE_HEADER = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
"""What an .mpp file starts with (an OLE2 compound document)."""


def test_without_java_an_mpp_file_is_refused_saying_how_to_save_as_xml(tmp_path):
    with pytest.raises(PlanRejected) as e:
        read_plan(OLE_HEADER, "Roll-out.mpp", env={"PATH": str(tmp_path)})
    assert e.value.code == "mpp_unsupported"
    message = e.value.message
    assert "'Roll-out.mpp'" in message and "needs a Java runtime" in message
    assert "File → Save As" in message and "XML Format (*.xml)" in message


def fake_java_home(root):
    (root / "bin").mkdir()
    java = root / "bin" / "java"
    java.write_text("#!/bin/sh\nexit 1\n")
    java.chmod(0o755)
    return java


def test_java_home_without_java_counts_as_no_java(tmp_path):
    assert mpp.java_runtime({"JAVA_HOME": str(tmp_path), "PATH": str(tmp_path)}) is None
    java = fake_java_home(tmp_path)
    assert mpp.java_runtime({"JAVA_HOME": str(tmp_path), "PATH": ""}) == str(java)


def test_without_the_mpxj_package_the_error_names_the_extra_and_the_xml_route(monkeypatch, tmp_path):
    fake_java_home(tmp_path)
    monkeypatch.setattr(mpp, "mpxj_installed", lambda: False)
    with pytest.raises(PlanRejected) as e:
        read_plan(OLE_HEADER, "plan.mpp", env={"JAVA_HOME": str(tmp_path), "PATH": ""})
    assert e.value.code == "mpp_unsupported"
    assert "steerco[msproject]" in e.value.message and "Save As" in e.value.message


needs_mpxj = pytest.mark.skipif(
    not (mpp.java_runtime(os.environ) and mpp.mpxj_installed()),
    reason="the .mpp path needs a Java runtime and the mpxj package (pip install 'steerco[msproject]')")


@needs_mpxj
def test_through_mpxj_a_plan_gives_the_same_tasks_as_its_xml():
    # No .mpp can be written here (MPXJ cannot write that format); MPXJ's reader takes the plan from
    # the file's content, so the same plan named .mpp runs the whole MPXJ path: read, convert, parse.
    xml = project_xml(programme(date(2026, 11, 2)))
    through_mpxj = read_plan(xml, "plan.mpp")
    assert through_mpxj.tasks == read_mspdi(xml).tasks
    assert through_mpxj.title == "Supplier programme"


@needs_mpxj
def test_through_mpxj_the_vendor_project_2003_file_keeps_its_milestone_and_summaries():
    data = shared.require("vendor-samples", "msproject", "sample.xml").read_bytes()
    direct, converted = read_mspdi(data), read_plan(data, "sample.mpp")
    assert [(t.uid, t.name, t.milestone, t.summary, t.finish) for t in converted.tasks] == \
        [(t.uid, t.name, t.milestone, t.summary, t.finish) for t in direct.tasks]


@needs_mpxj
def test_a_file_mpxj_cannot_read_is_refused_with_its_message():
    with pytest.raises(PlanRejected) as e:
        read_plan(b"not a plan at all", "plan.mpp")
    assert e.value.code == "mpp_unreadable"
    assert "'plan.mpp' could not be read" in e.value.message and "Save As" in e.value.message
