package tlog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ErrCheckpoint means bytes are not a checkpoint of this log: malformed
// (C2SP tlog-checkpoint), signed by another key, or of another origin.
// Show the message to the auditor; nothing is worth retrying.
var ErrCheckpoint = errors.New("tlog: invalid checkpoint")

// maxCheckpointBytes bounds what ParseCheckpoint and OpenCheckpoint read: a
// checkpoint is three short lines plus a few signatures.
const maxCheckpointBytes = 16 << 10

// Checkpoint is the body of a signed checkpoint (c2sp.org/tlog-checkpoint):
// the log's origin, its size and the root hash of the tree of that size.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
}

// Marshal returns the checkpoint body: origin, decimal size and base64 root,
// each followed by a newline. This is the text a note signature covers.
func (c Checkpoint) Marshal() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
}

// ParseCheckpoint decodes a checkpoint body (the text of a note, without
// its signatures). Extension lines after the root are allowed and ignored.
func ParseCheckpoint(body []byte) (Checkpoint, error) {
	if len(body) > maxCheckpointBytes {
		return Checkpoint{}, fmt.Errorf("%w: larger than %d bytes", ErrCheckpoint, maxCheckpointBytes)
	}
	if !bytes.HasSuffix(body, []byte("\n")) {
		return Checkpoint{}, fmt.Errorf("%w: does not end with a newline", ErrCheckpoint)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("%w: %d lines, want origin, size and root hash", ErrCheckpoint, len(lines))
	}
	origin := lines[0]
	if origin == "" || strings.ContainsAny(origin, "\r\t") {
		return Checkpoint{}, fmt.Errorf("%w: empty or malformed origin line", ErrCheckpoint)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || lines[1] != strconv.FormatUint(size, 10) {
		return Checkpoint{}, fmt.Errorf("%w: size %q is not a decimal number", ErrCheckpoint, lines[1])
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return Checkpoint{}, fmt.Errorf("%w: root hash is not %d bytes of base64", ErrCheckpoint, HashSize)
	}
	for _, ext := range lines[3:] {
		if ext == "" {
			return Checkpoint{}, fmt.Errorf("%w: empty extension line", ErrCheckpoint)
		}
	}
	return Checkpoint{Origin: origin, Size: size, Root: root}, nil
}

// OpenCheckpoint verifies a signed checkpoint note with the log's verifier
// key (a note verifier key string) and returns its body. The origin must be
// the key's name, as c2sp.org/tlog-checkpoint recommends. Every error wraps
// ErrCheckpoint.
func OpenCheckpoint(signed []byte, verifierKey string) (Checkpoint, error) {
	if len(signed) > maxCheckpointBytes {
		return Checkpoint{}, fmt.Errorf("%w: larger than %d bytes", ErrCheckpoint, maxCheckpointBytes)
	}
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: log key: %v", ErrCheckpoint, err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: signature: %v", ErrCheckpoint, err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not the key's name %q", ErrCheckpoint, c.Origin, v.Name())
	}
	return c, nil
}

// NoteText returns the text of a signed note, without verifying any
// signature: what comes before the blank line that starts the signatures.
func NoteText(signed []byte) ([]byte, error) {
	i := bytes.Index(signed, []byte("\n\n"))
	if i < 0 {
		return nil, fmt.Errorf("%w: no signature block", ErrCheckpoint)
	}
	return signed[:i+1], nil
}
