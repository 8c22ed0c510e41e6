#!/usr/bin/env python3
"""Crash points with strace: for each of fdatasync, fsync, renameat2, rename and write, run a small
--once ingest under `strace -f -e inject=CALL:signal=KILL:when=K` for every K up to the number of
such calls in a clean run, restart without strace, and check that every input's record is in the
store exactly once and the store verifies clean.

strace counts `when=K` per thread, and Dispatch moves the pipeline between worker threads, so a
given K may fire at different points from run to run (or not at all): the script reports how many
runs were killed. The test suite's CrashPointTests hit every process-wide K with a shim instead.

  scripts/strace_crash_points.py [--files 6]
"""
import argparse, json, os, subprocess, sys, tempfile

def run_once(daemon, work, env=None, prefix=()):
    args = list(prefix) + [daemon, "--config", os.path.join(work, "c.yaml"), "--inbox", os.path.join(work, "inbox"),
                           "--state-dir", os.path.join(work, "state"), "--once", "--log-level", "critical"]
    return subprocess.run(args, capture_output=True, text=True, env=env).returncode

def prepare(files):
    work = tempfile.mkdtemp(prefix="ingestd-strace-")
    os.makedirs(os.path.join(work, "inbox"))
    with open(os.path.join(work, "c.yaml"), "w") as f:
        f.write("commit:\n  max_files: 2\n  max_delay_ms: 0\n")
    for i in range(files):
        with open(os.path.join(work, "inbox", f"c{i}.txt"), "w") as f:
            f.write(f"Crash point {i}\n\nThe body of input {i}, with a few words.\n")
    return work

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=6)
    p.add_argument("--daemon", default=os.path.join(root, ".build", "release", "ingestd"))
    p.add_argument("--ingestctl", default=os.path.join(root, ".build", "release", "ingestctl"))
    args = p.parse_args()
    failures = 0
    print("| call | calls in a clean run | runs killed | lost | doubled |\n|---|---:|---:|---:|---:|")
    for call in ["fdatasync", "fsync", "renameat2", "rename", "write"]:
        work = prepare(args.files)
        summary = os.path.join(work, "count.txt")
        run_once(args.daemon, work, prefix=("strace", "-f", "-c", "-o", summary, "-e", f"trace={call}"))
        calls = 0
        for line in open(summary):
            columns = line.split()
            if columns and columns[-1] == call:
                calls = int(columns[3])
        killed = lost = doubled = 0
        for k in range(1, calls + 1):
            work = prepare(args.files)
            code = run_once(args.daemon, work, prefix=("strace", "-f", "-o", "/dev/null", "-e",
                                                        f"inject={call}:signal=KILL:when={k}"))
            killed += code != 0
            if run_once(args.daemon, work) != 0:
                failures += 1
            store = os.path.join(work, "state", "store")
            titles = [json.loads(line)["title"] for name in sorted(os.listdir(store)) if name.endswith(".jsonl")
                      for line in open(os.path.join(store, name))]
            lost += args.files - len(set(titles))
            doubled += len(titles) - len(set(titles))
            if subprocess.run([args.ingestctl, "verify-store", store], capture_output=True).returncode != 0:
                failures += 1
        failures += lost + doubled
        print(f"| {call} | {calls} | {killed} | {lost} | {doubled} |")
    print("PASS" if failures == 0 else f"FAIL ({failures})")
    return 0 if failures == 0 else 1

if __name__ == "__main__":
    sys.exit(main())
