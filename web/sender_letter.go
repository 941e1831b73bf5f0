package web

import (
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// letterView is the Data of a letter's page. The page leads with what a
// sender came for (where the letter stands, what happens next, the
// proofs), then the timeline in words, then the technical details a
// lawyer or an auditor checks.
type letterView struct {
	Frame        appFrame
	Notice       core.Notice
	Next         string    // catalogue key of what happens next
	NextAt       time.Time // the instant Next names, if any
	Events       []eventRow
	Certificates []core.CertificateKind // those whose event has happened
	TokenTime    string                 // the timestamp's genTime, UTC, to the second
	PageURL      string                 // this page's address, printed on paper
}

// eventRow is one step of the timeline.
type eventRow struct {
	Seq      uint64
	Type     core.EventType
	Label    string // catalogue key
	Document string // the document a handover gave, for Label's %s
	URI      string
	Time     time.Time
	UTC      string
	Hash     string
	Details  [][2]string // sorted by key
}

// letter is GET /app/letters/:id: the letter, its timestamp, the timeline
// of its evidence and the proofs to download. A letter the user may not
// see is 404, whoever's it is.
func (ui *senderUI) letter(c echo.Context) error {
	ctx, u, id := c.Request().Context(), userOf(c), c.Param("id")
	n, err := ui.svc.Letters.Notice(ctx, u, id)
	if err != nil {
		return err
	}
	evs, err := ui.svc.Letters.NoticeEvents(ctx, u, id)
	if err != nil {
		return err
	}
	v := letterView{Frame: frameOf(c), Notice: n, PageURL: strings.TrimSuffix(ui.cfg.BaseURL, "/") + "/app/letters/" + n.ID}
	v.Next, v.NextAt = nextStep(n, ui.svc.Letters.Stage(n))
	happened := map[core.EventType]bool{}
	for _, e := range evs {
		happened[e.Type] = true
		v.Events = append(v.Events, timelineRow(n, e))
	}
	for _, k := range core.CertificateKinds {
		if ev, _ := k.AttestedEvent(); happened[ev] {
			v.Certificates = append(v.Certificates, k)
		}
	}
	if n.Token != nil {
		v.TokenTime = n.Token.Time.UTC().Format(time.RFC3339)
	}
	return ui.renderApp(c, http.StatusOK, "sender_letter", "snd_letter_title", v)
}

// nextStep words the domain's stage for the sender: the catalogue key of
// what happens next and the instant it names (the deadline, or when the
// recipient answered).
func nextStep(n core.Notice, stage core.Stage) (string, time.Time) {
	switch stage {
	case core.StageOpen:
		if n.Status == core.StatusNotified {
			return "snd_next_notified", n.Deadline
		}
		return "snd_next_deposited", n.Deadline
	case core.StageExpired:
		if n.Status == core.StatusNotClaimed {
			return "snd_next_not_claimed", n.Deadline
		}
		return "snd_next_expiring", n.Deadline
	case core.StageAccepted:
		return "snd_next_accepted", n.DecidedAt
	case core.StageRefused:
		return "snd_next_refused", n.DecidedAt
	}
	if n.Status == core.StatusNotificationFail {
		return "snd_next_failed", time.Time{}
	}
	return "snd_pending_timestamp", time.Time{}
}

func timelineRow(n core.Notice, e core.Event) eventRow {
	r := eventRow{Seq: e.Seq, Type: e.Type, Label: "snd_evt_other", URI: e.Type.URI(), Time: e.Time, UTC: e.Time.UTC().Format(time.RFC3339), Hash: hex.EncodeToString(e.Hash)}
	if key := "snd_evt_" + string(e.Type); catalogue[key].fr != "" {
		r.Label = key
	}
	if name := e.Details["document"]; e.Type == core.EventContentHandover && name != "" {
		r.Label, r.Document = "snd_evt_handover_document", name
		if name == n.Body.Name && e.Details["sha256"] == n.Body.SHA256 {
			r.Label, r.Document = "snd_evt_handover_body", ""
		}
	}
	for k, v := range e.Details {
		r.Details = append(r.Details, [2]string{k, v})
	}
	slices.SortFunc(r.Details, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return r
}
