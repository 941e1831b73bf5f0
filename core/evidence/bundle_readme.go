package evidence

import (
	"fmt"
	"strings"

	"github.com/lre-project/lre/core"
)

// The bundle's README.txt is a procedure a stranger follows literally: each
// ```sh block runs as written, with bash, from the unzipped directory, and
// fails (non-zero status) when what it checks is wrong. A test runs every
// block of a real bundle, then again on tampered copies. The prose around
// them specifies each format exactly enough to reimplement the checks.
//
// It is written in the letter's language (the one its recipient reads,
// and the sender chose), French or English; the commands are the same in
// both, built once here, and a test requires identical blocks.

// readmeText is the prose of the README in one language. The format
// verbs are filled in the same order in every language.
type readmeText struct {
	title, qualified, nonQualified string // title: letter, provider, kind
	intro                          string // then readmeTrustCommands
	documents, purged              string // purged: how many
	tokens, tokensAfter            string // tokensAfter: the two tokens' times
	archive, archiveAfter          string // archive: how many; archiveAfter: the newest's time
	log, logAfter                  string // around readmeLogRecipe
	etsi                           string // the ETSI version
	certificates                   string // then readmeCertificateCommands
	certificatesAfter              string
	allAtOnce                      string
}

// readmeFor is the README's prose in lang; French unless English.
func readmeFor(lang string) readmeText {
	if lang == "en" {
		return readmeEN
	}
	return readmeFR
}

func bundleReadme(p bundleParts, prov core.Provider) []byte {
	t := readmeFor(p.notice.Language)
	var b strings.Builder
	kind := t.nonQualified
	if prov.Qualified {
		kind = t.qualified
	}
	fmt.Fprintf(&b, t.title, p.notice.ID, prov.Name, kind)
	b.WriteString(t.intro + shBlock(readmeTrustCommands) + "\n")
	readmeDocuments(&b, p, t)
	readmeTokens(&b, p, t)
	readmeArchive(&b, p, t)
	b.WriteString(t.log + shBlock(readmeLogRecipe) + t.logAfter)
	readmeETSI(&b, p, t)
	readmeCertificates(&b, p, t)
	b.WriteString(t.allAtOnce)
	return []byte(b.String())
}

// shBlock fences commands as a block the README test runs.
func shBlock(commands string) string { return "```sh\n" + commands + "```\n" }

// readmeDocuments lists the manifest and every retained document with the
// digest the manifest records, for sha256sum -c.
func readmeDocuments(b *strings.Builder, p bundleParts, t readmeText) {
	b.WriteString(t.documents + "```sh\n")
	fmt.Fprintf(b, "printf '%%s  %%s\\n' %s  manifest.json", p.notice.Digest)
	purged := 0
	for _, d := range p.docs {
		if d.Path == "" {
			purged++
			continue
		}
		fmt.Fprintf(b, " \\\n  %s %s", d.SHA256, shellQuote(d.Path))
	}
	b.WriteString(" | sha256sum --strict -c -\n```\n\n")
	if purged > 0 {
		fmt.Fprintf(b, t.purged, purged)
	}
}

// shellQuote quotes s for bash: single quotes, each ' written as '\”.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func readmeTokens(b *strings.Builder, p bundleParts, t readmeText) {
	dep, cp := p.notice.Token.Time.UTC(), p.checkpoint.Token.Time.UTC()
	b.WriteString(t.tokens)
	b.WriteString(shBlock(fmt.Sprintf("openssl ts -verify -data manifest.json -in deposit.tsr -CAfile tsa-chain.pem -attime %d\nopenssl ts -verify -data checkpoint.txt -in checkpoint.tsr -CAfile tsa-chain.pem -attime %d\n", dep.Unix(), cp.Unix())))
	fmt.Fprintf(b, t.tokensAfter, dep.Format("2006-01-02T15:04:05Z"), cp.Format("2006-01-02T15:04:05Z"))
}

func readmeETSI(b *strings.Builder, p bundleParts, t readmeText) {
	if len(p.etsi) == 0 {
		return
	}
	fmt.Fprintf(b, t.etsi, ETSIVersion)
}

func readmeCertificates(b *strings.Builder, p bundleParts, t readmeText) {
	if len(p.certs) == 0 {
		return
	}
	b.WriteString(t.certificates + shBlock(readmeCertificateCommands) + t.certificatesAfter)
}
