package evidence

// readmeEN is the bundle README in English.
var readmeEN = readmeText{
	title:        "Evidence bundle of registered letter %s\nIssued by %s, %s.\n\n",
	qualified:    "a qualified electronic registered delivery service (eIDAS art. 44)",
	nonQualified: "a NON-QUALIFIED electronic registered delivery service (eIDAS art. 43)",
	purged:       "%d document(s) are not included: their content was deleted at the end of\nits retention period. Their digests remain in manifest.json.\n\n",
	archiveAfter: "The newest archive token was granted %s. To check the chain as of a\nlater date D, run its line with -attime $(date -u -d D +%%s): it passes as\nlong as that token's certificate is valid at D; lre verify evidence.zip\n--at D applies the same rule to every token of the bundle.\n\n",
	intro: `How to use this file
====================

Unzip the bundle, then run each block marked ` + "```" + `sh below with bash, in
order, from the unzipped directory: they run as written. They need openssl 3,
sha256sum (coreutils), python3 (its standard library only), certutil (NSS
tools) and pdfsig (poppler); on Debian:

    apt-get install openssl coreutils python3 libnss3-tools poppler-utils

Each block prints what it checked and fails (exit status not 0, a line
saying what is wrong) when the check fails. Nothing needs a network.

Trust: the certificates and the key this bundle carries (tsa-chain.pem,
seal.pem, seal-root.pem, log-key.txt) prove integrity, not authorship.
Compare them with the ones the provider publishes (/api/v1/tsa/certs.pem,
/api/v1/seal/certs.pem, /api/v1/log/key) before relying on them:

`,
	documents: `1. The letter
=============

manifest.json is the deposit: parties, subject and the SHA-256 of the body
and of every document (fields body.sha256 and documents[].sha256, lowercase
hex). Its own SHA-256 is the deposit digest, which deposit.tsr time-stamps
(step 2) and the SubmissionAcceptance event records (deposit_digest). The
documents still retained are under documents/; sha256sum compares each with
the digest the manifest records:

`,
	tokens: `2. The time-stamps
==================

deposit.tsr is an RFC 3161 TimeStampResp (DER) over SHA-256 of the whole
manifest.json file; checkpoint.tsr one over SHA-256 of the whole
checkpoint.txt file (every byte: the checkpoint text, the blank line, the
signature lines and the final newline). tsa-chain.pem is the authority's
certificate chain.

`,
	tokensAfter: `
Each prints "Verification: OK". -attime N checks the certificates as they
were at N seconds after 1970-01-01 UTC: here the time each token was
issued (%s and %s; ` + "`" + `date -u -d @N` + "`" + ` shows it). Without it openssl
checks them as of today, and fails once the authority's certificate has
expired ("certificate has expired"), although the token was made while it
was valid: what a time-stamp proves is that the data existed at its time,
signed by a certificate valid then. What -attime cannot prove is that the
authority's key stayed unbroken since: that is what the newer time-stamps
the provider adds before a certificate's end are for.

`,
	archive: `2b. The archive tokens
=====================

Before the authority's certificate that signed checkpoint.tsr ended, the
provider added %d archive token(s): checkpoint-archive-<k>.tsr (k from 1),
each an RFC 3161 TimeStampResp (DER) over SHA-256 of checkpoint.txt
followed by checkpoint.tsr and every archive token before k, the files'
bytes concatenated without separators. Each token is checked as of the time
of the next one (it only had to be valid until something newer covered
it), the newest as of its own time:

`,
	log: `3. The evidence log: chain, proofs, checkpoint
=============================================

Every event is a record of one append-only log shared by all letters.
events.json holds this letter's records, in log order, under
Evidences[i].LogRecord:

- Seq: the record's number in the whole log (1, 2, ...; other letters'
  records sit between this letter's);
- PrevHash, Hash: 32-byte SHA-256 values, written as lowercase hex;
- CanonicalEvent: a JSON string whose value is the event's canonical bytes.
  Decode the string (json.loads) and encode the result as UTF-8: those are
  the hashed bytes, never re-serialised. They are a JSON object with, in
  this order, type (the ETSI EN 319 522 event name), uri, notice_id, time
  (RFC 3339, UTC) and details (string values, keys sorted; absent when
  empty).

  Hash = SHA-256( the 13 ASCII bytes "lre-event-v1", one 0x00 byte,
                  Seq as 8 bytes big-endian,
                  PrevHash as its 32 raw bytes (hex-decoded),
                  the canonical event bytes )

PrevHash is the Hash of record Seq-1 (32 zero bytes for record 1), so
consecutive records of this letter must link. Each record is also leaf
Seq-1 (0-based) of an RFC 6962 Merkle tree over the whole log, whose leaf
data is the record's 32-byte Hash:

  leaf hash = SHA-256(0x00 || Hash)        node = SHA-256(0x01 || left || right)

checkpoint.txt is a signed note (c2sp.org/tlog-checkpoint, c2sp.org/signed-note):
three lines, each ending in "\n": the log's origin, the tree size in
decimal, and the tree's root hash in standard base64; then an empty line;
then signature lines "— <key name> <base64(4-byte key id || 64-byte
Ed25519 signature)>" (the line starts with U+2014, an em dash). The
signature covers the three lines (with their newlines) and nothing else.
log-key.txt is the log's public key as "<name>+<key id, 8 hex digits>+<base64(0x01 || 32-byte Ed25519 key)>",
where key id = the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key).
proofs.json holds, for each record, "inclusion": seq, leaf_index (= seq-1),
leaf_hash and hashes (hex): the RFC 6962 audit path from the leaf to the
checkpoint's root, lowest sibling first, checked as RFC 9162 section
2.1.3.2 says.

This recipe recomputes every hash, link and proof and checks the
checkpoint's key id; it then writes the checkpoint's signed text, its
signature and the key as files for openssl:

`,
	logAfter: `
openssl prints "Signature Verified Successfully": the log's key signed this
tree of all records.

`,
	etsi: `4. The ETSI evidence
====================

etsi/<seq>-<EventName>.json is the evidence of each event in the format of
ETSI EN 319 522-3 (JSON, version "%s"): event URI and time,
sender and recipient with the assurance level and authentication method
recorded for each (eIDAS LoA URIs; absent before the recipient was
identified), reasons of negative events, submission time, message
identifier, each part's SHA-256, and in Extensions the log record it
restates (LogSeq, LogHash: the record's Hash of step 3). jadesSignature is
the provider's JAdES seal (ETSI TS 119 182-1), compact and detached:

- protected: base64url of a JSON header with alg (ES256 for the embedded
  seal), x5t#S256, x5c (the seal's chain, signer first, base64 DER), sigT
  (signing time, UTC), sigD and crit ["sigT","sigD"];
- sigD references the evidence by URI and hash: mId
  http://uri.etsi.org/19182/ObjectIdByURIHash, pars
  ["urn:lre:evidence:" + EvidenceIdentifier], hashM "S256", hashV
  [base64url SHA-256 of the evidence without its jadesSignature member, in
  the JSON canonical form of RFC 8785 (for this content, integers only:
  python3 json.dumps(v, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False) encoded as UTF-8)];
- the JWS payload is empty: the JWS is protected + ".." + signature, and
  its signature (ECDSA P-256 over SHA-256, r || s) covers the ASCII bytes
  protected + "." only.

A JOSE library checks the signature (python3-jwcrypto: register sigT and
sigD as understood headers); the hash then ties it to the file. lre verify
also rebuilds each evidence from manifest.json and the event it restates
and requires the same bytes.

`,
	certificates: `5. The certificates
===================

Each PDF under certificates/ is sealed (PAdES) by the certificate in
seal.pem, issued by the root in seal-root.pem. pdfsig trusts only the roots
of an NSS database: create one in ./nss that trusts seal-root.pem for
signed documents (C,C,), then check each PDF. pdfsig exits 0 even on a bad
signature, so the loop reads its report: the seal must say "Signature is
Valid." and "Certificate is Trusted.", nothing may say "Digest Mismatch",
and the newest signature must say "Total document signed" (anything
appended after it says "Not total document signed"). A certificate the
provider refreshed before its authority's certificate ended carries one
more document time-stamp per refresh, each with the validation data of its
day (a DSS update): pdfsig lists them after the seal, and the newest covers
the whole file. lre verify --at DATE checks that each time-stamp's
certificate was valid when the next one was made, and the newest one's at
DATE.

`,
	certificatesAfter: `
pdfdetach -saveall certificates/<kind>.pdf extracts what each certificate
carries (timestamp.tsr, manifest.json, events.json, etsi-*.json and
checkpoint.txt): the same files as this bundle's, checked the same way.

`,
	allAtOnce: `All at once
===========

lre verify runs every check above, plus the consistency proof, in one
report (go run github.com/lre-project/lre/cmd/lre@latest verify ...):

    lre verify evidence.zip
    lre verify evidence.zip --checkpoint an-earlier-checkpoint.txt

To compare with a checkpoint you saved earlier, download the bundle with
?consistency_from=<that checkpoint's size> so that proofs.json carries the
consistency proof (RFC 6962 section 2.1.2, "consistency": from, to, hashes).
`,
}
