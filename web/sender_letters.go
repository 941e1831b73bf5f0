package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// Letters per page, and how many pages of the listing one search may read
// before it shows what it found and offers to go on.
const (
	lettersPerPage = 25
	searchPages    = 8
)

// lettersView is the Data of the list of letters.
type lettersView struct {
	Frame    appFrame
	Filter   letterFilter
	Letters  []core.Notice
	Statuses []core.Status
	Next     string // URL of the next page, empty on the last
	First    string // URL of the first page, when not on it
	Error    string
	Field    string
	Detail   string
	Rates    *ratesView // the sender's delivery statistics, nil for other roles
}

// letterFilter is the list's query string, as typed.
type letterFilter struct {
	Status, Recipient, From, To, Search, Cursor string
}

var allStatuses = []core.Status{core.StatusPendingTimestamp, core.StatusDeposited, core.StatusNotified, core.StatusNotificationFail, core.StatusAccepted, core.StatusRefused, core.StatusNotClaimed}

// letters is GET /app/letters: the letters the user may see (a sender's
// own, an auditor's or admin's organisation's), newest first, filtered by
// status, recipient and dates, searched by text, a page at a time.
func (ui *senderUI) letters(c echo.Context) error {
	f := letterFilter{
		Status: c.QueryParam("status"), Recipient: c.QueryParam("recipient"), From: c.QueryParam("from"),
		To: c.QueryParam("to"), Search: strings.TrimSpace(c.QueryParam("q")), Cursor: c.QueryParam("cursor"),
	}
	v := lettersView{Frame: frameOf(c), Filter: f, Statuses: allStatuses}
	rates, err := ui.senderRatesView(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	v.Rates = rates
	q, err := f.query(ui.cfg.Location)
	if err == nil {
		var next string
		v.Letters, next, err = ui.search(c, q, strings.ToLower(f.Search))
		if next != "" {
			v.Next = f.url(next)
		}
		if f.Cursor != "" {
			v.First = f.url("")
		}
	}
	status := http.StatusOK
	if err != nil {
		if core.ErrorCode(err) != core.EINVALID {
			return err
		}
		status, v.Error, v.Field, v.Detail = http.StatusUnprocessableEntity, "snd_err_filter", fieldOf(err), ui.localError(err, ui.uiLang(c))
	}
	return ui.renderApp(c, status, "sender_letters", "snd_letters_title", v)
}

// search lists a page; with text to find, it reads pages until it has a
// page of matches or has read searchPages of them.
func (ui *senderUI) search(c echo.Context, q core.NoticeQuery, text string) ([]core.Notice, string, error) {
	var out []core.Notice
	for range searchPages {
		p, err := ui.svc.Letters.ListNotices(c.Request().Context(), userOf(c), q)
		if err != nil {
			return nil, "", err
		}
		for _, n := range p.Notices {
			if text == "" || matches(n, text) {
				out = append(out, n)
			}
		}
		if text == "" || p.Next == "" || len(out) >= lettersPerPage {
			return out, p.Next, nil
		}
		q.Cursor = p.Next
	}
	return out, q.Cursor, nil
}

func matches(n core.Notice, text string) bool {
	for _, s := range []string{n.ID, n.Subject, n.SenderReference, n.Recipient.Name, n.Recipient.Email} {
		if strings.Contains(strings.ToLower(s), text) {
			return true
		}
	}
	return false
}

// query turns the typed filter into a listing query. Dates are whole days
// in zone (the deadline zone the pages show), "to" included.
func (f letterFilter) query(zone *time.Location) (core.NoticeQuery, error) {
	q := core.NoticeQuery{Status: core.Status(f.Status), Recipient: f.Recipient, Limit: lettersPerPage, Cursor: f.Cursor}
	var err error
	if q.From, err = day("from", f.From, 0, zone); err != nil {
		return q, err
	}
	if q.To, err = day("to", f.To, 1, zone); err != nil {
		return q, err
	}
	return q, nil
}

func day(field, v string, plus int, zone *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, zone)
	if err != nil {
		return time.Time{}, core.FieldError(core.EINVALID, field, "%s must be a date like 2026-11-23", field)
	}
	return t.AddDate(0, 0, plus), nil
}

// url is the list with this filter at cursor.
func (f letterFilter) url(cursor string) string {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "recipient": f.Recipient, "from": f.From, "to": f.To, "q": f.Search, "cursor": cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/app/letters"
	}
	return "/app/letters?" + q.Encode()
}

func fieldOf(err error) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Field
	}
	return ""
}
