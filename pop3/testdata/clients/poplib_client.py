"""Drive hedwig's POP3 server with Python's poplib, as a mail client would.

usage: poplib_client.py stls|pop3s HOST PORT CAFILE USER PASSWORD
Prints one JSON object: capabilities, STAT, UIDL, and message 1 (base64,
exactly as poplib returns it, lines joined with CRLF), which it deletes.
"""
import base64
import json
import poplib
import ssl
import sys

mode, host, port, cafile, user, password = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=cafile)
if mode == "stls":
    box = poplib.POP3(host, int(port), timeout=30)
    before = box.capa()
    box.stls(context=ctx)
else:
    box = poplib.POP3_SSL(host, int(port), context=ctx, timeout=30)
    before = {}
caps = box.capa()
box.user(user)
box.pass_(password)
count, size = box.stat()
uidl = [line.decode() for line in box.uidl()[1]]
_, lines, octets = box.retr(1)
message = b"\r\n".join(lines) + b"\r\n"
box.dele(1)
tls_version = box.sock.version()
box.quit()
print(json.dumps({
    "capa_before_tls": sorted(before),
    "capa": sorted(caps),
    "tls": tls_version,
    "count": count,
    "size": size,
    "uidl": uidl,
    "octets": octets,
    "message": base64.b64encode(message).decode(),
}))
