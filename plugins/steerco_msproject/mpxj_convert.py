"""Run as ``python -m steerco_msproject.mpxj_convert SOURCE TARGET``: any plan MPXJ reads → MSPDI XML.

A process of its own: the Java VM that MPXJ needs starts once per process and
cannot be stopped, so it never lives in a web or job worker.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    source, target = argv
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM(convertStrings=True)
    from org.mpxj.reader import UniversalProjectReader
    from org.mpxj.writer import FileFormat, UniversalProjectWriter

    try:
        project = UniversalProjectReader().read(source)
    except Exception as e:  # a Java exception: its message is what the user needs
        print(f"MPXJ could not read the file: {e}", file=sys.stderr)
        return 2
    if project is None:
        print("MPXJ does not recognise this file as a project plan", file=sys.stderr)
        return 2
    UniversalProjectWriter(FileFormat.MSPDI).write(project, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
