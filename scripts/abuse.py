#!/usr/bin/env python3
"""Abuse the control socket while ingesting, and measure what a legitimate operator sees.

Phases, each on the same daemon: quiet (baseline), then abused by 1,000 idle connections, 50
slow clients (a byte every half second, never a newline) and a loop of malformed and over-size
requests. In each phase: 200 `status` requests from a legitimate client (latency p50/p99) and a
burst of files (ingest throughput). Also checks that a foreign uid cannot change anything.

  scripts/abuse.py                      # the published run
Needs release binaries (see scripts/soak.py).
"""
import argparse, json, os, resource, signal, socket as sock, subprocess, sys, tempfile, threading, time

def status_latencies(path, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        c = sock.socket(sock.AF_UNIX, sock.SOCK_STREAM)
        c.settimeout(10)
        c.connect(path)
        c.sendall(b'{"version":1,"command":"status"}\n')
        data = b""
        while not data.endswith(b"\n"):
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
        c.close()
        reply = json.loads(data)
        if not reply.get("ok"):
            raise SystemExit(f"status refused: {reply}")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]

def burst(inbox, staging, processed, prefix, count):
    names = []
    for i in range(count):
        name = f"{prefix}-{i:05d}.txt"
        with open(os.path.join(staging, name), "w") as f:
            f.write(f"Burst {prefix} {i}\n\nBody of {prefix} article {i}, a paragraph about the council.\n")
        names.append(name)
    before = len(os.listdir(processed))
    start = time.perf_counter()
    for name in names:
        os.rename(os.path.join(staging, name), os.path.join(inbox, name))
    while len(os.listdir(processed)) < before + count:
        time.sleep(0.01)
    return count / (time.perf_counter() - start)

class Abuser:
    def __init__(self, path, idle, slow):
        self.path, self.idle, self.slow = path, idle, slow
        self.stop = threading.Event()
        self.cut = 0
        self.threads = [threading.Thread(target=self.idle_clients), threading.Thread(target=self.slow_clients),
                        threading.Thread(target=self.garbage)]

    def connect(self):
        c = sock.socket(sock.AF_UNIX, sock.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(self.path)
        except BlockingIOError:
            pass
        return c

    def idle_clients(self):
        conns = []
        while not self.stop.is_set():
            while len(conns) < self.idle:
                try:
                    conns.append(self.connect())
                except OSError:
                    break
            alive = []
            for c in conns:
                try:
                    if c.recv(4096) == b"":
                        self.cut += 1
                        c.close()
                        continue
                    self.cut += 1  # it got an error line: it is being cut
                    c.close()
                except BlockingIOError:
                    alive.append(c)
                except OSError:
                    self.cut += 1
                    c.close()
            conns = alive
            time.sleep(0.2)
        for c in conns:
            c.close()

    def slow_clients(self):
        conns = [self.connect() for _ in range(self.slow)]
        while not self.stop.is_set():
            for i, c in enumerate(conns):
                try:
                    c.send(b"{")
                except OSError:
                    c.close()
                    conns[i] = self.connect()
            time.sleep(0.5)
        for c in conns:
            c.close()

    def garbage(self):
        payloads = [b"not json\n", b'{"version":1,"command":"explode"}\n', b"x" * 70000, b'{"version":1}\n']
        i = 0
        while not self.stop.is_set():
            try:
                c = sock.socket(sock.AF_UNIX, sock.SOCK_STREAM)
                c.settimeout(2)
                c.connect(self.path)
                c.sendall(payloads[i % len(payloads)])
                c.recv(4096)
                c.close()
            except OSError:
                pass
            i += 1
            time.sleep(0.01)

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bin_dir = os.path.join(root, ".build", "release")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--idle", type=int, default=1000)
    p.add_argument("--slow", type=int, default=50)
    p.add_argument("--files", type=int, default=3000, help="files per throughput burst")
    p.add_argument("--requests", type=int, default=200, help="status requests per phase")
    p.add_argument("--daemon", default=os.path.join(bin_dir, "ingestd"))
    p.add_argument("--ingestctl", default=os.path.join(bin_dir, "ingestctl"))
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    work = tempfile.mkdtemp(prefix="ingestd-abuse-")
    os.chmod(work, 0o755)
    inbox, state, staging = (os.path.join(work, d) for d in ("inbox", "state", "staging"))
    os.makedirs(staging)
    path = os.path.join(work, "control.sock")
    config = os.path.join(work, "ingestd.yaml")
    with open(config, "w") as f:
        f.write(f"inbox: {inbox}\nstate_dir: {state}\nsocket: {path}\nlog:\n  level: error\n")
    daemon = subprocess.Popen([args.daemon, "--config", config], stderr=open(os.path.join(work, "daemon.log"), "w"))
    while not os.path.exists(path):
        time.sleep(0.05)
    processed = os.path.join(state, "processed")

    quiet_p50, quiet_p99 = status_latencies(path, args.requests)
    quiet_rate = burst(inbox, staging, processed, "quiet", args.files)

    abuser = Abuser(path, args.idle, args.slow)
    for t in abuser.threads:
        t.start()
    time.sleep(2)  # let the flood build up
    abused_p50, abused_p99 = status_latencies(path, args.requests)
    abused_rate = burst(inbox, staging, processed, "abused", args.files)
    abuser.stop.set()
    for t in abuser.threads:
        t.join()

    os.chmod(path, 0o666)  # as if nobody were in the socket's group
    foreign = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", args.ingestctl,
                              "pause", "--socket", path], capture_output=True, text=True)
    foreign_status = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                     args.ingestctl, "status", "--socket", path], capture_output=True, text=True)
    state_now = json.loads(subprocess.run([args.ingestctl, "status", "--json", "--socket", path],
                                          capture_output=True, text=True).stdout)["state"]
    daemon.send_signal(signal.SIGTERM)
    code = daemon.wait(timeout=60)
    ratio = abused_rate / quiet_rate
    print("| phase | status p50 (ms) | status p99 (ms) | ingest (files/s) |\n|---|---:|---:|---:|")
    print(f"| quiet | {quiet_p50:.2f} | {quiet_p99:.2f} | {quiet_rate:.0f} |")
    print(f"| {args.idle} idle + {args.slow} slow + garbage | {abused_p50:.2f} | {abused_p99:.2f} | {abused_rate:.0f} |")
    print(f"abusive connections cut: {abuser.cut}; ingest under abuse = {ratio:.2f}x quiet")
    print(f"foreign uid: pause exit {foreign.returncode} (4 = denied), status exit {foreign_status.returncode}; "
          f"state afterwards: {state_now}; daemon exit {code}")
    ok = abused_p99 < 50 and ratio >= 0.8 and foreign.returncode == 4 and state_now == "running" and code == 0
    print("PASS" if ok else "MISS")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
