package benchref

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

// OpenSSLTSA is a stand-in for an external time-stamping authority: each
// request runs `openssl ts -reply` with the embedded authority's key and
// certificate, at most slots at a time (one serial file each).
type OpenSSLTSA struct {
	configs chan string
}

// NewOpenSSLTSA writes one openssl configuration per slot in workDir, for
// the key pair that rfc3161.LoadOrCreateAuthority keeps in authorityDir
// (tsa.key, tsa.pem, root.pem). It fails when openssl is not installed.
func NewOpenSSLTSA(authorityDir, workDir string, slots int) (*OpenSSLTSA, error) {
	if _, err := exec.LookPath("openssl"); err != nil {
		return nil, fmt.Errorf("openssl time-stamping authority: %w", err)
	}
	t := &OpenSSLTSA{configs: make(chan string, slots)}
	for i := range slots {
		serial := filepath.Join(workDir, fmt.Sprintf("tsa-serial-%d", i))
		if err := os.WriteFile(serial, fmt.Appendf(nil, "%02x00000001\n", i+1), 0o600); err != nil {
			return nil, err
		}
		conf := filepath.Join(workDir, fmt.Sprintf("tsa-%d.cnf", i))
		if err := os.WriteFile(conf, []byte(opensslConfig(authorityDir, serial)), 0o600); err != nil {
			return nil, err
		}
		t.configs <- conf
	}
	return t, nil
}

func opensslConfig(authorityDir, serial string) string {
	return fmt.Sprintf(`[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = %s
crypto_device = builtin
signer_cert = %s
certs = %s
signer_key = %s
signer_digest = sha256
default_policy = 1.3.6.1.4.1.32473.3161.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`, serial, filepath.Join(authorityDir, "tsa.pem"), filepath.Join(authorityDir, "root.pem"), filepath.Join(authorityDir, "tsa.key"))
}

func (t *OpenSSLTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	var conf string
	select {
	case conf = <-t.configs:
	case <-r.Context().Done():
		return
	}
	defer func() { t.configs <- conf }()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(r.Context(), "openssl", "ts", "-reply", "-config", conf, "-queryfile", "/dev/stdin", "-out", "/dev/stdout")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(query), &out, &errb
	if err := cmd.Run(); err != nil {
		fail(w, http.StatusInternalServerError, fmt.Errorf("openssl ts -reply: %v: %s", err, errb.Bytes()))
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(out.Bytes())
}
