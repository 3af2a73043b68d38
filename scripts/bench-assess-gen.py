#!/usr/bin/env python3
"""Generate the `assess` benchmark inputs (deterministic, seed 20260822).

Writes into WORKDIR:
  generated/BENCH-NNNNN.json  10,000 synthetic OSV advisories, ecosystem AlmaLinux:9
  inventory.json              1,000 AlmaLinux 9 hosts x 1,500 installed packages,
                              laid out like patchpilot's own artifacts (one
                              package per line, see src/artifact/layout.rs)

Each host carries ~300 real package names taken from the AlmaLinux advisories
(mostly newer than every fix, 1% left behind) and ~1,200
synthetic packages (mostly newer than every generated fix, 0.5% old), so a
host ends up with a few dozen findings, as a patched-but-not-perfect fleet
would.
"""
import json
import os
import random
import sys
import zipfile

root, work = sys.argv[1], sys.argv[2]
rng = random.Random(20260822)
os.makedirs(os.path.join(work, "generated"), exist_ok=True)

# Real AlmaLinux 9 package names.
newest = {}
with zipfile.ZipFile(os.path.join(root, "tests/fixtures/advisories/osv/almalinux.zip")) as archive:
    for member in archive.namelist():
        if not member.startswith("almalinux9/"):
            continue
        record = json.loads(archive.read(member))
        for affected in record["affected"]:
            for event in affected["ranges"][0]["events"]:
                if "fixed" in event:
                    newest[affected["package"]["name"]] = event["fixed"]
real_names = sorted(newest)

VECTORS = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N",
]
synthetic_names = [f"bench-lib{n:05d}" for n in range(5000)]

for number in range(10000):
    packages = rng.sample(synthetic_names, rng.choice([1, 1, 2, 3]))
    fixed = f"1.{rng.randrange(100)}.{rng.randrange(10)}-{rng.randrange(1, 9)}.el9_{rng.randrange(6)}"
    record = {
        "id": f"BENCH-{number:05d}",
        "summary": f"Important: generated advisory {number}",
        "modified": "2026-08-20T00:00:00Z",
        "published": "2026-08-20T00:00:00Z",
        "related": [f"CVE-2031-{10000 + number}"],
        "severity": [{"type": "CVSS_V3" if v.startswith("CVSS:3") else "CVSS_V4", "score": v}
                     for v in [rng.choice(VECTORS)]],
        "affected": [
            {"package": {"ecosystem": "AlmaLinux:9", "name": name},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}
            for name in packages
        ],
    }
    with open(os.path.join(work, "generated", f"BENCH-{number:05d}.json"), "w") as out:
        json.dump(record, out)


def package(name, version):
    # Source name and version are left out, as patchpilot writes a package
    # whose source package has its own name and version.
    return {"name": name, "version": version, "arch": "x86_64"}


hosts = []
for number in range(1000):
    chosen_real = rng.sample(real_names, min(300, len(real_names)))
    packages = []
    for name in chosen_real:
        behind = rng.random() < 0.01
        packages.append(package(name, "0.9-1.el9" if behind else "99:999.0-1.el9"))
    for name in rng.sample(synthetic_names, 1500 - len(packages)):
        behind = rng.random() < 0.005
        version = f"1.{rng.randrange(100)}.0-1.el9" if behind else "2.0.0-1.el9"
        packages.append(package(name, version))
    packages.sort(key=lambda p: p["name"])
    tags = [tag for tag, p in (("internet-facing", 0.2), ("pci", 0.1), ("hipaa", 0.05)) if rng.random() < p]
    tier = rng.choice(["tier1", "tier2", "tier2", "tier3"])
    hosts.append({
        "name": f"bench{number:04d}", "address": "127.0.0.1", "port": 22, "user": "root",
        "transport": "ssh", "environment": "production", "cluster": None, "owner": None,
        "groups": [], "tags": tags, "vars": {}, "tier": {"tier": tier, "rule": "bench"},
        "outcome": {"status": "ok"}, "duration_ms": 1,
        "facts": {
            "os": {"id": "almalinux", "version_id": f"9.{rng.randrange(7)}", "pretty_name": "AlmaLinux 9",
                   "codename": None, "id_like": ["rhel", "centos", "fedora"]},
            "kernel": "5.14.0", "architecture": "x86_64", "hostname": f"bench{number:04d}",
            "boot_id": None, "uptime_seconds": None, "package_manager": "dnf",
            "packages": packages, "pending_updates": [],
            "reboot": {"required": False, "reasons": [], "packages": [],
                       "processes_using_deleted_libraries": []},
            "disks": [], "memory": None, "load": None, "failed_units": [], "listening": [],
            "package_lock_held": None,
        },
        "eol": None, "baseline": None, "notes": [], "watched_files": [],
    })

inventory = {
    "meta": {"kind": "inventory", "schema_version": 1, "tool": "bench-assess-gen",
             "created_at": "2026-08-22T00:00:00Z", "operator": "bench", "inputs": []},
    "eol_source": None, "hosts": hosts, "cmdb": None,
}


def layered(value, out, depth=1, pretty_depth=5):
    """Write `value` as patchpilot's record-per-line layout: containers up to
    `pretty_depth` levels deep are broken over lines, deeper ones compact."""
    if not isinstance(value, (dict, list)) or not value or depth > pretty_depth:
        out.write(json.dumps(value, separators=(",", ":")))
        return
    is_dict = isinstance(value, dict)
    out.write("{" if is_dict else "[")
    items = value.items() if is_dict else ((None, item) for item in value)
    for index, (key, item) in enumerate(items):
        out.write("," if index else "")
        out.write("\n" + "  " * depth)
        if is_dict:
            out.write(json.dumps(key) + ": ")
        layered(item, out, depth + 1, pretty_depth)
    out.write("\n" + "  " * (depth - 1) + ("}" if is_dict else "]"))


with open(os.path.join(work, "inventory.json"), "w") as out:
    layered(inventory, out)
    out.write("\n")
print(f"{len(hosts)} hosts x 1500 packages, 10000 generated advisories, {len(real_names)} real AlmaLinux 9 names")
