package smtp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Quarantine bounds: what an operator reads by hand, and what a flood of
// junk sent to the bounce address must not exceed on disk.
const (
	DefaultQuarantineFiles = 1000
	DefaultQuarantineBytes = 64 << 20
)

// ErrQuarantineFull: the quarantine holds its maximum; the message was not
// kept. The operator should read and delete what is there.
var ErrQuarantineFull = errors.New("quarantine full")

// Quarantine keeps the returned mail that was not applied to any letter
// (not a report, or not tied to the mail sent) for the operator: one .eml
// file per message under Dir, its first line an X-Lre-Kept header saying
// why. It holds at most MaxFiles files and MaxBytes bytes; beyond that new
// messages are refused (ErrQuarantineFull), so that the first ones of a
// flood stay readable.
type Quarantine struct {
	Dir      string
	MaxFiles int              // 0 means DefaultQuarantineFiles
	MaxBytes int64            // 0 means DefaultQuarantineBytes
	Now      func() time.Time // nil means time.Now

	mu sync.Mutex
}

// Keep files raw with reason. Errors: ErrQuarantineFull, or the file system's.
func (q *Quarantine) Keep(raw []byte, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := os.MkdirAll(q.Dir, 0o700); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	files, size, err := q.usage()
	if err != nil {
		return err
	}
	head := "X-Lre-Kept: " + strings.Join(strings.Fields(reason), " ") + "\r\n"
	if files >= q.maxFiles() || size+int64(len(head)+len(raw)) > q.maxBytes() {
		return ErrQuarantineFull
	}
	sum := sha256.Sum256(raw)
	name := q.now().UTC().Format("20060102T150405.000Z") + "-" + hex.EncodeToString(sum[:6]) + ".eml"
	tmp := filepath.Join(q.Dir, "."+name)
	if err := os.WriteFile(tmp, append([]byte(head), raw...), 0o600); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	return os.Rename(tmp, filepath.Join(q.Dir, name))
}

// usage counts the kept messages and their bytes.
func (q *Quarantine) usage() (int, int64, error) {
	entries, err := os.ReadDir(q.Dir)
	if err != nil {
		return 0, 0, fmt.Errorf("quarantine: %w", err)
	}
	n, size := 0, int64(0)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // deleted meanwhile by the operator
		}
		n, size = n+1, size+info.Size()
	}
	return n, size, nil
}

func (q *Quarantine) maxFiles() int {
	if q.MaxFiles > 0 {
		return q.MaxFiles
	}
	return DefaultQuarantineFiles
}

func (q *Quarantine) maxBytes() int64 {
	if q.MaxBytes > 0 {
		return q.MaxBytes
	}
	return DefaultQuarantineBytes
}

func (q *Quarantine) now() time.Time {
	if q.Now != nil {
		return q.Now()
	}
	return time.Now()
}
