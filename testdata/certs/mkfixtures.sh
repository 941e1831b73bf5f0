#!/bin/sh
# Rebuilds the RFC 3161 fixtures of the certs tests with openssl alone:
#   tsa-root.pem / tsa-root-key.pem  a test time-stamping root CA (P-256)
#   tsa.pem / tsa-key.pem            its time-stamping unit (critical EKU timeStamping)
#   deposit.tsr                      a TimeStampResp over SHA-256(manifest.json)
# manifest.json is written by `go test ./certs -update` (it is core.Manifest
# of the test letter); run this script after it changes:
#   go test ./certs -run TestFixtures -update && sh testdata/certs/mkfixtures.sh
# The keys are test keys, published on purpose.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f tsa-root.pem ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/root.key"
  openssl pkcs8 -topk8 -nocrypt -in "$tmp/root.key" -out tsa-root-key.pem
  openssl req -x509 -new -key tsa-root-key.pem -sha256 -days 10950 \
    -subj "/O=LRE test/CN=LRE Test TSA Root" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out tsa-root.pem
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/tsa.key"
  openssl pkcs8 -topk8 -nocrypt -in "$tmp/tsa.key" -out tsa-key.pem
  openssl req -new -key tsa-key.pem -subj "/O=LRE test/CN=LRE Test TSA" -out "$tmp/tsa.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n' >"$tmp/ext"
  openssl x509 -req -in "$tmp/tsa.csr" -CA tsa-root.pem -CAkey tsa-root-key.pem \
    -set_serial 2 -days 10950 -sha256 -extfile "$tmp/ext" -out tsa.pem
fi

cat >"$tmp/ts.cnf" <<CNF
[ tsa ]
default_tsa = lre
[ lre ]
serial = $tmp/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
echo 2A >"$tmp/serial"
openssl ts -query -data manifest.json -sha256 -cert -out "$tmp/q.tsq"
openssl ts -reply -config "$tmp/ts.cnf" -queryfile "$tmp/q.tsq" -signer tsa.pem \
  -inkey tsa-key.pem -chain tsa-root.pem -out deposit.tsr
openssl ts -verify -in deposit.tsr -data manifest.json -CAfile tsa-root.pem -untrusted tsa.pem
