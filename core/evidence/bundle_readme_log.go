package evidence

// readmeLogRecipe is the command block of step 3 of the bundle README: a
// standard-library Python recipe and an openssl command that check the
// hash chain, the Merkle proofs and the checkpoint. The recipe is a
// second, independent implementation of core.ChainHash, tlog's RFC 6962
// tree and the signed note: the README test runs it against real bundles.
// Its messages stay in English in every language, like the tools' own.
const readmeLogRecipe = `python3 - <<'PY'
import base64, hashlib, json, struct, sys
H = lambda b: hashlib.sha256(b).digest()
fail = lambda msg: sys.exit("FAILED: " + msg)
records = {}
for ev in json.load(open("events.json", encoding="utf-8"))["Evidences"]:
    r = ev["LogRecord"]
    seq, prev, h = r["Seq"], bytes.fromhex(r["PrevHash"]), bytes.fromhex(r["Hash"])
    canon = r["CanonicalEvent"].encode("utf-8")
    if H(b"lre-event-v1\x00" + struct.pack(">Q", seq) + prev + canon) != h:
        fail("record %d: its bytes do not hash to its Hash" % seq)
    if seq - 1 in records and records[seq - 1] != prev:
        fail("record %d does not link to record %d" % (seq, seq - 1))
    event = json.loads(canon)
    if event["uri"] != ev["EventURI"] or event["time"] != ev["EventTime"]:
        fail("record %d is shown as another event than the hashed one" % seq)
    records[seq] = h
note = open("checkpoint.txt", "rb").read()
text, sigs = note.split(b"\n\n", 1)
text += b"\n"
origin, size, root = text.decode().splitlines()[:3]
size, root = int(size), base64.b64decode(root)
name, keyid, key = open("log-key.txt").read().strip().split("+", 2)
key = base64.b64decode(key)
if key[0] != 1 or H(name.encode() + b"\n" + key)[:4].hex() != keyid or origin != name:
    fail("log-key.txt is not the key of this log")
for line in sigs.decode().splitlines():
    who, sig = line.split(" ")[1:3]
    sig = base64.b64decode(sig)
    if who == name and sig[:4].hex() == keyid:
        break
else:
    fail("checkpoint.txt has no signature by log-key.txt")
proofs = json.load(open("proofs.json"))
if proofs["checkpoint_size"] != size:
    fail("proofs.json is for another checkpoint")
for p in proofs["inclusion"]:
    seq = p["seq"]
    fn, sn, r = p["leaf_index"], size - 1, H(b"\x00" + records[seq])
    if fn != seq - 1 or fn > sn or r.hex() != p["leaf_hash"]:
        fail("record %d: wrong leaf" % seq)
    for sibling in map(bytes.fromhex, p["hashes"]):
        if sn == 0:
            fail("record %d: proof too long" % seq)
        if fn & 1 or fn == sn:
            r = H(b"\x01" + sibling + r)
            while fn & 1 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = H(b"\x01" + r + sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        fail("record %d is not in the checkpoint's tree" % seq)
if set(records) != {p["seq"] for p in proofs["inclusion"]}:
    fail("not every record has its inclusion proof")
open("checkpoint-text.txt", "wb").write(text)
open("checkpoint-sig.bin", "wb").write(sig[4:])
der = bytes.fromhex("302a300506032b6570032100") + key[1:]
open("log-key.pem", "w").write("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n")
print("chain and proofs OK: %d record(s), each in the tree of %d records whose root checkpoint.txt signs" % (len(records), size))
PY
openssl pkeyutl -verify -pubin -inkey log-key.pem -rawin -in checkpoint-text.txt -sigfile checkpoint-sig.bin
`

// readmeTrustCommands print the keys the reader compares with the ones the
// provider publishes.
const readmeTrustCommands = `openssl x509 -in seal-root.pem -noout -subject -fingerprint -sha256
cat log-key.txt
`

// readmeCertificateCommands check the seal of every certificate with pdfsig.
// They read its report from here-strings, not pipes from echo: under
// pipefail, a grep -q that stops at its first match made echo die of
// SIGPIPE and the check fail on a good certificate, now and then.
const readmeCertificateCommands = `mkdir -p nss && certutil -N -d sql:nss --empty-password
certutil -A -d sql:nss -n lre-seal-root -t "C,C," -i seal-root.pem
for f in certificates/*.pdf; do
  out=$(pdfsig -nssdir sql:nss "$f"); echo "$out"
  grep -q "Signature is Valid." <<<"$out" && grep -q "Certificate is Trusted." <<<"$out" &&
    ! grep -q "Digest Mismatch" <<<"$out" &&
    grep "document signed" <<<"$out" | tail -n 1 | grep -q "Total document signed" ||
    { echo "FAILED: $f is not sealed as issued"; false; }
done
`
