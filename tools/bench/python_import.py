#!/usr/bin/env python3
"""Python's standard library reading the same exports Rapport imports, for comparison.

  python3 tools/bench/python_import.py bench/data/100k

LinkedIn messages.csv: the csv module, every row parsed into its fields, the date parsed.
mbox: the mailbox module splitting the file, email (policy.default, the modern API)
parsing each message's headers and decoding its plain-text body. That is the work
Rapport's importers do (they also normalize identities and build model values, so the
comparison favours Python). Prints one JSON line per file.
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


def main():
    folder = sys.argv[1]
    for name, fmt, reader in (("messages.csv", "linkedin-csv", linkedin_csv), ("mail.mbox", "mbox", mbox)):
        path = os.path.join(folder, name)
        size = os.path.getsize(path)
        start = time.perf_counter()
        count = reader(path)
        seconds = time.perf_counter() - start
        print(json.dumps({
            "bench": "import-python",
            "file": os.path.relpath(path),
            "format": fmt,
            "bytes": size,
            "messages": count,
            "seconds": seconds,
            "mb_per_s": size / 1048576 / seconds,
            "messages_per_s": count / seconds,
        }), flush=True)


if __name__ == "__main__":
    main()
