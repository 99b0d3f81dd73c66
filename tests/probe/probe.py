#!/usr/bin/env python3
"""An outside probe of the running local API: tries the abuses the functions must resist,
as any client on the network could, then looks at what the server stored, mailed and
logged. It must find nothing that should not be there.

Usage: probe.py BASE_URL DATA_DIR LOG_FILE   (the server's PORTAL_DATA and its log output)
Only 127.0.0.1 is ever contacted. Exit status 1 with a list of findings, else 0.
"""

import http.client
import json
import os
import re
import socket
import sqlite3
import sys
import time
import urllib.parse

BASE, DATA, LOG = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
assert BASE.startswith("http://127.0.0.1:"), "the probe only talks to this machine"
findings = []
checks = 0
EVENT = "sendai-bousai-evening"


def request(method, path, body=None, headers=None, source="127.0.0.1"):
    """One request from the loopback address `source` (127.0.0.0/8 are all this machine):
    the server sees it as that peer, whatever the headers claim."""
    data = None
    headers = dict(headers or {})
    if isinstance(body, dict):
        data = urllib.parse.urlencode(body).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif isinstance(body, str):
        data = body.encode()
    elif isinstance(body, bytes):
        data = body
    host, port = BASE[len("http://"):].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def expect(what, condition):
    global checks
    checks += 1
    if not condition:
        findings.append(what)


def outbox():
    folder = os.path.join(DATA, "outbox")
    if not os.path.isdir(folder):
        return []
    return [open(os.path.join(folder, f), encoding="utf-8").read() for f in sorted(os.listdir(folder))]


def stamp():
    status, text = request("GET", "/api/members/new", headers={"Accept": "application/json"})
    expect(f"a JSON stamp is served (got {status})", status == 200)
    return json.loads(text)["form_token"]


def profile(email, **extra):
    fields = {"name": "佐藤 健", "kana": "さとう けん", "sector": "private", "email": email, "consent": "yes"}
    fields.update(extra)
    return fields


# 0. Introductions (first: the floods below use up the portal's hourly mail ceiling). Only a
# member's own address can ask, a link acts once and only by its button, and no answer
# tells who is a member, who declined or whose address is whose.
db = sqlite3.connect(os.path.join(DATA, "portal.sqlite3"))
for slug in ["yamada-hanako", "sato-kenta", "takahashi-ryo", "abe-kaori"]:
    db.execute("INSERT INTO submissions (id, kind, slug, fields, email, ip_hash, status, confirmed_at, created_at, updated_at) "
               "VALUES (?, 'profile', ?, '{}', ?, 'h', 'exported', '2026-11-25T03:00:00Z', '2026-11-25T03:00:00Z', '2026-11-25T03:00:00Z')",
               (f"probe-{slug}", slug, f"{slug}@probe.example.jp"))
db.commit()
HANAKO_BOX = "yamada-hanako@probe.example.jp"

def introduce(to, asker, email, note, source, token):
    return request("POST", f"/api/members/{to}/introduce", {"from": asker, "email": email, "note": note, "form_token": token},
                   {"Origin": BASE}, source=source)

def mails(to, needle):
    return [m for m in outbox() if f"To: {to}" in m and needle in m]

def send_links():
    return re.findall(r"/api/introductions/send\?token=(\S+)", "".join(mails(HANAKO_BOX, "send?token=")))

def send_link():
    """The newest send link mailed to Hanako."""
    found = send_links()
    return found[-1] if found else ""

def wait_for_mail(check):
    for _ in range(50):
        if check():
            return True
        time.sleep(0.1)
    return False

tokens = [stamp() for _ in range(4)]
time.sleep(3.2)
answers = {
    introduce("sato-kenta", asker, email, "お話ししたいです", "127.0.13.1", token)
    for (asker, email), token in zip([("yamada-hanako", "guess@example.jp"), ("nobody-at-all", "guess@example.jp"),
                                      ("takahashi-ryo", "ryo-guess@example.jp"), ("yamada-hanako", "Yamada-Hanako@PROBE.example.jp")], tokens)
}
expect(f"an introduction request answers the same for a stranger, a wrong address and the member ({len(answers)} answers)",
       len(answers) == 1 and next(iter(answers))[0] == 200)
