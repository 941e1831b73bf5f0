package smtp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
)

// mailboxTimeFormat prefixes file names: fixed width, so the id can be cut
// off exactly, and sortable, so names list in delivery order.
const mailboxTimeFormat = "20060102T150405.000Z"

// Mailbox is the Mailer used when no SMTP server is configured (development,
// demos): it files each composed message as <Dir>/<time>-<ID>.eml for the
// /dev/mailbox page instead of sending it. A mail sent again with the same
// ID replaces its file, as a real resend would be the same message.
type Mailbox struct {
	Dir string
	Now func() time.Time // nil means time.Now
	// Location is the deadline zone, as Sender.Location.
	Location *time.Location

	mu    sync.Mutex        // one writer at a time: finding the old file and replacing it go together
	index map[string]string // mail id -> file name, read from Dir once, then kept by store
}

// MailboxEntry describes one filed message.
type MailboxEntry struct {
	Name    string // file name, the key for Read
	To      string
	Subject string // decoded
	Date    time.Time
	Size    int64
}

var _ core.Mailer = (*Mailbox)(nil)

// Send composes m and files it. It always reports Accepted from host
// "dev-mailbox", marked Development so that the evidence says no mail
// left; an error means the mail is invalid (EINVALID) or the directory
// cannot be written.
func (b *Mailbox) Send(_ context.Context, m core.OutgoingMail) (core.DeliveryResult, error) {
	now := b.now()
	if m.Date.IsZero() {
		m.Date = now
	}
	raw, err := Compose(m, nil, b.Location)
	if err != nil {
		return core.DeliveryResult{}, fmt.Errorf("mailbox send %s: %w", m.ID, err)
	}
	name, err := b.store(m.ID, now, raw)
	if err != nil {
		return core.DeliveryResult{}, fmt.Errorf("mailbox send %s: %w", m.ID, err)
	}
	return core.DeliveryResult{
		Class: core.DeliveryAccepted, Host: "dev-mailbox", Code: 250, Enhanced: "2.0.0", Development: true,
		Text: "stored as " + name, QueueID: name, Transcript: "* dev mailbox: stored " + name,
		Time: now.UTC(),
	}, nil
}

// store writes raw atomically (temporary file, then rename) with mode 0600:
// the messages hold codes and links that let one act as the recipient.
func (b *Mailbox) store(id string, now time.Time, raw []byte) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return "", err
	}
	root, err := os.OpenRoot(b.Dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	if err := b.loadIndex(root); err != nil {
		return "", err
	}
	name, ok := b.index[id] // a resend keeps its place in the list
	if !ok {
		name = now.UTC().Format(mailboxTimeFormat) + "-" + id + ".eml"
	}
	tmp := ".tmp-" + name
	if err := root.WriteFile(tmp, raw, 0o600); err != nil {
		return "", err
	}
	if err := root.Rename(tmp, name); err != nil {
		root.Remove(tmp)
		return "", err
	}
	b.index[id] = name
	return name, nil
}

// loadIndex lists Dir the first time a mail is filed. Listing it for every
// mail made filing quadratic in the mailbox's size: under lre bench it was
// 45 % of the server's CPU (issue 14). The mailbox is this process's alone
// (the data directory is locked while lre runs), so the index stays true.
func (b *Mailbox) loadIndex(root *os.Root) error {
	if b.index != nil {
		return nil
	}
	names, err := b.names(root)
	if err != nil {
		return err
	}
	b.index = make(map[string]string, len(names))
	for _, n := range names {
		b.index[entryID(n)] = n
	}
	return nil
}

// List returns the filed messages, newest first.
func (b *Mailbox) List() ([]MailboxEntry, error) {
	root, err := os.OpenRoot(b.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mailbox list: %w", err)
	}
	defer root.Close()
	names, err := b.names(root)
	if err != nil {
		return nil, fmt.Errorf("mailbox list: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	entries := make([]MailboxEntry, 0, len(names))
	for _, n := range names {
		e, err := readEntry(root, n)
		if err != nil {
			return nil, fmt.Errorf("mailbox list: %w", err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// Read returns one filed message. Names that List cannot have produced
// (paths, hidden files) are refused as not found, before the file system is
// touched; os.Root also keeps symbolic links from leading outside Dir.
func (b *Mailbox) Read(name string) ([]byte, error) {
	if entryID(name) == "" {
		return nil, core.Errorf(core.ENOTFOUND, "no such message in the mailbox")
	}
	root, err := os.OpenRoot(b.Dir)
	if err != nil {
		return nil, fmt.Errorf("mailbox read: %w", err)
	}
	defer root.Close()
	raw, err := root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, core.Errorf(core.ENOTFOUND, "no such message in the mailbox")
	}
	if err != nil {
		return nil, fmt.Errorf("mailbox read: %w", err)
	}
	return raw, nil
}

func (b *Mailbox) names(root *os.Root) ([]string, error) {
	dir, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range dir {
		if d.Type().IsRegular() && entryID(d.Name()) != "" {
			names = append(names, d.Name())
		}
	}
	return names, nil
}

// entryID returns the mail id of a file name <time>-<id>.eml, or "" when
// the name is not one the mailbox writes.
func entryID(name string) string {
	prefix := len(mailboxTimeFormat)
	if len(name) <= prefix+len("-.eml") || name[prefix] != '-' || !strings.HasSuffix(name, ".eml") {
		return ""
	}
	if _, err := time.Parse(mailboxTimeFormat, name[:prefix]); err != nil {
		return ""
	}
	id := strings.TrimSuffix(name[prefix+1:], ".eml")
	if !validID(id) {
		return ""
	}
	return id
}

func readEntry(root *os.Root, name string) (MailboxEntry, error) {
	f, err := root.Open(name)
	if err != nil {
		return MailboxEntry{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return MailboxEntry{}, err
	}
	e := MailboxEntry{Name: name, Size: info.Size()}
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return e, nil // listed without headers: the page still links to it
	}
	dec := mime.WordDecoder{}
	e.To, _ = dec.DecodeHeader(msg.Header.Get("To"))
	e.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	e.Date, _ = msg.Header.Date()
	return e, nil
}

func (b *Mailbox) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}
