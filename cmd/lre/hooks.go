package main

import "github.com/lre-project/lre/storage"

// storeHooks, when set, adjusts the store's options of lre serve. Only a
// binary built with the lrehooks tag sets it (hooks_lrehooks.go), for the
// crash tests in e2e/: a release build has no way to turn a hook on.
var storeHooks func(*storage.Options)
