"""Verifies the signatures of SNS messages as AWS documents it ("Verifying
the signatures of Amazon SNS messages"), independently of Vigil's code,
fetching each SigningCertURL over HTTPS with only the given authority
trusted, and checking the signature with the `cryptography` package or
with the openssl command.

Usage: sns_verify_tls.py BACKEND CA.pem CERT_HOST MESSAGE.json...

BACKEND is cryptography or openssl. CERT_HOST is the host:port a
SigningCertURL must name (AWS's procedure checks that the certificate
comes from SNS itself: for Vigil that is Vigil's address, not
sns.<region>.amazonaws.com).

Prints one JSON line per message: {"file": ..., "valid": true|false,
"reason": ...}; exits 0 when every signature is valid, 1 when one is not,
2 when a message or its certificate cannot be checked at all.
"""
import base64
import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

# The members signed, in the order AWS lists them, by message type: a
# Notification's Subject only when the message has one.
SIGNED = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    "UnsubscribeConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
}

# SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA.
DIGESTS = {"1": "sha1", "2": "sha256"}


class Unverifiable(Exception):
    """A message or certificate that cannot be checked at all."""


def string_to_sign(msg):
    """The canonical string: each signed member present, as its name, a
    newline, its value and a newline."""
    names = SIGNED.get(msg.get("Type"))
    if names is None:
        raise Unverifiable("unknown message Type %r" % msg.get("Type"))
    out = []
    for name in names:
        if name not in msg or (name == "Subject" and msg[name] is None):
            if name == "Subject":
                continue
            raise Unverifiable("the %s lacks %s" % (msg["Type"], name))
        if not isinstance(msg[name], str):
            raise Unverifiable("%s is not a string: %r" % (name, msg[name]))
        out.append(name + "\n" + msg[name] + "\n")
    return "".join(out).encode("utf-8")


class Certificates:
    """Fetches each SigningCertURL once, over HTTPS, trusting only ca."""

    def __init__(self, ca, host):
        self.context = ssl.create_default_context(cafile=ca)
        self.host = host
        self.pems = {}

    def get(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" or parts.netloc != self.host or not parts.path.endswith(".pem"):
            raise Unverifiable("SigningCertURL %s is not an HTTPS .pem of %s" % (url, self.host))
        if url not in self.pems:
            with urllib.request.urlopen(url, timeout=10, context=self.context) as resp:
                if resp.status != 200:
                    raise Unverifiable("GET %s = %d" % (url, resp.status))
                self.pems[url] = resp.read()
        return self.pems[url]


def verify_cryptography(pem, digest, signature, data):
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = x509.load_pem_x509_certificate(pem).public_key()
    try:
        key.verify(signature, data, padding.PKCS1v15(), {"sha1": hashes.SHA1, "sha256": hashes.SHA256}[digest]())
        return True
    except InvalidSignature:
        return False


def verify_openssl(pem, digest, signature, data):
    with tempfile.TemporaryDirectory() as d:
        paths = {name: os.path.join(d, name) for name in ("cert.pem", "key.pem", "sig", "data")}
        for name, content in (("cert.pem", pem), ("sig", signature), ("data", data)):
            with open(paths[name], "wb") as f:
                f.write(content)
        key = subprocess.run(["openssl", "x509", "-in", paths["cert.pem"], "-pubkey", "-noout"], capture_output=True)
        if key.returncode != 0:
            raise Unverifiable("openssl x509: %s" % key.stderr.decode())
        with open(paths["key.pem"], "wb") as f:
            f.write(key.stdout)
        out = subprocess.run(["openssl", "dgst", "-" + digest, "-verify", paths["key.pem"], "-signature", paths["sig"], paths["data"]],
                             capture_output=True)
        if out.returncode == 0 and b"Verified OK" in out.stdout:
            return True
        if b"Verification failure" in out.stdout + out.stderr:
            return False
        raise Unverifiable("openssl dgst: %s %s" % (out.stdout.decode(), out.stderr.decode()))


BACKENDS = {"cryptography": verify_cryptography, "openssl": verify_openssl}


def check(path, certs, verify):
    with open(path, "rb") as f:
        msg = json.load(f)
    digest = DIGESTS.get(msg.get("SignatureVersion"))
    if digest is None:
        raise Unverifiable("unknown SignatureVersion %r" % msg.get("SignatureVersion"))
    data = string_to_sign(msg)
    try:
        signature = base64.b64decode(msg["Signature"], validate=True)
    except Exception as e:  # noqa: BLE001 - any decoding failure leaves nothing to check
        raise Unverifiable("Signature is not Base64: %s" % e)
    if verify(certs.get(msg["SigningCertURL"]), digest, signature, data):
        return True, "SignatureVersion %s %s" % (msg["SignatureVersion"], msg["Type"])
    return False, "invalid SignatureVersion %s signature over %r" % (msg["SignatureVersion"], data)


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in BACKENDS:
        sys.exit(__doc__)
    certs = Certificates(sys.argv[2], sys.argv[3])
    status = 0
    for path in sys.argv[4:]:
        try:
            valid, reason = check(path, certs, BACKENDS[sys.argv[1]])
        except Unverifiable as e:
            print(json.dumps({"file": path, "valid": False, "reason": str(e)}))
            sys.exit(2)
        print(json.dumps({"file": path, "valid": valid, "reason": reason}))
        if not valid:
            status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
