package web

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
)

// Drafts hold a composed letter between its preview and its confirmation,
// so that the files are uploaded once: the preview reads and hashes them,
// the confirmation sends only the draft's id. They live in memory, belong
// to one session, expire after draftTTL and are bounded in number per
// session and in total bytes; the oldest give way first.
const (
	draftTTL        = 15 * time.Minute
	draftsPerOwner  = 3
	minDraftsMemory = 256 << 20
)

// draft is one letter awaiting confirmation. mu serialises its sending, so
// that a double click waits for the first deposit and finds its letter.
type draft struct {
	mu      sync.Mutex
	id      string
	owner   string // hash of the session it belongs to
	req     core.DepositRequest
	batch   []byte // a batch's recipients CSV; nil for a single letter
	size    int64
	created time.Time
	sentID  string // the letter, once sent
	// kept marks the files of a refused preview, kept so that the sender
	// need not choose them again (refuseCompose): only takeKept reads it.
	kept bool
}

type draftStore struct {
	mu    sync.Mutex
	now   func() time.Time
	max   int64
	total int64
	byID  map[string]*draft
}

// newDraftStore bounds memory to twice the largest letter, at least
// minDraftsMemory.
func newDraftStore(now func() time.Time, l core.Limits) *draftStore {
	return &draftStore{now: now, max: max(minDraftsMemory, 2*l.MaxTotalBytes), byID: map[string]*draft{}}
}

func draftSize(req core.DepositRequest) int64 {
	n := int64(len(req.Body))
	for _, a := range req.Attachments {
		n += int64(len(a.Content))
	}
	return n
}

// put stores req for owner and returns the draft's id (128 random bits).
func (ds *draftStore) put(owner string, req core.DepositRequest) (string, error) {
	return ds.putBatch(owner, req, nil)
}

// putBatch stores a batch: the shared letter and the recipients CSV.
func (ds *draftStore) putBatch(owner string, req core.DepositRequest, recipients []byte) (string, error) {
	return ds.add(&draft{owner: owner, req: req, batch: recipients, size: draftSize(req) + int64(len(recipients))})
}

// putKept stores the files of a refused preview for owner's next try.
func (ds *draftStore) putKept(owner string, files []core.Upload) (string, error) {
	req := core.DepositRequest{Attachments: files}
	return ds.add(&draft{owner: owner, req: req, size: draftSize(req), kept: true})
}

func (ds *draftStore) add(d *draft) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	d.id = hex.EncodeToString(b[:])
	ds.mu.Lock()
	defer ds.mu.Unlock()
	d.created = ds.now()
	ds.sweep(d.created)
	if ds.count(d.owner) >= draftsPerOwner {
		ds.dropOldest(func(o *draft) bool { return o.owner == d.owner })
	}
	for ds.total+d.size > ds.max && len(ds.byID) > 0 {
		ds.dropOldest(func(*draft) bool { return true })
	}
	ds.byID[d.id] = d
	ds.total += d.size
	return d.id, nil
}

// get returns owner's live draft id, a letter or a batch to confirm.
func (ds *draftStore) get(owner, id string) (*draft, bool) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.find(owner, id, false)
}

// takeKept removes owner's kept files id and returns them: they go into
// the next request, and a refusal of that one keeps them again.
func (ds *draftStore) takeKept(owner, id string) ([]core.Upload, bool) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	d, ok := ds.find(owner, id, true)
	if !ok {
		return nil, false
	}
	ds.total -= d.size
	delete(ds.byID, d.id)
	return d.req.Attachments, true
}

// find looks id up for owner; ds.mu is held.
func (ds *draftStore) find(owner, id string, kept bool) (*draft, bool) {
	d, ok := ds.byID[id]
	if !ok || d.owner != owner || d.kept != kept || !ds.now().Before(d.created.Add(draftTTL)) {
		return nil, false
	}
	return d, true
}

// sent records d's letter and frees its contents; the draft stays until
// it expires so that a repeated confirmation finds the letter.
func (ds *draftStore) sent(d *draft, noticeID string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	d.sentID = noticeID
	d.req, d.batch = core.DepositRequest{}, nil
	if _, ok := ds.byID[d.id]; ok {
		ds.total -= d.size
	}
	d.size = 0
}

func (ds *draftStore) sweep(now time.Time) {
	for id, d := range ds.byID {
		if !now.Before(d.created.Add(draftTTL)) {
			ds.total -= d.size
			delete(ds.byID, id)
		}
	}
}

func (ds *draftStore) count(owner string) int {
	n := 0
	for _, d := range ds.byID {
		if d.owner == owner {
			n++
		}
	}
	return n
}

func (ds *draftStore) dropOldest(match func(*draft) bool) {
	var oldest *draft
	for _, d := range ds.byID {
		if match(d) && (oldest == nil || d.created.Before(oldest.created)) {
			oldest = d
		}
	}
	if oldest != nil {
		ds.total -= oldest.size
		delete(ds.byID, oldest.id)
	}
}
