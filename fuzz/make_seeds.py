#!/usr/bin/env python3
"""Writes the committed seed corpora in fuzz/seeds/<target>/ from the repository's own
fixtures plus hand-made odd inputs (encodings, broken MIME, hostile names). Re-run
after changing a fixture; libFuzzer mutates from these."""
import base64, json, os, shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
SEEDS = os.path.join(ROOT, "seeds")

def fixture(*path):
    with open(os.path.join(REPO, *path), "rb") as f:
        return f.read()

def write(target, name, data):
    os.makedirs(os.path.join(SEEDS, target), exist_ok=True)
    with open(os.path.join(SEEDS, target, name), "wb") as f:
        f.write(data)

shutil.rmtree(SEEDS, ignore_errors=True)
EX = ("tests", "fixtures", "exports")
HOSTILE_NAMES = ["Br\u0430d Pitt", "\u202eevil\u202c Admin", "Ze\u200bro\u200dWidth",
                 "<img src=x onerror=alert(1)>", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629"]

# linkedin_csv: byte 0 picks the CSV kind, byte 1 the chunk size.
csv_kinds = {0: ["messages.csv", "messages_latin1.csv", "messages_old.csv", "messages_unbalanced.csv"],
             1: ["Connections.csv"], 2: ["Invitations.csv"]}
for kind, names in csv_kinds.items():
    for name in names:
        write("linkedin_csv", f"seed-{name}", bytes([kind, 7]) + fixture(*EX, name))
write("linkedin_csv", "seed-bom-crlf.csv", bytes([0, 3]) + b"\xef\xbb\xbf" +
      fixture(*EX, "messages.csv").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
rows = "\n".join(f'"{n}","Acme","x@example.com","01 Jan 2024"' for n in HOSTILE_NAMES)
write("linkedin_csv", "seed-hostile-names.csv", bytes([1, 11]) +
      ("First Name,Last Name,Email Address,Connected On\n" + rows + "\n").encode())

# mbox: byte 0 picks the chunk size.
for name in ["inbox.mbox", "inbox_crlf.mbox", "truncated.mbox"]:
    write("mbox", f"seed-{name}", b"\x05" + fixture(*EX, name))
odd = (b"From someone@example.com Mon Jan  1 00:00:00 2024\n"
       b"From: =?iso-2022-jp?B?GyRCJUYlOSVIGyhC?= <jp@example.jp>\n"
       b"To: owner@example.com\nSubject: =?Shift_JIS?B?g2WDWINn?=\nMessage-ID: <sjis@x>\n"
       b"Date: Mon, 1 Jan 2024 10:00:00 +0000\nMIME-Version: 1.0\n"
       b"Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64\n\n"
       + base64.b64encode("テスト本文です".encode("shift_jis"))[:-3] + b"!!*\n\n"
       b"From someone@example.com Mon Jan  1 00:00:00 2024\n"
       b"From: \"Caf\xe9 Ren\xe9\" <rene@example.fr>\nTo: owner@example.com\n"
       b"Content-Type: text/html; charset=latin1\n\n<p>Bonjour <b>\xe0 vous</b>\n>From quoted\n")
write("mbox", "seed-encodings.mbox", b"\x01" + odd)

write("eml", "seed-message.eml", b"\x03" + fixture(*EX, "message.eml"))
write("eml", "seed-multipart.eml", b"\x09" + (
    b"From: \"\xe2\x80\xaeAdmin\" <a@example.com>\r\nTo: Olga Owner <owner@example.com>\r\n"
    b"Subject: =?utf-8?q?<script>alert(1)</script>?=\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/alternative; boundary=XX\r\n\r\n--XX\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Hi Br=D0=B0d,=0D=0Alet's =\r\nmeet\r\n--XX\r\nContent-Type: text/html\r\n\r\n"
    b"<div onclick=x>Hi</div>\r\n--XX--\r\n"))

write("archive", "seed-linkedin_export.zip", fixture(*EX, "linkedin_export.zip"))
write("archive", "seed-damaged.zip", fixture(*EX, "damaged.zip"))

backup = {"format": "rapport-backup", "version": 1,
          "settings": json.loads(fixture("samples", "settings.json")),
          "contacts": [{"id": "c1", "identities": [{"kind": "email", "value": "brad@example.com"}],
                        "names": ["Br\u0430d Pitt"], "tags": {"nicknames": ["B"]}}],
          "messages": [{"id": "m1", "channel": "email", "direction": "sent",
                        "from": {"name": "Dana", "identity": {"kind": "email", "value": "dana@whitfield.io"}},
                        "to": [{"name": "Brad", "identity": {"kind": "email", "value": "brad@example.com"}}],
                        "time": 1700000000000, "text": "Hello\u202e there"}]}
write("backup", "seed-backup.json", json.dumps(backup).encode())
book = {"format": "rapport-book", "version": 1, "owner": {"name": "Dana"}, "contacts": backup["contacts"],
        "histories": [{"contact": "c1", "sent": 3, "received": 1, "first": 1, "last": 2, "channels": ["email"]}]}
write("backup", "seed-book.json", json.dumps(book).encode())

for name in ["messages.csv", "inbox.mbox", "message.eml", "linkedin_export.zip", "photo.png", "notes.txt"]:
    write("detect", f"seed-{name}", fixture(*EX, name))
write("detect", "seed-backup.json", json.dumps(backup).encode())

write("settings", "seed-settings.json", fixture("samples", "settings.json"))
write("settings", "seed-rules.json", json.dumps({"send_gate": "caution", "max_draft_chars": 5000,
      "rules": {"mass-template": {"enabled": True, "severity": "stop"}},
      "phrases": {"pressure": {"add": ["act now"], "remove": ["urgent"]}}}).encode())

draft = "\x00".join(["\x01\x05\x01\x10\x01",
    "Hi {first_name}, could you endorse me? [insert company] Offer ends today, $500 gift card.",
    "Br\u0430d Pitt", "Quick question",
    "Thanks Brad, great working with you.", "Not interested, thanks.",
    "Hi Brad, could you endorse me? Offer ends today.", "B"])
write("engine", "seed-draft", draft.encode())
write("engine", "seed-rtl", "\x00".join(["\x00", "Dear \u202eBrad\u202c,\u200b hello", "Brad", ""]).encode())

write("protocol", "seed-analyze.json", json.dumps({"type": "analyze", "site": "gmail", "draft": {
    "text": "Hi", "channel": "email", "recipients": [{"name": "B"}], "time": 1}}).encode())
write("protocol", "seed-search.json", b'{"type":"search","query":"a","limit":5}')
write("protocol", "seed-seen.json", json.dumps({"type": "record_seen", "site": "linkedin", "channel": "linkedin",
    "conversation": None, "with": {"name": "B"}, "messages": [{"from": {"name": "B"}, "mine": True, "text": "x"}]}).encode())
