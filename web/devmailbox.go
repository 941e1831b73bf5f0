package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// DevMailbox is where a development server keeps the mail it would have
// sent, so that a newcomer can follow the whole flow in a browser.
type DevMailbox interface {
	List() ([]MailboxItem, error)
	// Read returns the raw message (RFC 5322) of an item List returned.
	Read(name string) ([]byte, error)
}

// MailboxItem describes one stored message.
type MailboxItem struct {
	Name, To, Subject string
	Date              time.Time
	Size              int64
}

type mailboxMessage struct {
	Item  MailboxItem
	Links []string
	Raw   string
}

// devMailboxList is GET /dev/mailbox, newest first.
func (s *Server) devMailboxList(c echo.Context) error {
	items, err := s.cfg.DevMailbox.List()
	if err != nil {
		return err
	}
	slices.SortStableFunc(items, func(a, b MailboxItem) int { return b.Date.Compare(a.Date) })
	return s.render(c, http.StatusOK, "devmailbox", s.page(c, "en", "mailbox_title", items))
}

// devMailboxRead is GET /dev/mailbox/:name: the links found in the message,
// to click through the flow, and the raw message below.
func (s *Server) devMailboxRead(c echo.Context) error {
	item, raw, err := s.mailboxItem(c.Param("name"))
	if err != nil {
		return err
	}
	m := mailboxMessage{Item: item, Links: mailLinks(raw), Raw: string(raw)}
	return s.render(c, http.StatusOK, "devmailbox_message", s.page(c, "en", "mailbox_title", m))
}

// devMailboxRaw is GET /dev/mailbox/:name/raw, the .eml as text/plain.
func (s *Server) devMailboxRaw(c echo.Context) error {
	_, raw, err := s.mailboxItem(c.Param("name"))
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", raw)
}

// mailboxItem reads a message only under a name List returned, so no
// crafted name reaches the mailbox's storage.
func (s *Server) mailboxItem(name string) (MailboxItem, []byte, error) {
	items, err := s.cfg.DevMailbox.List()
	if err != nil {
		return MailboxItem{}, nil, err
	}
	i := slices.IndexFunc(items, func(it MailboxItem) bool { return it.Name == name })
	if i < 0 {
		return MailboxItem{}, nil, core.Errorf(core.ENOTFOUND, "no message %q", name)
	}
	raw, err := s.cfg.DevMailbox.Read(name)
	return items[i], raw, err
}
