#!/usr/bin/python3
"""Check ETSI EN 319 522-3 evidence files with tools lre did not write.

Usage: verify_evidence.py SCHEMA EVIDENCE.json...

For each file: validate it with python3-jsonschema against the schema's root
and against its stricter definitions/Evidence (Draft 7, as the schema
declares, with format checks), then verify its JAdES signature with
python3-jwcrypto: the detached compact JWS `protected..signature` over the
header, signed by the key of x5c[0], whose sigD references this evidence
(urn:lre:evidence:<EvidenceIdentifier>) with the SHA-256 of the evidence
without jadesSignature in RFC 8785 form, which for lre's evidence (integers
only) is json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False).
Prints one "OK <file> <event URI>" line per file; exits 1 at the first failure.
"""

import base64
import hashlib
import json
import re
import sys

import jsonschema
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from jwcrypto import jwk, jws
from jwcrypto.common import JWSEHeaderParameter

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def format_checker():
    fc = jsonschema.FormatChecker(jsonschema.draft7_format_checker.checkers.keys())
    fc.checks("date-time")(lambda v: not isinstance(v, str) or bool(RFC3339.match(v)))
    return fc


def validate(schema, doc):
    fc = format_checker()
    jsonschema.Draft7Validator(schema, format_checker=fc).validate(doc)
    strict = {"$ref": "#/definitions/Evidence", "definitions": schema["definitions"]}
    jsonschema.Draft7Validator(strict, format_checker=fc).validate(doc)


def check_issued_by(cert, issuer):
    pub = issuer.public_key()
    if isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(pub, rsa.RSAPublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
    else:
        raise ValueError("unsupported issuer key")


def verify_signature(doc):
    compact = doc["jadesSignature"]["compactDetached"]
    header = json.loads(b64url_decode(compact["protected"]))
    if header.get("crit") != ["sigT", "sigD"]:
        raise ValueError("crit is %r" % header.get("crit"))
    if not RFC3339.match(header["sigT"]):
        raise ValueError("sigT %r is not a date-time" % header["sigT"])
    chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    if header["x5t#S256"] != b64url(hashlib.sha256(base64.b64decode(header["x5c"][0])).digest()):
        raise ValueError("x5t#S256 is not x5c[0]'s thumbprint")
    for cert, issuer in zip(chain, chain[1:]):
        check_issued_by(cert, issuer)
    key = jwk.JWK.from_pyca(chain[0].public_key())
    registry = {
        "sigT": JWSEHeaderParameter("Claimed signing time", False, True, None),
        "sigD": JWSEHeaderParameter("Signed data objects", False, True, None),
    }
    token = jws.JWS(header_registry=registry)
    token.deserialize(compact["protected"] + ".." + compact["signature"])
    token.verify(key)
    signed = {k: v for k, v in doc.items() if k != "jadesSignature"}
    canonical = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    sigd = header["sigD"]
    if sigd["mId"] != "http://uri.etsi.org/19182/ObjectIdByURIHash" or sigd["hashM"] != "S256":
        raise ValueError("sigD mechanism %r / %r" % (sigd["mId"], sigd["hashM"]))
    if sigd["pars"] != ["urn:lre:evidence:" + doc["EvidenceIdentifier"]]:
        raise ValueError("sigD references %r" % sigd["pars"])
    if sigd["hashV"] != [b64url(hashlib.sha256(canonical).digest())]:
        raise ValueError("sigD hashV is not the SHA-256 of the evidence")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    for path in sys.argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            validate(schema, doc)
            verify_signature(doc)
        except Exception as e:  # report which file and why, then fail
            print("FAIL %s: %s: %s" % (path, type(e).__name__, e))
            sys.exit(1)
        print("OK %s %s" % (path, doc["ERDSEventId"]))


if __name__ == "__main__":
    main()
