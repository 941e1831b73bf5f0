// Package integration holds only tests (package integration_test, see
// harness_test.go): the real service against real SMTP servers on
// loopback, the recipient's MX and the bounce listener.
package integration