wait_for_mail(lambda: send_link())
first_link = send_link()
expect("the link goes to the member's own address, whatever its case", bool(first_link))
expect("no link goes to a guessed address", not any("guess@" in m for m in outbox()))
status, page = request("GET", "/api/introductions/send?token=" + first_link)
expect(f"the link's page shows the request (got {status})", status == 200 and "依頼を送る" in page)
time.sleep(1.5)
expect("a fetched send link reaches nobody", not mails("sato-kenta@probe.example.jp", "answer?token="))
answers = [request("POST", "/api/introductions/send", {"token": first_link}, {"Origin": BASE}, source="127.0.13.2")[0] for _ in range(2)]
expect(f"a send link posted twice sends once (answers {answers})", answers == [200, 410])
wait_for_mail(lambda: mails("sato-kenta@probe.example.jp", "answer?token="))
expect("the recipient gets one request", len(mails("sato-kenta@probe.example.jp", "answer?token=")) == 1)
expect("the request mail holds no address of the requester", HANAKO_BOX not in "".join(mails("sato-kenta@probe.example.jp", "answer?token=")))
request_mail = "".join(mails("sato-kenta@probe.example.jp", "answer?token="))
answer = (re.findall(r"/api/introductions/answer\?token=(\S+)", request_mail) or ["missing"])[0]
status, _ = request("POST", "/api/introductions/send", {"token": answer}, {"Origin": BASE}, source="127.0.13.2")
expect(f"a recipient's link does not send a request (got {status})", status == 410)
status, _ = request("POST", "/api/introductions/answer", {"token": answer[:-2] + "xx", "answer": "accept"}, {"Origin": BASE}, source="127.0.13.2")
expect(f"a tampered answer link is refused (got {status})", status == 410)
status, _ = request("POST", "/api/introductions/answer", {"token": answer, "answer": "accept"}, {"Origin": "https://evil.example"}, source="127.0.13.2")
expect(f"an answer posted from another origin is refused (got {status})", status == 403)
# Pair spam: a second request to the same member while the first is open.
token = stamp()
time.sleep(3.2)
introduce("sato-kenta", "yamada-hanako", HANAKO_BOX, "もう一度", "127.0.13.3", token)
wait_for_mail(lambda: len(send_links()) == 2)
status, pair_open = request("POST", "/api/introductions/send", {"token": send_link()}, {"Origin": BASE}, source="127.0.13.3")
expect(f"a second open request to one member is refused with 409 (got {status})", status == 409)
# Accepted twice at once: one mail each.
import threading
results = []
threads = [threading.Thread(target=lambda: results.append(request("POST", "/api/introductions/answer", {"token": answer, "answer": "accept"},
                                                                  {"Origin": BASE}, source="127.0.13.4")[0])) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
wait_for_mail(lambda: len(mails(HANAKO_BOX, "sato-kenta@probe.example.jp")) >= 1)
time.sleep(1.5)
expect(f"four acceptances at once introduce once ({len(mails(HANAKO_BOX, 'sato-kenta@probe.example.jp'))} mails)",
       len(mails(HANAKO_BOX, "sato-kenta@probe.example.jp")) == 1 and len(mails("sato-kenta@probe.example.jp", HANAKO_BOX)) == 1)
# Flood: one client, many requests with wrong addresses: its limit stops it, nobody is mailed.
tokens = [stamp() for _ in range(7)]
time.sleep(3.2)
flood = [introduce("abe-kaori", "yamada-hanako", f"flood{n}@example.jp", "x", "127.0.13.5", token)[0] for n, token in enumerate(tokens)]
expect(f"one client gets at most 5 introduction requests an hour (answers {flood})", flood[5:] == [429, 429])
# Markup in a note is text on every page.
token = stamp()
time.sleep(3.2)
introduce("takahashi-ryo", "yamada-hanako", HANAKO_BOX, "<img src=x onerror=alert(1)>", "127.0.13.6", token)
wait_for_mail(lambda: len(send_links()) == 3)
status, page = request("GET", "/api/introductions/send?token=" + send_link())
expect("a note's markup is shown as text", "<img src=x" not in page and "&lt;img src=x" in page)
# A decline reads like silence: a new request to a member who declined is refused with the
# very words of one to a member who has not answered.
tokens = [stamp() for _ in range(2)]
time.sleep(3.2)
introduce("abe-kaori", "yamada-hanako", HANAKO_BOX, "はじめまして", "127.0.13.7", tokens[0])
wait_for_mail(lambda: len(send_links()) == 4)
request("POST", "/api/introductions/send", {"token": send_link()}, {"Origin": BASE}, source="127.0.13.7")
wait_for_mail(lambda: mails("abe-kaori@probe.example.jp", "answer?token="))
abe_answer = (re.findall(r"/api/introductions/answer\?token=(\S+)", "".join(mails("abe-kaori@probe.example.jp", "answer?token="))) or ["missing"])[0]
status, _ = request("POST", "/api/introductions/answer", {"token": abe_answer, "answer": "decline"}, {"Origin": BASE}, source="127.0.13.8")
expect(f"the recipient declines (got {status})", status == 200)
introduce("abe-kaori", "yamada-hanako", HANAKO_BOX, "もう一度", "127.0.13.7", tokens[1])
wait_for_mail(lambda: len(send_links()) == 5)
status, after_decline = request("POST", "/api/introductions/send", {"token": send_link()}, {"Origin": BASE}, source="127.0.13.7")
expect(f"after a decline a new request reads exactly as one to a member who has not answered (got {status})",
       status == 409 and after_decline == pair_open)
expect("a decline mails the requester nothing", not any("阿部" in m and "send?token=" not in m for m in mails(HANAKO_BOX, "")))
rows = db.execute("SELECT requester, recipient, note FROM introductions").fetchall()
expect("the store's introductions hold no address", not any("@" in "".join(row) for row in rows))
logs_now = open(LOG, encoding="utf-8", errors="replace").read()
expect("the logs hold no address of an introduction", "probe.example.jp" not in logs_now)
status, listing = request("GET", "/api/moderation/introductions")
expect(f"the editors' listing needs the editors' token (got {status})", status == 401)

# 1. Mail bombing one address from "many clients" (forged X-Forwarded-For), with stamps.
tokens = [stamp() for _ in range(6)]
time.sleep(3.2)
for n, token in enumerate(tokens):
    # Different real peers too: the recipient's own limit still holds.
    request("POST", "/api/members", profile("victim@example.jp", form_token=token),
            {"X-Forwarded-For": f"198.51.100.{n}", "Origin": BASE}, source=f"127.0.1.{n + 1}")
victim_mails = [m for m in outbox() if "To: victim@example.jp" in m]
expect(f"one address gets at most 3 sign-up mails a day (got {len(victim_mails)})", len(victim_mails) <= 3)

# 1b. One client, many addresses: its own limit stops it (X-Forwarded-For changes nothing).
tokens = [stamp() for _ in range(7)]
time.sleep(3.2)
answers = [
    request("POST", "/api/members", profile(f"list{n}@example.jp", form_token=token),
            {"X-Forwarded-For": f"198.51.100.{n}", "Origin": BASE}, source="127.0.5.1")[0]
    for n, token in enumerate(tokens)
]
expect(f"one client gets at most 5 sign-ups an hour (answers {answers})", answers[5:] == [429, 429])

# 2. JSON without a stamp, a reused stamp, a filled honeypot: nothing stored or mailed.
before = len(outbox())
request("POST", "/api/members", json.dumps(profile("nostamp@example.jp")), {"Content-Type": "application/json"}, source="127.0.2.1")
reuse = stamp()
time.sleep(3.2)
request("POST", "/api/members", json.dumps(profile("first@example.jp", form_token=reuse)), {"Content-Type": "application/json"}, source="127.0.2.2")
request("POST", "/api/members", json.dumps(profile("reused@example.jp", form_token=reuse)), {"Content-Type": "application/json"}, source="127.0.2.3")
bot = stamp()
time.sleep(3.2)
request("POST", "/api/members", profile("bot@example.jp", form_token=bot, homepage="http://spam.example"), {"Origin": BASE}, source="127.0.2.4")
mailed = "".join(outbox()[before:])
for address in ["nostamp@", "reused@", "bot@"]:
    expect(f"nothing is mailed to {address} (spam rules)", address not in mailed)

# 3. A confirmation link merely fetched changes nothing.
link = re.search(r"/api/confirm\?token=(\S+)", [m for m in outbox() if "To: first@example.jp" in m][0])
request("GET", "/api/confirm?token=" + link.group(1))
db = sqlite3.connect(os.path.join(DATA, "portal.sqlite3"))
confirmed = db.execute("SELECT COUNT(*) FROM submissions WHERE email = 'first@example.jp' AND confirmed_at IS NOT NULL").fetchone()[0]
expect("a GET of a confirmation link confirms nothing", confirmed == 0)

# 4. Bad input is refused: invisible characters, undeliverable addresses, junk bodies.
token = stamp()
time.sleep(3.2)
for fields, what in [
    (profile("bidi@example.jp", name="佐藤\u202e健", form_token=token), "a right-to-left override in a name"),
    (profile("山田@example.jp", form_token=token), "a non-ASCII local part"),
]:
    status, _ = request("POST", "/api/members", json.dumps(fields), {"Content-Type": "application/json"}, source="127.0.3.1")
    expect(f"{what} is refused with 422 (got {status})", status == 422)
for body, headers, code in [
    ("{", {"Content-Type": "application/json"}, 400),
    ("[1,2]", {"Content-Type": "application/json"}, 400),
    ("x" * 70000, {"Content-Type": "application/json"}, 413),
    ("a=b", {"Content-Type": "text/plain"}, 415),
    (b"name=\xff", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
]:
    status, _ = request("POST", "/api/members", body, headers, source="127.0.3.2")
    expect(f"a malformed post gets {code} (got {status})", status == code)

# 5. Event seats: requests hold nothing until confirmed; one address is not a mailing list;
# without a stamp nothing is mailed at all.
before = len(outbox())
for n in range(3):
    request("POST", f"/api/events/{EVENT}/signups", {"name": "x", "email": "unstamped-seat@example.jp"},
            {"Origin": BASE}, source=f"127.0.4.{n + 20}")
    request("POST", f"/api/events/{EVENT}/signups", json.dumps({"name": "x", "email": "unstamped-seat@example.jp"}),
            {"Content-Type": "application/json"}, source=f"127.0.4.{n + 30}")
expect("an event sign-up without a stamp mails nothing", "unstamped-seat@" not in "".join(outbox()[before:]))
tokens = [stamp() for _ in range(12)]
time.sleep(3.2)
for n, token in enumerate(tokens):
    request("POST", f"/api/events/{EVENT}/signups", {"name": "x", "email": "seat-victim@example.jp", "form_token": token},
            {"X-Forwarded-For": f"203.0.113.{n}", "Origin": BASE}, source=f"127.0.4.{n + 1}")
status, text = request("GET", f"/api/events/{EVENT}/seats")
expect(f"unconfirmed requests take no seat ({text})", status == 200 and json.loads(text)["confirmed"] == 0)
event_mails = [m for m in outbox() if "To: seat-victim@example.jp" in m]
expect(f"one address gets at most 10 event mails a day (got {len(event_mails)})", len(event_mails) <= 10)

# 6. Editors only; no cross-origin posts; no files outside the site.
for path in ["/api/moderation/submissions?status=pending", "/api/moderation/events/x/signups.csv"]:
    status, _ = request("GET", path)
    expect(f"{path} needs an editor token (got {status})", status == 401)
status, _ = request("GET", "/api/moderation/submissions", headers={"Authorization": "Bearer guess"})
expect(f"a guessed token is refused (got {status})", status == 401)
status, _ = request("POST", "/api/members/yamada-hanako/removal", {"email": "a@example.jp"}, {"Origin": "https://evil.example"})
expect(f"a post from another origin is refused (got {status})", status == 403)
status, text = request("GET", "/%2e%2e/%2e%2e/etc/passwd")
expect(f"no path leaves the site folder (got {status})", status == 404 and "root:" not in text)

# 6b. The new doors: an edit link tells nobody whose address it is; announcements pass the
# same spam rules; a photo is never a way to send a huge body or anything but a photo.
tokens = [stamp() for _ in range(2)]
time.sleep(3.2)
answers = {
    request("POST", "/api/members/yamada-hanako/edit", json.dumps({"email": address, "form_token": token}),
            {"Content-Type": "application/json"}, source="127.0.6.1")
    for address, token in zip(["guess-one@example.jp", "guess-two@example.jp"], tokens)
}
expect(f"an edit-link request answers the same for any address ({len(answers)} answers)", len(answers) == 1)
time.sleep(2.5)  # links are queued and sent by the mail job (every second locally)
expect("no edit link is mailed to a guessed address", not any("guess-" in m for m in outbox()))
status, _ = request("GET", "/api/members/edit?token=forged")
expect(f"a forged edit link opens nothing (got {status})", status == 410)
before = len(outbox())
announcement = {"title": "x", "start": "2026-12-10T19:00", "email": "announce-spam@example.jp", "consent": "yes"}
request("POST", "/api/events", json.dumps(announcement), {"Content-Type": "application/json"}, source="127.0.6.2")
request("POST", "/api/events", dict(announcement, homepage="http://spam.example"), {"Origin": BASE}, source="127.0.6.3")
expect("an unstamped or honeypot announcement mails nothing", "announce-spam@" not in "".join(outbox()[before:]))
boundary = "probe-boundary"
# Announced as 6 MB, and the first bytes sent: the answer comes before the rest is read.
host, port = BASE[len("http://"):].split(":")
with socket.create_connection((host, int(port)), timeout=10, source_address=("127.0.6.4", 0)) as raw:
    raw.sendall((f"POST /api/members HTTP/1.1\r\nHost: {host}:{port}\r\nOrigin: {BASE}\r\n"
                 f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {6 * 1024 * 1024}\r\n\r\n"
                 f"--{boundary}\r\n").encode())
    answer = raw.recv(64).decode("latin-1")
expect(f"a sign-up body over 4 MB with its photo is refused with 413 before it is read ({answer[:15]!r})", answer.startswith("HTTP/1.1 413"))
script = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"bio\"; filename=\"x.html\"\r\n\r\n<script>\r\n--{boundary}--\r\n").encode()
status, _ = request("POST", "/api/members", script, {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": BASE}, source="127.0.6.5")
expect(f"a file in another field than photo is refused with 400 (got {status})", status == 400)

# 6c. Acting for someone else, and input that must be refused rather than repaired.
# A removal confirmation goes to the member's own address, never the typed one, and the
# answer is the same for a published member, a stranger's address and an unknown slug.
answers = set()
targets = [("yamada-hanako", "attacker@example.net"), ("nobody-at-all", "attacker@example.net"),
           ("sato-kenta", "attacker2@example.net")]
tokens = [stamp() for _ in targets]
time.sleep(3.2)
for (slug, address), token in zip(targets, tokens):
    status, text = request("POST", f"/api/members/{slug}/removal", json.dumps({"email": address, "form_token": token}),
                           {"Content-Type": "application/json"}, source="127.0.7.1")
    answers.add((status, text))
before = len(outbox())
request("POST", "/api/members/yamada-hanako/removal", {"email": "hanako@example.jp"}, {"Origin": BASE}, source="127.0.7.6")
request("POST", "/api/members/yamada-hanako/edit", {"email": "hanako@example.jp"}, {"Origin": BASE}, source="127.0.7.6")
time.sleep(2.5)
expect("a removal or edit-link request without a stamp mails nothing", len(outbox()) == before)
expect(f"a removal request answers the same whoever asks ({len(answers)} answers)", len(answers) == 1)
time.sleep(2.5)  # the mail job sends what was queued
expect("no removal confirmation is mailed to the requester's address", not any("To: attacker" in m for m in outbox()))
status, _ = request("POST", "/api/members", "name=%FF%FE&email=x%40example.jp", {"Content-Type": "application/x-www-form-urlencoded", "Origin": BASE}, source="127.0.7.2")
expect(f"percent-escapes of invalid UTF-8 are refused with 400 (got {status})", status == 400)
token = stamp()
time.sleep(3.2)
twice = '{"form_token": "%s", "email": "one@example.jp", "name": "x", "email": "two@example.jp"}' % token
status, _ = request("POST", "/api/members", twice, {"Content-Type": "application/json"}, source="127.0.7.3")
expect(f"a JSON key sent twice is refused with 400 (got {status})", status == 400)
token = stamp()
time.sleep(3.2)
status, _ = request("POST", "/api/members", json.dumps(profile("url-probe@example.jp", form_token=token, **{"links.website": 'https://"><script>'})),
                    {"Content-Type": "application/json"}, source="127.0.7.4")
expect(f"a web address that does not parse is refused with 422 (got {status})", status == 422)
token = stamp()
time.sleep(3.2)
past = {"title": "過去の会", "start": "2020-01-10T19:00", "end": "2020-01-10T21:00", "online": "yes", "email": "past@example.jp",
        "consent": "yes", "form_token": token}
status, _ = request("POST", "/api/events", json.dumps(past), {"Content-Type": "application/json"}, source="127.0.7.5")
expect(f"an announced event that has started is refused with 422 (got {status})", status == 422)

# 6c'. A report reaches the editors and nothing else: no mail, no deletion.
token = stamp()
time.sleep(3.2)
before = len(outbox())
status, _ = request("POST", "/api/members/yamada-hanako/report", json.dumps({"reason": "なりすまし", "form_token": token}),
                    {"Content-Type": "application/json"}, source="127.0.7.7")
expect(f"a report is received with 202 (got {status})", status == 202)
expect("a report mails nobody", len(outbox()) == before)
status, _ = request("GET", "/members/yamada-hanako/")
expect(f"a reported profile is still published (got {status})", status == 200)

# 6d. Limits count mailboxes, not spellings: four spellings of one mailbox, three mails.
tokens = [stamp() for _ in range(4)]
time.sleep(3.2)
for n, (token, spelling) in enumerate(zip(tokens, ["twin@example.jp", "Twin+1@example.jp", "twin+2@EXAMPLE.jp", "twin+3@example.jp"])):
    request("POST", "/api/members", json.dumps(profile(spelling, form_token=token)), {"Content-Type": "application/json"}, source=f"127.0.10.{n + 1}")
twin_mails = [m for m in outbox() if re.search(r"To: twin(\+\d)?@example\.jp", m)]
expect(f"one mailbox gets at most 3 sign-up mails however it is spelled (got {len(twin_mails)})", len(twin_mails) <= 3)

# 6g. What the shared form renderer sends back, a replayed seat link, a tiny file that
# decodes huge. A refused join form shows every value again: as text, never as markup, and
# never with a control character (which no HTML may hold), the refused choice's own value
# (named in the Japanese words) included.
token = stamp()
time.sleep(3.2)
hostile = profile("echo@example.jp", form_token=token, name="<script>alert(1)</script>",
                  kana='"><img src=x onerror=alert(1)>', sector='"><svg onload=alert(1)>',
                  bio="ベル\x07です<script>alert(2)</script>", **{"links.website": "javascript:alert(1)"})
status, text = request("POST", "/api/members", hostile, {"Origin": BASE}, source="127.0.11.1")
expect(f"a hostile join form is refused with 422 (got {status})", status == 422)
for raw in ["<script>", "<img src=x", "<svg onload", "\x07"]:
    expect(f"the refused form sends {raw!r} back as text only", raw not in text)
expect("the refused choice is named, escaped", "&quot;&gt;&lt;svg onload=alert(1)&gt;" in text)
# One seat link, posted twice from two clients and once for another event: one seat.
token = stamp()
time.sleep(3.2)
request("POST", f"/api/events/{EVENT}/signups", {"name": "x", "email": "replay@example.jp", "form_token": token},
        {"Origin": BASE}, source="127.0.11.2")
seat_link = re.search(rf"/api/events/{EVENT}/confirm\?token=(\S+)", "".join(m for m in outbox() if "To: replay@example.jp" in m))
expect("a seat request mails its confirmation link", seat_link is not None)
if seat_link:
    seat_token = urllib.parse.unquote(seat_link.group(1))
    _, before_seats = request("GET", f"/api/events/{EVENT}/seats")
    answers = [request("POST", f"/api/events/{EVENT}/confirm", {"token": seat_token}, {"Origin": BASE}, source=f"127.0.11.{n}")[0]
               for n in (3, 4)]
    status, _ = request("POST", "/api/events/online-kickoff/confirm", {"token": seat_token}, {"Origin": BASE}, source="127.0.11.5")
    _, after_seats = request("GET", f"/api/events/{EVENT}/seats")
    taken = json.loads(after_seats)["confirmed"] - json.loads(before_seats)["confirmed"]
    expect(f"a seat link posted twice takes one seat (answers {answers}, {taken} taken)", taken == 1)
    expect(f"a seat link is refused for another event (got {status})", status >= 400)
# A 60,000 x 60,000 PNG in under a hundred bytes: refused by its header, at once.
import struct, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(b"\0" * 1000, 9)) + chunk(b"IEND", b""))
token = stamp()
time.sleep(3.2)
parts = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                for k, v in profile("bomb@example.jp", form_token=token).items()).encode()
body = (parts + f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n".encode()
        + png + f"\r\n--{boundary}--\r\n".encode())
