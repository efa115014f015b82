"""A real OpenLDAP server (slapd) for directory tests, with AD-like data.

    with SlapdServer() as ldap:
        ldap.add_ldif(AD_LIKE_LDIF)
        ldap.url  # ldap://127.0.0.1:PORT

back_mdb with the memberof overlay; started in the foreground (``-d 0``) so the
PID is slapd's, on a free port, stopped with SIGKILL (its data is thrown away).
Entries are loaded with ``ldapadd`` so the overlay fills ``memberOf``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from support.processes import (ServerNotInstalled, ServerStartError, free_port, log_tail, make_server_dir,
                             wait_pid_gone)

SUFFIX = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "root-secret"
SCHEMAS = ("core", "cosine", "nis", "inetorgperson")

CONF = """\
{includes}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
database mdb
maxsize 33554432
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_pw}
directory {dir}/data
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
"""


class SlapdServer:
    def __init__(self, parent_dir: str | None = None):
        self.parent_dir = parent_dir
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.dir: str | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self) -> "SlapdServer":
        slapd = shutil.which("slapd") or ("/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None)
        if slapd is None or shutil.which("ldapadd") is None:
            raise ServerNotInstalled("slapd/ldapadd not found: run `.ci/ensure-system-packages slapd ldap-utils`")
        self.dir = make_server_dir("steerco-slapd-", parent_dir=self.parent_dir)
        os.makedirs(f"{self.dir}/data")
        includes = "\n".join(f"include /etc/ldap/schema/{s}.schema" for s in SCHEMAS)
        Path(f"{self.dir}/slapd.conf").write_text(CONF.format(includes=includes, dir=self.dir, suffix=SUFFIX,
                                                              root_dn=ROOT_DN, root_pw=ROOT_PW))
        for _ in range(3):  # a port taken between free_port() and bind: try another
            self.port = free_port()
            log = open(f"{self.dir}/slapd.log", "ab")
            self.proc = subprocess.Popen([slapd, "-f", f"{self.dir}/slapd.conf", "-h", self.url, "-d", "0"],
                                         stdout=log, stderr=subprocess.STDOUT)
            log.close()
            if self._wait_ready():
                self.add_ldif(f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n")
                return self
            self._kill()
        raise ServerStartError(f"slapd did not start:\n{log_tail(f'{self.dir}/slapd.log')}")

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            r = subprocess.run(["ldapsearch", "-x", "-H", self.url, "-b", "", "-s", "base"], capture_output=True)
            if r.returncode == 0:
                return True
            time.sleep(0.05)
        return False

    def add_ldif(self, ldif: str) -> None:
        r = subprocess.run(["ldapadd", "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PW], input=ldif.encode(),
                           capture_output=True)
        if r.returncode != 0:
            raise ServerStartError(f"ldapadd failed: {r.stderr.decode(errors='replace')}")

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            wait_pid_gone(self.proc.pid)

    def stop(self) -> None:
        self._kill()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def person(uid: str, name: str, password: str, *, disabled: bool = False, ou: str = "people") -> str:
    first, _, last = name.partition(" ")
    lines = [f"dn: uid={uid},ou={ou},{SUFFIX}", "objectClass: inetOrgPerson", f"uid: {uid}", f"cn: {name}",
             f"sn: {last or first}", f"givenName: {first}", f"displayName: {name}", f"mail: {uid}@example.com",
             f"userPassword: {password}"]
    if disabled:
        lines.append("employeeType: disabled")
    return "\n".join(lines) + "\n"


def group(cn: str, members: list[str]) -> str:
    lines = [f"dn: cn={cn},ou=groups,{SUFFIX}", "objectClass: groupOfNames", f"cn: {cn}"]
    lines += [f"member: uid={m},ou=people,{SUFFIX}" for m in members]
    return "\n".join(lines) + "\n"


def ad_like_ldif() -> str:
    """Users, groups, a user in no group, a disabled user, and a service account."""
    ous = "".join(f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}\n\n"
                  for ou in ("people", "groups", "service"))
    people = [person("dora", "Dora Director", "dora-pw"), person("erin", "Erin Engineer", "erin-pw"),
              person("gina", "Gina Nogroup", "gina-pw"), person("xavier", "Xavier Left", "xavier-pw", disabled=True)]
    svc = (f"dn: cn=steerco-svc,ou=service,{SUFFIX}\nobjectClass: person\nobjectClass: simpleSecurityObject\n"
           f"cn: steerco-svc\nsn: svc\nuserPassword: svc-secret-93f\n")
    groups = [group("Steerco PMO", ["dora"]), group("Programme A Owners", ["erin", "dora"]),
              group("Steerco Admins", ["xavier"])]
    return ous + "\n".join(people) + "\n" + svc + "\n" + "\n".join(groups)
