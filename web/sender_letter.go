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

// letterView is the Data of a letter's page.
type letterView struct {
	Frame        appFrame
	Notice       core.Notice
	Events       []eventRow
	Certificates []core.CertificateKind // those whose event has happened
	TokenTime    string                 // the timestamp's genTime, UTC, to the second
}

// eventRow is one step of the timeline.
type eventRow struct {
	Seq     uint64
	Type    core.EventType
	Label   string // catalogue key, empty for a type the pages do not name
	URI     string
	Time    time.Time
	UTC     string
	Hash    string
	Details [][2]string // sorted by key
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
	v := letterView{Frame: frameOf(c), Notice: n}
	happened := map[core.EventType]bool{}
	for _, e := range evs {
		happened[e.Type] = true
		v.Events = append(v.Events, timelineRow(e))
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

func timelineRow(e core.Event) eventRow {
	r := eventRow{Seq: e.Seq, Type: e.Type, URI: e.Type.URI(), Time: e.Time, UTC: e.Time.UTC().Format(time.RFC3339), Hash: hex.EncodeToString(e.Hash)}
	if key := "snd_evt_" + string(e.Type); catalogue[key].fr != "" {
		r.Label = key
	}
	for k, v := range e.Details {
		r.Details = append(r.Details, [2]string{k, v})
	}
	slices.SortFunc(r.Details, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return r
}
