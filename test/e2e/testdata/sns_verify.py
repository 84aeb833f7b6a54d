"""Verifies the signature of a message SNS delivered to an HTTP(S)
endpoint, as AWS documents it ("Verifying the signatures of Amazon SNS
messages"), independently of Vigil's own code: it uses only the message's
JSON, the certificate its SigningCertURL serves and the `cryptography`
package.

Usage: sns_verify.py MESSAGE.json CERT_HOST

CERT_HOST is the host:port the SigningCertURL must point at (AWS's
procedure checks that the certificate comes from SNS itself; for Vigil
that is Vigil's address, not sns.<region>.amazonaws.com).

Exit status: 0 when the signature is valid, 1 when it is not (the message
was altered, or signed with another key or algorithm), 2 when the message
or its certificate cannot be checked at all. The reason is printed.
"""
import base64
import json
import sys
import urllib.parse
import urllib.request

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

# The members signed, in the order AWS lists them, by message type; a
# Notification's Subject is signed only when the message has one.
SIGNED = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    "UnsubscribeConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
}

HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


def fail(status, reason):
    print(reason)
    sys.exit(status)


def string_to_sign(msg):
    """Builds the canonical string: each signed member present, as its
    name, a newline, its value and a newline."""
    names = SIGNED.get(msg.get("Type"))
    if names is None:
        fail(2, "unknown message Type %r" % msg.get("Type"))
    out = []
    for name in names:
        if name not in msg:
            if name == "Subject":
                continue
            fail(2, "the %s lacks %s" % (msg["Type"], name))
        value = msg[name]
        if name == "Subject" and value is None:
            continue
        if not isinstance(value, str):
            fail(2, "%s is not a string: %r" % (name, value))
        out.append(name + "\n" + value + "\n")
    return "".join(out).encode("utf-8")


def certificate(url, host):
    parts = urllib.parse.urlsplit(url)
    if parts.netloc != host or not parts.path.endswith(".pem"):
        fail(2, "SigningCertURL %s is not a .pem of %s" % (url, host))
    with urllib.request.urlopen(url, timeout=10) as resp:
        if resp.status != 200:
            fail(2, "GET %s = %d" % (url, resp.status))
        pem = resp.read()
    return x509.load_pem_x509_certificate(pem)


def main():
    if len(sys.argv) != 3:
        fail(2, __doc__)
    with open(sys.argv[1], "rb") as f:
        msg = json.load(f)
    version = msg.get("SignatureVersion")
    if version not in HASHES:
        fail(2, "unknown SignatureVersion %r" % version)
    data = string_to_sign(msg)
    try:
        signature = base64.b64decode(msg["Signature"], validate=True)
    except Exception as e:  # noqa: BLE001 - any decoding failure is a bad message
        fail(2, "Signature is not Base64: %s" % e)
    cert = certificate(msg["SigningCertURL"], sys.argv[2])
    try:
        cert.public_key().verify(signature, data, padding.PKCS1v15(), HASHES[version]())
    except InvalidSignature:
        fail(1, "invalid signature (SignatureVersion %s) over %r" % (version, data))
    print("valid: SignatureVersion %s, %s, certificate %s" % (version, msg["Type"], cert.subject.rfc4514_string()))


if __name__ == "__main__":
    main()
