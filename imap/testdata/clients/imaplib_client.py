"""Drive hedwig's IMAP server with Python's imaplib, as a mail client would.

Usage: imaplib_client.py starttls|imaps HOST PORT CAFILE USER PASSWORD MESSAGE_FILE

Prints one line per checked step; "IDLING" asks the test to deliver a
message, which the IDLE must then report. Exits non-zero on any mismatch.
"""
import imaplib
import re
import ssl
import sys


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def check(typ, data, what):
    if typ != "OK":
        fail("%s: %s %r" % (what, typ, data))
    return data


mode, host, port, cafile, user, password, message_file = sys.argv[1:8]
expected = open(message_file, "rb").read()
ctx = ssl.create_default_context(cafile=cafile)

if mode == "imaps":
    M = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx)
else:
    M = imaplib.IMAP4(host, int(port))
    if "LOGINDISABLED" not in M.capabilities:
        fail("LOGINDISABLED not announced before STARTTLS: %r" % (M.capabilities,))
    check(*M.starttls(ssl_context=ctx), what="STARTTLS")
print("TLS " + M.sock.version(), flush=True)

check(*M.login(user, password), what="LOGIN")
typ, data = M.select("INBOX")
check(typ, data, "SELECT")
print("SELECT %s" % data[0].decode(), flush=True)

# The delivered message, byte for byte.
typ, data = M.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
check(typ, data, "UID FETCH")
body = data[0][1]
if body != expected:
    fail("BODY[] differs: got %d bytes, want %d" % (len(body), len(expected)))
print("FETCH identical %d bytes" % len(body), flush=True)

typ, data = M.store("1", "+FLAGS", r"(\Flagged \Deleted)")
check(typ, data, "STORE")
flags = data[0].decode()
if r"\Flagged" not in flags or r"\Deleted" not in flags:
    fail("STORE answered %r" % flags)
print("STORE " + flags, flush=True)

typ, data = M.append("INBOX", r"(\Seen)", None, expected)
check(typ, data, "APPEND")
print("APPEND " + data[0].decode(), flush=True)

typ, data = M.expunge()
check(typ, data, "EXPUNGE")
print("EXPUNGE %r" % [d.decode() for d in data if d], flush=True)

typ, data = M.search(None, "ALL")
check(typ, data, "SEARCH")
print("SEARCH " + data[0].decode(), flush=True)

# IDLE (imaplib of Python < 3.14 has no idle(); speak it directly).
tag = M._new_tag()
M.send(tag + b" IDLE\r\n")
line = M.readline()
if not line.startswith(b"+"):
    fail("IDLE answered %r" % line)
print("IDLING", flush=True)
while True:
    line = M.readline()
    if not line:
        fail("connection closed during IDLE")
    if re.match(rb"\* \d+ EXISTS", line):
        print("IDLE woken: " + line.decode().strip(), flush=True)
        break
M.send(b"DONE\r\n")
while True:
    line = M.readline()
    if line.startswith(tag):
        if not line.startswith(tag + b" OK"):
            fail("IDLE ended with %r" % line)
        break

typ, data = M.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
check(typ, data, "FETCH after IDLE")
print("NEW " + data[0][1].decode().strip(), flush=True)
M.logout()
print("DONE", flush=True)
