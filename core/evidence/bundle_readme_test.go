package evidence

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// readmeParts is a bundle with every section of the README: a retained
// and a purged document, archive tokens, ETSI evidence and certificates.
func readmeParts(lang string) bundleParts {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	return bundleParts{
		notice: core.Notice{ID: "LRE-AAAA-BBBB-CCCC-DDDD", Language: lang, Digest: strings.Repeat("ab", 32), Token: &core.Token{Time: at}},
		docs: []BundleDocument{{Name: "contrat.pdf", SHA256: strings.Repeat("cd", 32), Path: "documents/01-contrat.pdf"},
			{Name: "annexe l'ancienne.pdf", SHA256: strings.Repeat("ef", 32)}},
		checkpoint: Checkpoint{Token: &core.Token{Time: at.Add(time.Minute)}, Archive: []core.Token{{Time: at.AddDate(1, 0, 0)}, {Time: at.AddDate(2, 0, 0)}}},
		etsi:       []core.ETSIEvidenceFile{{}},
		certs:      []core.CertificateKind{core.CertDeposit},
	}
}

var shFence = regexp.MustCompile("(?s)```sh\n(.*?)```")

// TestReadmeInTheLettersLanguage writes the README of the same bundle for
// a French and an English letter: the French one has every section in
// French and none of the English prose, and both run exactly the same
// commands, in the same order.
func TestReadmeInTheLettersLanguage(t *testing.T) {
	prov := core.Provider{Name: "Poste Test"}
	fr, en := string(bundleReadme(readmeParts("fr"), prov)), string(bundleReadme(readmeParts("en"), prov))
	frBlocks, enBlocks := shFence.FindAllString(fr, -1), shFence.FindAllString(en, -1)
	if len(enBlocks) != 6 {
		t.Fatalf("the English README has %d command blocks, want 6 (trust, documents, tokens, archive, log, certificates):\n%s", len(enBlocks), en)
	}
	if strings.Join(frBlocks, "\n") != strings.Join(enBlocks, "\n") {
		t.Errorf("the French README's commands differ from the English ones:\n%s\n---\n%s", strings.Join(frBlocks, "\n"), strings.Join(enBlocks, "\n"))
	}
	for _, want := range []string{"Dossier de preuves de la lettre recommandée LRE-AAAA-BBBB-CCCC-DDDD", "NON QUALIFIÉ", "Comment utiliser ce fichier",
		"1. La lettre", "1 document(s) ne sont pas inclus", "2. Les horodatages", "2026-12-03T10:00:00Z et 2026-12-03T10:01:00Z", "2b. Les jetons d’archive",
		"2 jeton(s) d’archive", "le 2028-12-03T10:00:00Z", "3. Le journal des preuves", "4. Les preuves ETSI", `version "` + ETSIVersion + `"`, "5. Les certificats", "Tout d’un coup"} {
		if !strings.Contains(fr, want) {
			t.Errorf("the French README does not say %q", want)
		}
	}
	prose := shFence.ReplaceAllString(en, "")
	for _, line := range strings.Split(prose, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 20 && !formula(line) && strings.Contains(fr, line) {
			t.Errorf("the French README keeps the English line %q", line)
		}
	}
	if !strings.Contains(en, "Evidence bundle of registered letter") || strings.Contains(en, "Comment utiliser") {
		t.Errorf("the English README is not in English:\n%s", en)
	}
}

// formula reports the README lines both languages write alike: title
// underlines, commands shown as examples, the Merkle tree's formulas and
// the JAdES reference's identifiers.
func formula(line string) bool {
	return strings.Trim(line, "=") == "" || strings.HasPrefix(line, "lre verify") || strings.HasPrefix(line, "apt-get") ||
		strings.HasPrefix(line, "leaf hash = ") || strings.HasPrefix(line, "http://uri.etsi.org/") || strings.HasPrefix(line, `["urn:lre:evidence:"`)
}
