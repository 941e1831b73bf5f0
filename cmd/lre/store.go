package main

import (
	"fmt"

	"github.com/lre-project/lre/storage"
)

// storeFlag adds --store to a command that opens the store.
func storeFlag(f *flags, p *string) {
	f.string(p, "store", "LRE_STORE", "", "PostgreSQL store URL (postgres://user@host/db); empty = the bbolt file DATA/lre.db. Keys stay in --data either way")
}

// openStore opens the store a command was pointed at: the PostgreSQL
// database of store when set, else the bbolt file in data.
func openStore(data, store string, o storage.Options) (*storage.DB, error) {
	if store != "" {
		if !storage.IsURL(store) {
			return nil, fmt.Errorf("--store %q: want a postgres:// URL (or nothing for the bbolt file in --data): %w", store, errUsage)
		}
		o.URL = store
	}
	return storage.Open(data, o)
}
