"""A real SMTP server for Reserv's delivery tests (aiosmtpd).

Usage: python3 smtp_sink.py DIR [PORT]

Listens on 127.0.0.1:PORT (0: any free port), prints "READY <port>" once it
accepts connections, and writes every message it accepts to DIR/<n>.json,
decoded with Python's e-mail parser: {"mail_from", "rcpt_tos", "from", "to",
"subject", "body", "list_unsubscribe", "list_unsubscribe_post"}. Recipients starting with "refuse" are refused with 550;
those starting with "busy" are refused once with 451, then accepted. Stops
when its standard input closes (the test ends) or on a signal.
"""

import asyncio
import email
import json
import os
import sys
from email import policy

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.busy_seen = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 Mottagaren finns inte"
        if address.startswith("busy") and address not in self.busy_seen:
            self.busy_seen.add(address)
            return "451 4.3.0 Upptaget, försök senare"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "body": body.get_content() if body is not None else "",
            "list_unsubscribe": str(msg["List-Unsubscribe"] or ""),
            "list_unsubscribe_post": str(msg["List-Unsubscribe-Post"] or ""),
        }
        self.count += 1
        tmp = os.path.join(self.directory, f".{self.count}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.directory, f"{self.count}.json"))
        return "250 2.0.0 Ok: queued as test-%d" % self.count


async def main():
    directory = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    loop = asyncio.get_running_loop()
    handler = Sink(directory)
    server = await loop.create_server(lambda: SMTP(handler, enable_SMTPUTF8=True), "127.0.0.1", port)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    # Stop when the test closes our standard input.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
