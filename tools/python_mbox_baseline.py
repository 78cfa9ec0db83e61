#!/usr/bin/env python3
"""The reference the importer is measured against: Python's mailbox + email on one mbox.

Does the work Rapport's importer does per message: parse headers (From, To, Cc, Date,
Subject, Message-ID with encoded words) and decode the first text body (or HTML)."""
import email.errors, email.header, email.utils, mailbox, sys, time

start = time.perf_counter()
count = 0
chars = 0
for msg in mailbox.mbox(sys.argv[1], factory=None, create=False):
    count += 1
    for header in ("from", "to", "cc", "subject", "message-id"):
        value = msg.get(header)
        if value is not None:
            try:
                str(email.header.make_header(email.header.decode_header(value)))
            except (UnicodeDecodeError, LookupError, email.errors.HeaderParseError):
                pass
    if msg.get("date"):
        try:
            email.utils.parsedate_to_datetime(msg["date"])
        except Exception:
            pass
    for part in msg.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True) or b""
            try:
                chars += len(payload.decode(part.get_content_charset() or "latin-1", "replace"))
            except LookupError:
                chars += len(payload.decode("latin-1"))
            break
elapsed = time.perf_counter() - start
print(f"python mailbox+email: {count} messages, {chars} body chars, {elapsed:.2f} s")
