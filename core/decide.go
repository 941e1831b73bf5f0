package core

import (
	"context"
	"fmt"
	"time"
)

// session checks that a recipient session belongs to the link's letter.
func (s *Service) session(ctx context.Context, token, session string) (Notice, error) {
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return Notice{}, err
	}
	sec, err := s.store.SecretNotice(ctx, HashSecret(session), s.clock())
	if err != nil || sec.Purpose != PurposeSession || sec.NoticeID != n.ID {
		return Notice{}, Errorf(EUNAUTHORIZED, "identify yourself first: ask for a code and enter it")
	}
	return n, nil
}

// Decide records the identified recipient's acceptance
// (ConsignmentAcceptance) or refusal (ConsignmentRejection). The decision
// and its event are written in one transaction that first checks the letter
// is undecided, so a second choice or a race between two tabs gets
// ECONFLICT and exactly one final event exists. Errors: ENOTFOUND,
// EUNAUTHORIZED (not identified), ECONFLICT.
func (s *Service) Decide(ctx context.Context, token, session string, accept bool, a Access) (Notice, error) {
	n, err := s.session(ctx, token, session)
	if err != nil {
		return Notice{}, err
	}
	sender, err := s.senderOf(ctx, n)
	if err != nil {
		return Notice{}, err
	}
	now := s.clock()
	return s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		if err := checkOpen(n, now); err != nil {
			return Change{}, err
		}
		if n.Identity == nil {
			return Change{}, Errorf(EUNAUTHORIZED, "identify yourself first")
		}
		if !AssuranceAtLeast(n.Identity.Assurance, n.RequiredLevel()) {
			return Change{}, Refusal(&IdentityRefusal{Reason: ReasonAssuranceTooLow, Required: n.RequiredLevel(), Reached: n.Identity.Assurance})
		}
		typ := EventConsignmentAcceptance
		if !accept {
			typ = EventConsignmentRejection
		}
		n.DecidedAt = now
		d := a.details(n.Identity.evidence(map[string]string{
			"recipient": n.Recipient.Email,
			"deadline":  n.Deadline.UTC().Format("2006-01-02T15:04:05Z"),
		}))
		if at := n.Identity.At; !at.IsZero() {
			d[DetailIdentifiedAt] = at.UTC().Format(time.RFC3339Nano)
		}
		if !accept {
			d["reason"] = "refused by the recipient"
		}
		ev := Event{Type: typ, NoticeID: n.ID, Time: now, Details: d}
		if err := advance(n, &ev); err != nil {
			return Change{}, err
		}
		return Change{Events: []Event{ev}, Outbox: s.proofMail(n, sender, now)}, nil
	})
}

// AcceptedLetter returns the whole letter to its identified recipient once
// accepted: sender, subject, body and documents. Errors: ENOTFOUND,
// EUNAUTHORIZED, EFORBIDDEN (not accepted).
func (s *Service) AcceptedLetter(ctx context.Context, token, session string) (Notice, error) {
	n, err := s.session(ctx, token, session)
	if err != nil {
		return Notice{}, err
	}
	if n.Status != StatusAccepted {
		return Notice{}, Errorf(EFORBIDDEN, "the content is shown only after you accept the letter")
	}
	return n, nil
}

// RefusedLetter returns the letter its identified recipient refused, for
// the recipient's copy of the proof of refusal. Errors: ENOTFOUND,
// EUNAUTHORIZED (not identified), EFORBIDDEN (not refused).
func (s *Service) RefusedLetter(ctx context.Context, token, session string) (Notice, error) {
	n, err := s.session(ctx, token, session)
	if err != nil {
		return Notice{}, err
	}
	if n.Status != StatusRefused {
		return Notice{}, Errorf(EFORBIDDEN, "only a refused letter has a proof of refusal")
	}
	return n, nil
}

// Handover returns one document (key "body" or "doc-NN") of an accepted
// letter and records ContentHandover. Errors: as AcceptedLetter, and
// ENOTFOUND for an unknown document.
func (s *Service) Handover(ctx context.Context, token, session, key string, a Access) (Document, []byte, error) {
	n, err := s.AcceptedLetter(ctx, token, session)
	if err != nil {
		return Document{}, nil, err
	}
	doc, ok := n.document(key)
	if !ok {
		return Document{}, nil, Errorf(ENOTFOUND, "no document %q in this letter", key)
	}
	b, err := s.store.Content(ctx, n.ID, key)
	if err != nil {
		return Document{}, nil, fmt.Errorf("handover: %w", err)
	}
	if digestOf(b) != doc.SHA256 {
		return Document{}, nil, fmt.Errorf("handover %s/%s: stored content does not match its digest", n.ID, key)
	}
	_, err = s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		d := a.details(n.Identity.evidence(map[string]string{"document": doc.Name, "sha256": doc.SHA256, "size": fmt.Sprint(doc.Size)}))
		return Change{Events: []Event{{Type: EventContentHandover, NoticeID: n.ID, Time: s.clock(), Details: d}}}, nil
	})
	if err != nil {
		return Document{}, nil, fmt.Errorf("handover: %w", err)
	}
	return doc, b, nil
}

func (n Notice) document(key string) (Document, bool) {
	if key == n.Body.Key {
		return n.Body, true
	}
	for _, d := range n.Documents {
		if d.Key == key {
			return d, true
		}
	}
	return Document{}, false
}
