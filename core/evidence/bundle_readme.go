package evidence

import (
	"fmt"
	"strings"

	"github.com/lre-project/lre/core"
)

// The bundle's README.txt is a procedure a stranger follows literally: each
// ```sh block runs as written, with bash, from the unzipped directory, and
// fails (non-zero status) when what it checks is wrong. A test runs every
// block of a real bundle, then again on tampered copies. The prose around
// them specifies each format exactly enough to reimplement the checks.

func bundleReadme(p bundleParts, prov core.Provider) []byte {
	var b strings.Builder
	kind := "a NON-QUALIFIED electronic registered delivery service (eIDAS art. 43)"
	if prov.Qualified {
		kind = "a qualified electronic registered delivery service (eIDAS art. 44)"
	}
	fmt.Fprintf(&b, "Evidence bundle of registered letter %s\nIssued by %s, %s.\n\n", p.notice.ID, prov.Name, kind)
	b.WriteString(readmeIntro)
	readmeDocuments(&b, p)
	readmeTokens(&b, p)
	readmeArchive(&b, p)
	b.WriteString(readmeLog)
	readmeETSI(&b, p)
	readmeCertificates(&b, p)
	b.WriteString(readmeAllAtOnce)
	return []byte(b.String())
}

const readmeIntro = `How to use this file
====================

Unzip the bundle, then run each block marked ` + "```sh" + ` below with bash, in
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

` + "```sh" + `
openssl x509 -in seal-root.pem -noout -subject -fingerprint -sha256
cat log-key.txt
` + "```" + `

`

// readmeDocuments lists the manifest and every retained document with the
// digest the manifest records, for sha256sum -c.
func readmeDocuments(b *strings.Builder, p bundleParts) {
	b.WriteString(`1. The letter
=============

manifest.json is the deposit: parties, subject and the SHA-256 of the body
and of every document (fields body.sha256 and documents[].sha256, lowercase
hex). Its own SHA-256 is the deposit digest, which deposit.tsr time-stamps
(step 2) and the SubmissionAcceptance event records (deposit_digest). The
documents still retained are under documents/; sha256sum compares each with
the digest the manifest records:

` + "```sh\n")
	fmt.Fprintf(b, "printf '%%s  %%s\\n' %s  manifest.json", p.notice.Digest)
	purged := 0
	for _, d := range p.docs {
		if d.Path == "" {
			purged++
			continue
		}
		fmt.Fprintf(b, " \\\n  %s %s", d.SHA256, shellQuote(d.Path))
	}
	b.WriteString(" | sha256sum --strict -c -\n```\n\n")
	if purged > 0 {
		fmt.Fprintf(b, "%d document(s) are not included: their content was deleted at the end of\nits retention period. Their digests remain in manifest.json.\n\n", purged)
	}
}

// shellQuote quotes s for bash: single quotes, each ' written as '\”.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func readmeTokens(b *strings.Builder, p bundleParts) {
	dep, cp := p.notice.Token.Time.UTC(), p.checkpoint.Token.Time.UTC()
	fmt.Fprintf(b, `2. The time-stamps
==================

deposit.tsr is an RFC 3161 TimeStampResp (DER) over SHA-256 of the whole
manifest.json file; checkpoint.tsr one over SHA-256 of the whole
checkpoint.txt file (every byte: the checkpoint text, the blank line, the
signature lines and the final newline). tsa-chain.pem is the authority's
certificate chain.

`+"```sh"+`
openssl ts -verify -data manifest.json -in deposit.tsr -CAfile tsa-chain.pem -attime %d
openssl ts -verify -data checkpoint.txt -in checkpoint.tsr -CAfile tsa-chain.pem -attime %d
`+"```"+`

Each prints "Verification: OK". -attime N checks the certificates as they
were at N seconds after 1970-01-01 UTC: here the time each token was
issued (%s and %s; `+"`date -u -d @N`"+` shows it). Without it openssl
checks them as of today, and fails once the authority's certificate has
expired ("certificate has expired"), although the token was made while it
was valid: what a time-stamp proves is that the data existed at its time,
signed by a certificate valid then. What -attime cannot prove is that the
authority's key stayed unbroken since: that is what the newer time-stamps
the provider adds before a certificate's end are for.

`, dep.Unix(), cp.Unix(), dep.Format("2006-01-02T15:04:05Z"), cp.Format("2006-01-02T15:04:05Z"))
}

func readmeETSI(b *strings.Builder, p bundleParts) {
	if len(p.etsi) == 0 {
		return
	}
	b.WriteString(`4. The ETSI evidence
====================

etsi/<seq>-<EventName>.json is the evidence of each event in the format of
ETSI EN 319 522-3 (JSON, version "` + ETSIVersion + `"): event URI and time,
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

`)
}

func readmeCertificates(b *strings.Builder, p bundleParts) {
	if len(p.certs) == 0 {
		return
	}
	b.WriteString(`5. The certificates
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

` + "```sh" + `
mkdir -p nss && certutil -N -d sql:nss --empty-password
certutil -A -d sql:nss -n lre-seal-root -t "C,C," -i seal-root.pem
for f in certificates/*.pdf; do
  out=$(pdfsig -nssdir sql:nss "$f"); echo "$out"
  echo "$out" | grep -q "Signature is Valid." && echo "$out" | grep -q "Certificate is Trusted." &&
    ! echo "$out" | grep -q "Digest Mismatch" &&
    echo "$out" | grep "document signed" | tail -n 1 | grep -q "Total document signed" ||
    { echo "FAILED: $f is not sealed as issued"; false; }
done
` + "```" + `

pdfdetach -saveall certificates/<kind>.pdf extracts what each certificate
carries (timestamp.tsr, manifest.json, events.json, etsi-*.json and
checkpoint.txt): the same files as this bundle's, checked the same way.

`)
}

const readmeAllAtOnce = `All at once
===========

lre verify runs every check above, plus the consistency proof, in one
report (go run github.com/lre-project/lre/cmd/lre@latest verify ...):

    lre verify evidence.zip
    lre verify evidence.zip --checkpoint an-earlier-checkpoint.txt

To compare with a checkpoint you saved earlier, download the bundle with
?consistency_from=<that checkpoint's size> so that proofs.json carries the
consistency proof (RFC 6962 section 2.1.2, "consistency": from, to, hashes).
`
