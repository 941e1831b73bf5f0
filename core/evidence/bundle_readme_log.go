package evidence

// readmeLog is step 3 of the bundle README: the formats of the hash chain,
// the Merkle proofs and the checkpoint, and a standard-library Python
// recipe and an openssl command that check them. The recipe is a second,
// independent implementation of core.ChainHash, tlog's RFC 6962 tree and
// the signed note: the README test runs it against real bundles.
const readmeLog = `3. The evidence log: chain, proofs, checkpoint
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

` + "```sh" + `
python3 - <<'PY'
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
` + "```" + `

openssl prints "Signature Verified Successfully": the log's key signed this
tree of all records.

`
