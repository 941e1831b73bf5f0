package returned_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/smtp/returned"
)

// corpusDir is the real returned mail beside the repository (../shared in
// a clean clone, as CI lays it out).
var corpusDir = filepath.Join("..", "..", "..", "shared", "bounces")

// expectedRow is one failed recipient as sisimai's maintainers established it.
type expectedRow struct {
	file, status, reason, feedback, recipient string
	hard                                      bool
}

// sisimaiReason maps sisimai's reason names onto ours, for the figures
// only: the reader never sees these names.
var sisimaiReason = map[string]returned.Reason{
	"userunknown": returned.ReasonUserUnknown, "hasmoved": returned.ReasonUserUnknown,
	"hostunknown": returned.ReasonHostUnknown, "notaccept": returned.ReasonHostUnknown,
	"mailboxfull": returned.ReasonMailboxFull, "mesgtoobig": returned.ReasonTooLarge, "exceedlimit": returned.ReasonTooLarge,
	"blocked": returned.ReasonBlocked, "badreputation": returned.ReasonBlocked, "requireptr": returned.ReasonBlocked,
	"spamdetected": returned.ReasonSpam, "policyviolation": returned.ReasonPolicy, "rejected": returned.ReasonPolicy,
	"filtered": returned.ReasonPolicy, "notcompliantrfc": returned.ReasonPolicy,
	"authfailure": returned.ReasonAuth, "securityerror": returned.ReasonAuth,
	"toomanyconn": returned.ReasonRateLimited, "speeding": returned.ReasonRateLimited,
	"expired": returned.ReasonExpired, "networkerror": returned.ReasonNetwork, "norelaying": returned.ReasonRelayDenied,
	"suspend": returned.ReasonSuspended, "virusdetected": returned.ReasonVirus,
	"feedback": returned.ReasonComplaint, "vacation": returned.ReasonAutoReplied,
}

func readExpected(t *testing.T) []expectedRow {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "expected.tsv"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("bounce corpus missing (clone ../shared beside the repository): %v", err)
		}
		t.Skipf("bounce corpus not found: %v", err)
	}
	defer f.Close()
	var rows []expectedRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 8 || strings.HasPrefix(c[0], "#") {
			continue
		}
		rows = append(rows, expectedRow{file: c[0], status: c[2], reason: c[4], hard: c[5] == "true", feedback: c[6], recipient: c[7]})
	}
	return rows
}

// pseudoStatus recognises sisimai's x.0.9xx codes, which RFC 3463 lacks.
var pseudoStatus = regexp.MustCompile(`^[245]\.0\.9[0-9][0-9]$`)

// pair gives each expected row of one file the recipient the reader found
// for the same address, else the next one left in order.
func pair(rows []expectedRow, got []returned.Recipient) []*returned.Recipient {
	used := make([]bool, len(got))
	out := make([]*returned.Recipient, len(rows))
	for i, r := range rows {
		for j := range got {
			if !used[j] && r.recipient != "" && strings.EqualFold(got[j].Address, r.recipient) {
				used[j], out[i] = true, &got[j]
				break
			}
		}
	}
	for i := range rows {
		for j := range got {
			if out[i] == nil && !used[j] {
				used[j], out[i] = true, &got[j]
			}
		}
	}
	return out
}

// TestCorpus runs the reader over every real sample and holds it to the
// quality bars of issue 15: every failure report a bounce, the corpus's
// enhanced status for >= 95 % of rows with a real RFC 3463 code, the same
// hard/soft for >= 95 % of rows, every ARF report a complaint with its
// feedback type.
func TestCorpus(t *testing.T) {
	rows := readExpected(t)
	byFile := map[string][]expectedRow{}
	var files []string
	for _, r := range rows {
		if byFile[r.file] == nil {
			files = append(files, r.file)
		}
		byFile[r.file] = append(byFile[r.file], r)
	}
	var reports, bounces, statusRows, statusOK, hardOK, reasonOK, arf, arfOK int
	for _, file := range files {
		raw, err := os.ReadFile(filepath.Join(corpusDir, "samples", file))
		if err != nil {
			t.Fatal(err)
		}
		rep := returned.Parse(raw)
		want := byFile[file]
		switch want[0].reason {
		case "feedback":
			arf++
			if rep.Kind == returned.KindComplaint && rep.FeedbackType == want[0].feedback {
				arfOK++
			} else {
				t.Errorf("%s: kind %q feedback %q, want complaint %q", file, rep.Kind, rep.FeedbackType, want[0].feedback)
			}
		case "vacation":
			if rep.Kind != returned.KindAutoReply {
				t.Errorf("%s: kind %q, want auto-reply", file, rep.Kind)
			}
		default:
			reports++
			if rep.Kind == returned.KindBounce {
				bounces++
			} else {
				t.Logf("%s: kind %q, want bounce", file, rep.Kind)
			}
		}
		for i, got := range pair(want, rep.Recipients) {
			w := want[i]
			var g returned.Recipient
			if got != nil {
				g = *got
			}
			if w.status != "" && !pseudoStatus.MatchString(w.status) {
				statusRows++
				if g.Status == w.status {
					statusOK++
				} else {
					t.Logf("%s %s: status %q, want %q (%s: %.200s)", file, w.recipient, g.Status, w.status, w.reason, g.Diagnostic)
				}
			}
			if g.Hard == w.hard {
				hardOK++
			} else {
				t.Logf("%s %s: hard %v, want %v (%s, got %s %s: %.200s)", file, w.recipient, g.Hard, w.hard, w.reason, g.Reason, g.Status, g.Diagnostic)
			}
			if sisimaiReason[w.reason] == g.Reason || (sisimaiReason[w.reason] == "" && g.Reason == returned.ReasonOther) {
				reasonOK++
			} else {
				t.Logf("%s %s: reason %s, want %s (%s: %.200s)", file, w.recipient, g.Reason, w.reason, g.Status, g.Diagnostic)
			}
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	t.Logf("recognised as bounces: %d/%d (%.1f%%)", bounces, reports, pct(bounces, reports))
	t.Logf("same enhanced status: %d/%d rows with an RFC 3463 code (%.1f%%)", statusOK, statusRows, pct(statusOK, statusRows))
	t.Logf("same hard/soft: %d/%d rows (%.1f%%)", hardOK, len(rows), pct(hardOK, len(rows)))
	t.Logf("same reason (sisimai's mapped onto ours): %d/%d rows (%.1f%%)", reasonOK, len(rows), pct(reasonOK, len(rows)))
	t.Logf("ARF complaints with their feedback type: %d/%d", arfOK, arf)
	if bounces != reports {
		t.Errorf("recognised %d of %d failure reports as bounces, want all", bounces, reports)
	}
	if pct(statusOK, statusRows) < 95 {
		t.Errorf("same enhanced status for %.1f%% of rows, want >= 95%%", pct(statusOK, statusRows))
	}
	if pct(hardOK, len(rows)) < 95 {
		t.Errorf("same hard/soft for %.1f%% of rows, want >= 95%%", pct(hardOK, len(rows)))
	}
}
