"""Log in to hedwig's POP3S server with poplib's apop(), as a client would.

usage: poplib_apop.py HOST PORT CAFILE USER SECRET [USER SECRET ...]
Each USER SECRET pair is tried in its own session. Prints one JSON list with
an object per pair: the greeting's timestamp, whether APOP succeeded, the
server's reply (the error on failure), and STAT after a successful login.
"""
import json
import poplib
import ssl
import sys

host, port, cafile = sys.argv[1:4]
pairs = sys.argv[4:]
ctx = ssl.create_default_context(cafile=cafile)
results = []
for user, secret in zip(pairs[0::2], pairs[1::2]):
    box = poplib.POP3_SSL(host, int(port), context=ctx, timeout=30)
    result = {"user": user, "timestamp": box.timestamp.search(box.welcome).group(1).decode()}
    try:
        result["reply"] = box.apop(user, secret).decode()
        result["ok"] = True
        result["stat"] = list(box.stat())
        box.quit()
    except poplib.error_proto as e:
        result["ok"] = False
        result["reply"] = e.args[0].decode()
        box.close()
    results.append(result)
print(json.dumps(results))
