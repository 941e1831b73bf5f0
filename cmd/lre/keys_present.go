package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lre-project/lre/storage"
)

// keyNeed is a file that earlier evidence depends on once letters exist.
type keyNeed struct {
	path string // relative to DATA
	what string // what is lost without it
}

// requiredKeys are the files that the evidence already issued depends on.
// Each LoadOrCreate of the adapters would silently create a new key in
// their place: tokens, checkpoints and seals made before would no longer
// verify against what lre publishes. (content.key is checked by storage,
// which creates it.)
func (c *serveConfig) requiredKeys() []keyNeed {
	var out []keyNeed
	if c.tsaURLs == "" {
		out = append(out, keyNeed{"tsa/root.pem", "the embedded timestamp authority's root, to which every deposit token chains"})
	}
	return append(out,
		keyNeed{"log/checkpoint.key", "the evidence log's checkpoint signing key"},
		keyNeed{"log/checkpoint.pub", "the evidence log's checkpoint verifier key, in every bundle"},
		keyNeed{"seal/root.pem", "the seal root that certificate PDFs chain to"},
	)
}

// checkKeys refuses to start when the store holds letters but a key they
// depend on is gone, saying what is missing and how to restore it.
func checkKeys(cfg serveConfig, db *storage.DB) error {
	holds, err := db.HoldsData()
	if err != nil || !holds {
		return err
	}
	var missing []string
	for _, k := range cfg.requiredKeys() {
		if _, err := os.Stat(filepath.Join(cfg.data, k.path)); errors.Is(err, os.ErrNotExist) {
			missing = append(missing, fmt.Sprintf("%s (%s)", filepath.Join(cfg.data, k.path), k.what))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s. The database already holds letters whose evidence depends on these keys, so lre will not create new ones: "+
		"restore the missing files from your key backup (the whole tsa/, seal/ and log/ directories and content.key of %s), then start lre again",
		storage.ErrKeyMissing, strings.Join(missing, "; "), cfg.data)
}
