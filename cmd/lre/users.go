package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/storage"
)

// runUsersAdd creates a user. The API key is the last line of the output so
// scripts can take it with `tail -n 1`.
func runUsersAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("users add", "Create a user and print a new API key (shown once, stored hashed).", stderr)
	var data, store, email, name, org, role string
	f.string(&data, "data", "LRE_DATA", "./lre-data", "data directory")
	storeFlag(f, &store)
	f.string(&email, "email", "", "", "the user's email address (required)")
	f.string(&name, "name", "", "", "the user's full name (required)")
	f.string(&org, "org", "", "", "the user's organisation (auditors see its letters)")
	f.string(&role, "role", "", "sender", "sender, auditor or admin")
	if err := f.parse(args); err != nil {
		return err
	}
	db, err := openStore(data, store, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	svc := services.New(db, nil)
	u, key, err := svc.Accounts.AddUser(ctx, email, name, org, core.Role(role))
	if err != nil {
		return fmt.Errorf("users add: %s", core.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "created %s user %s <%s> (id %s)\nAPI key (shown once; store it now):\n%s\n", u.Role, u.Name, u.Email, u.ID, key)
	return nil
}
