"""In-process peer for the throughput row: the SPKI SHA-256 of every key, certificate and CSR in a
folder, read with pyca/cryptography the way a Python script would do it (content sniffed, not named).

Reports per file the items `certbench match` reports: private keys, CSRs, and the first certificate
of each file (a bundle's leaf). Usage: spki.py PASSFILE FILE... ; prints one JSON object.
"""
import hashlib
import json
import re
import sys
import time

T_START = time.perf_counter()

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402

T_IMPORTED = time.perf_counter()

PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 #]+)-----.*?-----END \1-----", re.S)
# node:crypto (and so certbench) does not run OpenSSL's RSA key consistency check (tens of ms per key);
# skip it here too so both sides do the same work. pkcs12.load_key_and_certificates offers no such switch.
NO_RSA_CHECK = {"unsafe_skip_rsa_key_validation": True}
SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def spki_hash(public_key):
    return hashlib.sha256(public_key.public_bytes(*SPKI)).hexdigest()


def read_pem(data, password):
    items = []
    seen_cert = False
    for m in PEM_RE.finditer(data):
        label = m.group(1)
        block = m.group(0)
        if label in (b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"):
            if not seen_cert:
                seen_cert = True
                items.append(("certificate", spki_hash(x509.load_pem_x509_certificate(block).public_key())))
        elif label in (b"CERTIFICATE REQUEST", b"NEW CERTIFICATE REQUEST"):
            items.append(("csr", spki_hash(x509.load_pem_x509_csr(block).public_key())))
        elif label.endswith(b"PRIVATE KEY"):
            encrypted = label == b"ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in block
            key = serialization.load_pem_private_key(block, password if encrypted else None, **NO_RSA_CHECK)
            items.append(("private-key", spki_hash(key.public_key())))
    return items


def read_der(data, password):
    # PKCS#12 first (SEQUENCE { INTEGER 3, ... }), then the DER forms in the order certbench tries them.
    if data[4:7] == b"\x02\x01\x03" or data[2:5] == b"\x02\x01\x03" or data[3:6] == b"\x02\x01\x03":
        try:
            key, cert, _extra = pkcs12.load_key_and_certificates(data, password)
            items = []
            if key is not None:
                items.append(("private-key", spki_hash(key.public_key())))
            if cert is not None:
                items.append(("certificate", spki_hash(cert.public_key())))
            return items
        except ValueError:
            pass
    try:
        return [("certificate", spki_hash(x509.load_der_x509_certificate(data).public_key()))]
    except ValueError:
        pass
    try:
        return [("csr", spki_hash(x509.load_der_x509_csr(data).public_key()))]
    except ValueError:
        pass
    try:
        key = serialization.load_der_private_key(data, None, **NO_RSA_CHECK)
    except TypeError:
        # "Password was not given but private key is encrypted"
        key = serialization.load_der_private_key(data, password, **NO_RSA_CHECK)
    return [("private-key", spki_hash(key.public_key()))]


def main():
    password = open(sys.argv[1], "rb").read().split(b"\n")[0]
    out = []
    t0 = time.perf_counter()
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        items = read_pem(data, password) if b"-----BEGIN " in data else read_der(data, password)
        out.append({"file": path, "items": [{"kind": k, "spkiSha256": h} for k, h in items]})
    t1 = time.perf_counter()
    json.dump({
        "files": out,
        "importMs": (T_IMPORTED - T_START) * 1000,
        "workMs": (t1 - t0) * 1000,
    }, sys.stdout)


main()
