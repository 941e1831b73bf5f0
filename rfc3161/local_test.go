package rfc3161_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

func TestLocalTimestamp(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	a, err := rfc3161.LoadOrCreateAuthority(t.TempDir(), "lre-test", func() time.Time { return at }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sum256("deposit")
	tok, err := rfc3161.NewLocal(a).Timestamp(context.Background(), digest)
	if err != nil {
		t.Fatal(err)
	}
	want := core.Token{Time: at.UTC(), TSA: "lre-test embedded TSA (non-qualified)", Policy: rfc3161.EmbeddedPolicy}
	if tok.Time != want.Time || tok.TSA != want.TSA || tok.Policy != want.Policy || tok.Qualified || tok.Serial == "" {
		t.Errorf("token = %+v, want like %+v", tok, want)
	}
	again, err := rfc3161.VerifyToken(tok.DER, digest, a.Roots(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Serial != tok.Serial || again.Time != tok.Time {
		t.Errorf("stored token reads %+v, issued %+v", again, tok)
	}
}

func TestLocalConcurrentSerials(t *testing.T) {
	l := rfc3161.NewLocal(newAuthority(t))
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		wg   sync.WaitGroup
	)
	for range 16 {
		wg.Go(func() {
			for range 10 {
				tok, err := l.Timestamp(context.Background(), sum256("deposit"))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[tok.Serial] {
					t.Errorf("serial %s issued twice", tok.Serial)
				}
				seen[tok.Serial] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestLocalCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rfc3161.NewLocal(newAuthority(t)).Timestamp(ctx, sum256("deposit"))
	if core.ErrorCode(err) != core.EUNAVAILABLE || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want EUNAVAILABLE wrapping context.Canceled", err)
	}
}
