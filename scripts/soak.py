#!/usr/bin/env python3
"""Soak test for ingestd: steady drops for a long time, with periodic reloads and rescans.

Samples the daemon's RSS and open descriptors, then checks that every dropped file's record is in
the store exactly once. Prints a table (and writes CSV) for docs/RELIABILITY.md.

  scripts/soak.py --duration 1800 --rate 20          # the published 30-minute run
  scripts/soak.py --duration 60                        # a quick look

Needs release binaries: swift build -c release --product ingestd; swift build -c release --product ingestctl
"""
import argparse, json, os, signal, subprocess, sys, tempfile, threading, time

def rss_and_fds(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bin_dir = os.path.join(root, ".build", "release")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=1800, help="seconds of steady drops (default 1800)")
    p.add_argument("--rate", type=float, default=20, help="files per second (default 20)")
    p.add_argument("--reload-every", type=float, default=60, help="seconds between reloads (default 60)")
    p.add_argument("--rescan-every", type=float, default=30, help="seconds between rescans (default 30)")
    p.add_argument("--sample-every", type=float, default=10, help="seconds between samples (default 10)")
    p.add_argument("--daemon", default=os.path.join(bin_dir, "ingestd"))
    p.add_argument("--ingestctl", default=os.path.join(bin_dir, "ingestctl"))
    p.add_argument("--csv", default=None, help="write the samples here")
    args = p.parse_args()

    work = tempfile.mkdtemp(prefix="ingestd-soak-")
    inbox, state, staging = (os.path.join(work, d) for d in ("inbox", "state", "staging"))
    os.makedirs(staging)
    socket = os.path.join(work, "control.sock")
    config = os.path.join(work, "ingestd.yaml")
    def write_config(level):
        with open(config, "w") as f:
            f.write(f"inbox: {inbox}\nstate_dir: {state}\nsocket: {socket}\nreconcile_interval: 20\nlog:\n  level: {level}\n")
    write_config("warning")
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon = subprocess.Popen([args.daemon, "--config", config], stderr=log)
    deadline = time.time() + 30
    while not os.path.exists(socket) and time.time() < deadline:
        time.sleep(0.05)

    dropped = 0
    stop = threading.Event()
    def produce():
        nonlocal dropped
        start = time.time()
        while not stop.is_set():
            due = start + dropped / args.rate
            if due > time.time():
                time.sleep(min(due - time.time(), 0.5))
                continue
            name = f"soak-{dropped:07d}.txt"
            path = os.path.join(staging, name)
            with open(path, "w") as f:
                f.write(f"Soak article {dropped}\n\nParagraph one of soak article {dropped} about the harbour.\n\n"
                        f"Paragraph two, with more words, for article number {dropped}.\n")
            os.rename(path, os.path.join(inbox, name))
            dropped += 1
    producer = threading.Thread(target=produce)
    producer.start()

    samples, reloads, rescans = [], 0, 0
    start = time.time()
    next_sample = next_reload = next_rescan = start
    while time.time() - start < args.duration:
        now = time.time()
        if now >= next_sample:
            rss, fds = rss_and_fds(daemon.pid)
            samples.append((round(now - start), rss, fds, dropped))
            next_sample += args.sample_every
        if now >= next_reload and now > start:
            reloads += 1
            write_config("info" if reloads % 2 else "warning")  # a real change each time
            if reloads % 2:
                os.kill(daemon.pid, signal.SIGHUP)
            else:
                subprocess.run([args.ingestctl, "reload", "--socket", socket], check=True, capture_output=True)
            next_reload += args.reload_every
        if now >= next_rescan and now > start:
            subprocess.run([args.ingestctl, "rescan", "--socket", socket], check=True, capture_output=True)
            rescans += 1
            next_rescan += args.rescan_every
        time.sleep(0.2)
    stop.set()
    producer.join()

    # Everything dropped must be ingested, exactly once.
    processed = os.path.join(state, "processed")
    deadline = time.time() + 120
    while len(os.listdir(processed)) < dropped and time.time() < deadline:
        time.sleep(0.5)
    rss, fds = rss_and_fds(daemon.pid)
    samples.append((round(time.time() - start), rss, fds, dropped))
    verify = subprocess.run([args.ingestctl, "verify", "--json", "--socket", socket], capture_output=True, text=True)
    daemon.send_signal(signal.SIGTERM)
    code = daemon.wait(timeout=60)
    store = os.path.join(state, "store")
    titles = []
    for name in sorted(os.listdir(store)):
        if name.endswith(".jsonl"):
            with open(os.path.join(store, name)) as f:
                titles += [json.loads(line)["title"] for line in f]
    lost = dropped - len(set(titles))
    doubled = len(titles) - len(set(titles))

    if args.csv:
        with open(args.csv, "w") as f:
            f.write("seconds,rss_kib,open_fds,files_dropped\n")
            for row in samples:
                f.write(",".join(map(str, row)) + "\n")
    print(f"soak: {args.duration:.0f} s at {args.rate:g} files/s; {dropped} files; {reloads} reloads; {rescans} rescans")
    print(f"| minute | RSS (MiB) | open fds | files dropped |\n|---:|---:|---:|---:|")
    step = max(1, int(300 / args.sample_every))
    for row in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
        print(f"| {row[0] / 60:.1f} | {row[1] / 1024:.1f} | {row[2]} | {row[3]} |")
    first = [s for s in samples if s[0] >= min(300, args.duration / 4)][:1] or samples[:1]
    rss_values = [s[1] for s in samples if s[0] >= first[0][0]]
    fd_values = [s[2] for s in samples if s[0] >= first[0][0]]
    print(f"after warm-up: RSS {min(rss_values) / 1024:.1f}..{max(rss_values) / 1024:.1f} MiB, "
          f"open fds {min(fd_values)}..{max(fd_values)}")
    verified = json.loads(verify.stdout) if verify.returncode in (0, 1) and verify.stdout else {}
    print(f"lost {lost}, doubled {doubled}, verify ok={verified.get('ok')}, daemon exit {code}")
    print(f"work directory: {work}")
    return 0 if lost == 0 and doubled == 0 and code == 0 and verified.get("ok") else 1

if __name__ == "__main__":
    sys.exit(main())