started = time.monotonic()
status, _ = request("POST", "/api/members", body, {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": BASE}, source="127.0.11.6")
elapsed = time.monotonic() - started
expect(f"a {len(png)}-byte PNG claiming 3.6 gigapixels is refused with 422 (got {status})", status == 422)
expect(f"and at once ({elapsed:.2f} s)", elapsed < 2)
expect("nothing is mailed for it", not any("To: bomb@example.jp" in m for m in outbox()))

# 6e. Many clients, many addresses, one portal: its hourly mail ceiling (default 50) holds.
tokens = [stamp() for _ in range(60)]
time.sleep(3.2)
answers = [
    request("POST", "/api/members", json.dumps(profile(f"flood{n}@example.jp", form_token=token)),
            {"Content-Type": "application/json"}, source=f"127.0.9.{n // 5 + 1}")[0]
    for n, token in enumerate(tokens)
]
expect(f"a flood from 12 clients is shed with 429 past the ceiling ({answers.count(429)} refused)", 429 in answers)
expect(f"the portal mails at most 50 an hour whoever asks (outbox {len(outbox())})", len(outbox()) <= 50)

# 6e'. With the ceiling full, the proof-based forms still answer the member's own address
# as any other: a 429 for it alone would tell whose address it is.
tokens = [stamp() for _ in range(4)]
time.sleep(3.2)
answers = []
for n, (address, token) in enumerate(zip([HANAKO_BOX, "guess-ceiling@example.jp"] * 2, tokens)):
    path = "/api/members/yamada-hanako/edit" if n < 2 else "/api/members/yamada-hanako/introduce"
    body = {"email": address, "form_token": token}
    if n >= 2:
        body.update({"from": "yamada-hanako", "note": "x"})
        path = "/api/members/sato-kenta/introduce"
    answers.append(request("POST", path, body, {"Origin": BASE}, source=f"127.0.14.{n + 1}"))
expect(f"with the mail ceiling full, an edit link answers the member's address as a guess ({answers[0][0]}, {answers[1][0]})",
       answers[0] == answers[1])
expect(f"and so does an introduction request ({answers[2][0]}, {answers[3][0]})", answers[2] == answers[3])

# 6f. DNS rebinding and open redirects: another name for this machine reads nothing, and
# a path a browser reads as another host never becomes a redirect there.
with socket.create_connection((host, int(port)), timeout=10) as raw:
    raw.sendall(f"GET /api/members/new HTTP/1.1\r\nHost: rebind.attacker.example:{port}\r\nConnection: close\r\n\r\n".encode())
    answer = raw.recv(64).decode("latin-1")
expect(f"a request for another host name is refused with 421 ({answer[:15]!r})", answer.startswith("HTTP/1.1 421"))
connection = http.client.HTTPConnection(host, int(port), timeout=10)
connection.request("GET", "//members")
response = connection.getresponse()
location = response.getheader("Location") or ""
connection.close()
expect(f"//members does not redirect to another host (Location {location!r})", not location.startswith("//"))

# 7. What was stored and logged.
rows = db.execute("SELECT email, ip_hash, fields FROM submissions").fetchall()
for email, ip_hash, fields in rows:
    expect("no IP address is stored", not re.search(r"\b(198\.51\.100|203\.0\.113|127\.0\.0)\.\d+", ip_hash + fields))
stored = {row[0] for row in rows}
for address in ["nostamp@example.jp", "reused@example.jp", "bot@example.jp", "bidi@example.jp", "announce-spam@example.jp"]:
    expect(f"nothing is stored for {address}", address not in stored)
logs = open(LOG, encoding="utf-8", errors="replace").read()
for secret in ["victim@example.jp", "first@example.jp", "198.51.100.", link.group(1)]:
    expect(f"the logs do not hold {secret[:20]}", secret not in logs)
mode = lambda p: oct(os.stat(p).st_mode & 0o777)
for path in [os.path.join(DATA, "portal.sqlite3"), os.path.join(DATA, "secret")]:
    expect(f"{os.path.basename(path)} is the owner's only ({mode(path)})", mode(path) == "0o600")

for finding in findings:
    print("  -", finding)
print(f"probe: {checks - len(findings)} passed, {len(findings)} failed")
sys.exit(1 if findings else 0)
