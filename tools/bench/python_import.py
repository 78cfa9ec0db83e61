#!/usr/bin/env python3
"""Python's standard library reading the same exports Rapport imports, for comparison.

  python3 tools/bench/python_import.py bench/data/100k

LinkedIn messages.csv: the csv module, every row parsed into its fields, the date parsed.
mbox: the mailbox module splitting the file, email (policy.default, the modern API)
parsing each message's headers and decoding its plain-text body. That is the work
Rapport's importers do (they also normalize identities and build model values, so the
comparison favours Python). Prints one JSON line per file.

The mbox is read on a prefix of whole messages (RAPPORT_BENCH_MBOX_PREFIX_MB, default 8):
Python parses about 0.3-1 MB/s, so the whole 58 MB file would take minutes of the run's
budget for the same throughput figure (the messages are generated alike throughout).
"""
import csv
import email
import email.policy
import json
import mailbox
import os
import sys
import time
from datetime import datetime


def linkedin_csv(path):
    count = 0
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        for row in reader:
            if len(row) < len(header):
                continue
            datetime.strptime(row[col["DATE"]], "%Y-%m-%d %H:%M:%S UTC")
            row[col["RECIPIENT PROFILE URLS"]].split(";")
            row[col["FROM"]], row[col["CONTENT"]]
            count += 1
    return count


def mbox(path):
    count = 0
    box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default), create=False)
    for message in box:
        message["from"], message["to"], message["date"], message["subject"], message["message-id"]
        body = message.get_body(preferencelist=("plain",))
        if body is not None:
            body.get_content()
        count += 1
    return count


def mbox_prefix(path, limit):
    """The file cut after the last whole message within `limit` bytes (all of it if
    smaller), written next to it; (its path, its size)."""
    with open(path, "rb") as f:
        head = f.read(limit + 1)
    if len(head) <= limit:
        return path, len(head)
    cut = head.rfind(b"\nFrom ", 0, limit)
    if cut <= 0:
        return path, os.path.getsize(path)
    prefix = path + ".prefix"
    with open(prefix, "wb") as out:
        out.write(head[: cut + 1])
    return prefix, cut + 1


def main():
    folder = sys.argv[1]
    prefix_limit = int(float(os.environ.get("RAPPORT_BENCH_MBOX_PREFIX_MB", "8")) * 1048576)
    for name, fmt, reader in (("messages.csv", "linkedin-csv", linkedin_csv), ("mail.mbox", "mbox", mbox)):
        path = os.path.join(folder, name)
        file_bytes = os.path.getsize(path)
        read_path, size = mbox_prefix(path, prefix_limit) if fmt == "mbox" else (path, file_bytes)
        # Best of three for the CSV (seconds each), like the native figure; one pass
        # over the mbox prefix.
        seconds = cpu_seconds = float("inf")
        for _ in range(3 if fmt == "linkedin-csv" else 1):
            start, cpu_start = time.perf_counter(), time.process_time()
            count = reader(read_path)
            seconds = min(seconds, time.perf_counter() - start)
            cpu_seconds = min(cpu_seconds, time.process_time() - cpu_start)
        print(json.dumps({
            "bench": "import-python",
            "file": os.path.relpath(path),
            "format": fmt,
            "bytes": size,
            "file_bytes": file_bytes,
            "prefix": size < file_bytes,
            "messages": count,
            "seconds": seconds,
            "mb_per_s": size / 1048576 / seconds,
            "messages_per_s": count / seconds,
            "cpu_seconds": cpu_seconds,
            "cpu_mb_per_s": size / 1048576 / cpu_seconds,
            "cpu_messages_per_s": count / cpu_seconds,
        }), flush=True)


if __name__ == "__main__":
    main()
