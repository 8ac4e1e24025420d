#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (test/fuzz/corpus/<target>/).

It also shows that the envelope can be produced without our C++: the
sealing below follows shared/README.md byte for byte (PyNaCl for
XChaCha20-Poly1305, hashlib for the key id). Run it again after a format
change; the output is deterministic.
"""
import base64
import hashlib
import json
import pathlib
import struct
import zlib

from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt

HERE = pathlib.Path(__file__).resolve().parent
KEY = bytes([0x11] * 32)  # the key envelope_fuzz.cpp opens with

READING = {
    "kind": "meter",
    "read_at": "2026-11-22T08:00:00.000Z",
    "origin": {"client_id": "7", "address": "192.0.2.10:161", "pmd": "hp"},
    "identity": {"manufacturer": "HP", "model": "LaserJet M479fdw", "serial": "VNB3K12345",
                 "firmware": "2409081_052447", "mac": "a0:b1:c2:d3:e4:f5"},
    "counters": {"total": 12345, "mono": 10000, "color": 2345, "copy.total": 400},
    "supplies": [
        {"index": 1, "description": "Black Cartridge", "type": "toner", "color": "black",
         "level": 40, "max": 100, "level_percent": 40, "state": "ok", "unit": "percent"},
        {"index": 2, "description": "Cyan Cartridge", "type": "toner", "color": "cyan",
         "level": -3, "max": -2, "level_percent": None, "state": "some_remaining"},
    ],
    "status": {"printer_status": "idle", "device_status": "running", "errors": ["lowToner"],
               "alerts": [{"index": 1, "severity": "warning", "group": "markerSupplies",
                           "code": 1104, "text": "Cyan low"}]},
    "capabilities": {"color": True, "duplex": True},
}


def batch_payload(client_id, batch_seq, items):
    return json.dumps({
        "format": 1, "client_id": client_id, "batch_seq": batch_seq,
        "client_version": "0.1.0", "created_at": "2026-11-22T08:05:00.000Z",
        "items": [{"seq": seq, "reading": READING} for seq in items],
    }, separators=(",", ":")).encode()


def key_id(key):
    return hashlib.blake2b(b"openmps key id v1", key=key, digest_size=16).digest()[:8]


def seal(client_id, batch_seq, payload, key, nonce, compress=True):
    body = zlib.compress(payload) if compress else payload
    flags = 1 if compress else 0
    header = (b"OMPE" + bytes([1, flags, 0, 0]) + struct.pack(">QQ", client_id, batch_seq)
              + key_id(key) + nonce + struct.pack(">I", len(body) + 16))
    return header + crypto_aead_xchacha20poly1305_ietf_encrypt(body, header, nonce, key)


def submit_call(envelope):
    b64 = base64.b64encode(envelope).decode()
    return ("<?xml version=\"1.0\"?><methodCall><methodName>mps.submit</methodName><params>"
            f"<param><value><base64>{b64}</base64></value></param></params></methodCall>").encode()


def submit_response(status, client_id, batch_seq, items):
    return ("<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
            f"<member><name>status</name><value><string>{status}</string></value></member>"
            f"<member><name>client_id</name><value><string>{client_id}</string></value></member>"
            f"<member><name>batch_seq</name><value><i8>{batch_seq}</i8></value></member>"
            f"<member><name>items</name><value><int>{items}</int></value></member>"
            "</struct></value></param></params></methodResponse>").encode()


def fault(code, text):
    return ("<?xml version=\"1.0\"?><methodResponse><fault><value><struct>"
            f"<member><name>faultCode</name><value><int>{code}</int></value></member>"
            f"<member><name>faultString</name><value><string>{text}</string></value></member>"
            "</struct></value></fault></methodResponse>").encode()


def enrollment(client_id, key):
    body = json.dumps({"v": 1, "servers": ["xmlrpcs://mps.example.net:52004"],
                       "client_id": client_id,
                       "key": base64.b64encode(key).decode(),
                       "fingerprint": "ab" * 32}, separators=(",", ":")).encode()
    crc = struct.pack(">I", zlib.crc32(body))
    return b"omps1:" + base64.urlsafe_b64encode(body + crc).rstrip(b"=")


def batch_mail(client_id, batch_seq, envelope):
    b64 = base64.encodebytes(envelope).decode()
    return (f"From: collector@customer.example\r\nTo: inbox@dealer.example\r\n"
            f"Subject: OpenMPS batch {client_id}/{batch_seq}\r\n"
            "Message-ID: <seed@customer.example>\r\nMIME-Version: 1.0\r\n"
            f"X-OpenMPS-Envelope: 1\r\nX-OpenMPS-Client: {client_id}\r\n"
            f"X-OpenMPS-Batch: {batch_seq}\r\n"
            'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            "--b1\r\nContent-Type: text/plain\r\n\r\nOpenMPS batch\r\n"
            "--b1\r\nContent-Type: application/octet-stream\r\n"
            f'Content-Disposition: attachment; filename="batch-{client_id}-{batch_seq}.ompe"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{b64}--b1--\r\n").encode()


CLIENT_CONFIG = b"""data_dir: state
snmp: {timeout_ms: 1500, retries: 2, concurrency: 256}
intervals: {discovery: 12h, meter: 3h, status: 2m}
credentials:
  - {name: office-v3, version: 3, user: monitor, auth_protocol: SHA-256,
     auth_password: authpass123, priv_protocol: AES, priv_password: privpass123}
  - {name: public, version: 2c, community: public}
networks:
  - name: head office
    ranges: [192.168.1.0/24, 192.168.2.10-192.168.2.50]
    exclude: [192.168.1.1]
    credentials: [office-v3, public]
carrier: {send_interval: 5m, max_batch_items: 200}
"""


def write(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def main():
    nonce = bytes(range(24))
    small = seal(7, 1, batch_payload(7, 1, [1, 2]), KEY, nonce)
    write("fuzz_envelope", "sealed_deflate", small)
    write("fuzz_envelope", "sealed_plain", seal(7, 2, batch_payload(7, 2, [3]), KEY, nonce, False))
    write("fuzz_envelope", "header_only", small[:60])
    write("fuzz_batch", "two_items", batch_payload(7, 1, [1, 2]))
    write("fuzz_batch", "no_items", batch_payload(7, 3, []))
    write("fuzz_reading_json", "meter", json.dumps(READING).encode())
    write("fuzz_submit_call", "submit", submit_call(small))
    write("fuzz_submit_response", "stored", submit_response("stored", 7, 1, 2))
    write("fuzz_submit_response", "duplicate", submit_response("duplicate", 7, 1, 2))
    write("fuzz_submit_response", "fault", fault(104, "batch 1 of client 7 was already used"))
    write("fuzz_enrollment", "one_server", enrollment(7, KEY))
    write("fuzz_batch_mail", "batch", batch_mail(7, 1, small))
    write("fuzz_batch_mail", "spam", b"From: a@b\r\nSubject: cheap\r\n\r\nbuy now\r\n")
    write("fuzz_client_config", "full", CLIENT_CONFIG)
    for definition in ("generic", "hp", "ricoh"):
        path = HERE.parent.parent / "pmd" / f"{definition}.yaml"
        if path.exists():
            write("fuzz_pmd_definition", definition, path.read_bytes())


if __name__ == "__main__":
    main()
