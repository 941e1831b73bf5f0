package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lre-project/lre/smtp/returned"
)

// bounceReport is one line of `lre bounce parse --json`.
type bounceReport struct {
	File         string            `json:"file"`
	Kind         returned.Kind     `json:"kind"`
	FeedbackType string            `json:"feedback_type"`
	MessageID    string            `json:"message_id,omitempty"`
	EnvelopeID   string            `json:"envelope_id,omitempty"`
	Recipients   []bounceRecipient `json:"recipients"`
}

type bounceRecipient struct {
	Address   string          `json:"address"`
	Action    string          `json:"action"`
	Status    string          `json:"status"`
	ReplyCode int             `json:"reply_code"`
	Reason    returned.Reason `json:"reason"`
	Hard      bool            `json:"hard"`
}

const bounceUsage = `Usage: lre bounce parse [--json] FILE...

Read returned mail (bounces in any format, ARF complaints, auto-replies)
and print, per file, its kind and, per failed recipient, the address,
action, enhanced status, reply code, reason and hard or soft. With --json,
one JSON object per line. A file that cannot be read is named on stderr and
the command exits 1 after the others.
`

// runBounce handles `lre bounce parse`.
func runBounce(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "parse" {
		fmt.Fprint(stderr, bounceUsage)
		return errUsage
	}
	asJSON, files := false, []string{}
	for _, a := range args[1:] {
		switch a {
		case "--json", "-json":
			asJSON = true
		case "-h", "--help", "-help":
			fmt.Fprint(stdout, bounceUsage)
			return nil
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, bounceUsage)
		return errUsage
	}
	var failed []string
	for _, file := range files {
		raw, err := readBounceFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "lre bounce parse: %v\n", err)
			failed = append(failed, file)
			continue
		}
		rep := toBounceReport(file, returned.Parse(raw))
		if asJSON {
			if err := json.NewEncoder(stdout).Encode(rep); err != nil {
				return err
			}
		} else {
			printBounce(stdout, rep)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not read %s", strings.Join(failed, ", "))
	}
	return nil
}

// readBounceFile reads at most returned.MaxBytes of file.
func readBounceFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, returned.MaxBytes))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s: %w", file, errors.New("empty file"))
	}
	return raw, nil
}

func toBounceReport(file string, r returned.Report) bounceReport {
	out := bounceReport{File: file, Kind: r.Kind, FeedbackType: r.FeedbackType, MessageID: r.MessageID,
		EnvelopeID: r.EnvelopeID, Recipients: []bounceRecipient{}}
	for _, rc := range r.Recipients {
		out.Recipients = append(out.Recipients, bounceRecipient{Address: rc.Address, Action: rc.Action,
			Status: rc.Status, ReplyCode: rc.ReplyCode, Reason: rc.Reason, Hard: rc.Hard})
	}
	return out
}

func printBounce(w io.Writer, r bounceReport) {
	kind := string(r.Kind)
	if r.FeedbackType != "" {
		kind += " (" + r.FeedbackType + ")"
	}
	fmt.Fprintf(w, "%s: %s\n", r.File, kind)
	for _, rc := range r.Recipients {
		hard := "soft"
		if rc.Hard {
			hard = "hard"
		}
		if r.Kind != returned.KindBounce {
			hard = ""
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%d\t%s\t%s\n", orDash(rc.Address), orDash(rc.Action), orDash(rc.Status), rc.ReplyCode, rc.Reason, hard)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
