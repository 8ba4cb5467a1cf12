#!/usr/bin/env python3
"""A real SMTP server on loopback that keeps what it receives: for tests and `scripts/run`.

Usage: smtp_capture.py --dir FOLDER [--listen 127.0.0.1:0] [--print]

Speaks plain SMTP (EHLO, AUTH PLAIN/LOGIN accepted whatever the credentials, MAIL, RCPT,
DATA, RSET, NOOP, QUIT; no STARTTLS offered, so a client's opportunistic STARTTLS
stays plain). Prints `listening PORT` on stdout once bound. Each message accepted is
written to FOLDER as NNNNNN.json (atomically: a temporary name, then a rename):
{"envelope_from", "recipients", "headers": [[name, value]...], "subject", "message_id",
"text", "html", "attachments": [{"filename", "content_type", "base64"}...], "raw"}. With --print, a line per message on stdout: its subject and recipients.

Mail holds donor addresses: FOLDER must not be one the log audit reads.
"""
import argparse
import base64
import email
import email.header
import email.policy
import itertools
import json
import os
import socketserver
import sys
import threading

counter = itertools.count(1)
counter_lock = threading.Lock()


def decoded(header_value):
    return str(email.header.make_header(email.header.decode_header(header_value or "")))


def parts_of(raw):
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    text, html, attachments = "", "", []
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            attachments.append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                                "base64": base64.b64encode(payload).decode()})
            continue
        body = payload.decode(part.get_content_charset() or "utf-8", "replace")
        if part.get_content_type() == "text/plain":
            text += body
        elif part.get_content_type() == "text/html":
            html += body
    return message, text, html, attachments


class Session(socketserver.StreamRequestHandler):
    # Replies go out line by line (EHLO's three lines as three writes): with Nagle's
    # algorithm each later line waited for the client's delayed ACK, 40 ms a session.
    disable_nagle_algorithm = True

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def read_line(self):
        line = self.rfile.readline(1 << 20)
        if not line:
            raise ConnectionError
        return line.rstrip(b"\r\n")

    def handle(self):
        try:
            self.converse()
        except (ConnectionError, OSError):
            pass

    def converse(self):
        self.reply("220 smtp-capture ESMTP")
        sender, recipients = None, []
        while True:
            line = self.read_line().decode("utf-8", "replace")
            verb = line[:4].upper()
            argument = line[5:] if len(line) > 5 else ""
            if verb == "EHLO":
                self.reply("250-smtp-capture")
                self.reply("250-8BITMIME")
                self.reply("250 AUTH PLAIN LOGIN")
            elif verb == "HELO":
                self.reply("250 smtp-capture")
            elif verb == "AUTH":
                mechanism = argument.split()
                if mechanism and mechanism[0].upper() == "LOGIN":
                    self.reply("334 VXNlcm5hbWU6")
                    self.read_line()
                    self.reply("334 UGFzc3dvcmQ6")
                    self.read_line()
                elif len(mechanism) < 2:
                    self.reply("334 ")
                    self.read_line()
                self.reply("235 accepted")
            elif verb == "MAIL":
                sender, recipients = argument.split(":", 1)[1].strip().strip("<>"), []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(argument.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                lines = []
                while True:
                    data_line = self.read_line()
                    if data_line == b".":
                        break
                    lines.append(data_line[1:] if data_line.startswith(b".") else data_line)
                self.keep(sender, recipients, b"\r\n".join(lines) + b"\r\n")
                sender, recipients = None, []
                self.reply("250 queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def keep(self, sender, recipients, raw):
        message, text, html, attachments = parts_of(raw)
        record = {
            "envelope_from": sender,
            "recipients": recipients,
            "headers": [[name, value] for name, value in message.items()],
            "subject": decoded(message.get("Subject")),
            "message_id": message.get("Message-ID", ""),
            "text": text,
            "html": html,
            "attachments": attachments,
            "raw": raw.decode("utf-8", "replace"),
        }
        folder = self.server.folder
        with counter_lock:
            number = next(counter)
        name = os.path.join(folder, f"{os.getpid()}-{number:06d}.json")
        with open(name + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(name + ".tmp", name)
        if self.server.print_each:
            print(f"mail: to {', '.join(recipients)}: {record['subject']} ({name})", flush=True)
            # A local demo's sign-in email: its link, so the person trying it can open it.
            for word in record["text"].split():
                if "/donor/" in word and word.startswith("http"):
                    print(f"mail:   sign-in link: {word}", flush=True)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--print", dest="print_each", action="store_true")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    os.makedirs(args.dir, exist_ok=True)
    server = Server((host, int(port)), Session)
    server.folder = args.dir
    server.print_each = args.print_each
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
