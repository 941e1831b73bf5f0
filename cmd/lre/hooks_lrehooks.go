//go:build lrehooks

package main

import (
	"os"

	"github.com/lre-project/lre/storage"
)

// pauseAfterContentSync names a file: once a deposit's sealed contents are
// durable in a segment and before its transaction commits, the server writes the
// letter's id there and stops that deposit forever, so that a test can
// kill it at exactly that point.
const pauseAfterContentSync = "LRE_TEST_PAUSE_AFTER_CONTENT_SYNC"

func init() {
	storeHooks = func(o *storage.Options) {
		signal := os.Getenv(pauseAfterContentSync)
		if signal == "" {
			return
		}
		o.AfterContentSync = func(id string) {
			os.WriteFile(signal, []byte(id), 0o600)
			select {}
		}
	}
}
