// Package e2e holds only tests (package e2e_test, see main_test.go): they
// build and run the real lre binary as a child process and check from
// outside that no acknowledged letter or event is lost, duplicated or
// leaked, through crashes, faults, a full disk and a headless browser.
package e2e
