package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// checkDevMailbox refuses the dev mailbox on a public deployment: without
// --smtp every mail, with its links and one-time codes, would be listed at
// /dev/mailbox for anyone, and the evidence would say "notified" although
// no mail left the server. It is on only for a loopback base URL or --dev.
func (c *serveConfig) checkDevMailbox() error {
	if c.smtpAddr != "" || c.dev || loopbackURL(c.baseURL) {
		return nil
	}
	return fmt.Errorf("--base-url %s is not a loopback address and --smtp is empty: set --smtp (LRE_SMTP_ADDR) to your mail relay; "+
		"the dev mailbox, which shows every link and code at /dev/mailbox, runs only with a loopback --base-url or with --dev", c.baseURL)
}

// devProviderName is the provider's name on a development instance: it
// must not pass for a real provider, and must not read like a word.
const devProviderName = "LRE-DEV"

// development reports whether this instance is for development: a loopback
// base URL or --dev. Nothing a recipient outside could reach.
func (c *serveConfig) development() bool { return c.dev || loopbackURL(c.baseURL) }

// checkProvider requires the provider's name and postal address on a real
// deployment: recipients judge a registered-mail notice by who sends it,
// and R.53-2 proofs name the provider. Development gets defaults that
// cannot be mistaken for a real provider.
func (c *serveConfig) checkProvider() error {
	c.providerName, c.providerAddress = strings.TrimSpace(c.providerName), strings.TrimSpace(c.providerAddress)
	if !c.development() {
		var missing []string
		if c.providerName == "" {
			missing = append(missing, "--provider-name (LRE_PROVIDER_NAME)")
		}
		if c.providerAddress == "" {
			missing = append(missing, "--provider-address (LRE_PROVIDER_ADDRESS)")
		}
		if len(missing) > 0 {
			return fmt.Errorf("set %s: outside development (--base-url %s is public and --dev is off) recipients and proofs must see who the provider is and where it is",
				strings.Join(missing, " and "), c.baseURL)
		}
		return nil
	}
	if c.providerName == "" {
		c.providerName = devProviderName
	}
	if c.providerAddress == "" {
		c.providerAddress = c.baseURL + " (dev)"
	}
	return nil
}

// devMailbox reports whether mail goes to the dev mailbox.
func (c *serveConfig) devMailbox() bool { return c.smtpAddr == "" }

// loopbackURL reports whether u's host is localhost or a loopback address.
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := strings.TrimSuffix(strings.ToLower(p.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startTLS is the STARTTLS mode: as configured, else required, except
// towards a relay on this host, where nothing crosses a network and a
// local MTA rarely has a certificate.
func (c *serveConfig) startTLS() string {
	if c.smtpTLS != "" {
		return c.smtpTLS
	}
	if loopbackURL("smtp://" + c.smtpAddr) {
		return "opportunistic"
	}
	return "required"
}
