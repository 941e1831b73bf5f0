package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/lre-project/lre/core"
)

// The deposit handler hands its attachments' buffers back for the next
// upload (core.Upload.Release) once Deposit has returned. Concurrent
// deposits of sizes that share the pooled buffers must each store their
// own bytes: a buffer handed back while its letter was still being sealed
// would give a letter another's content, or a mix.
func TestDepositsKeepTheirOwnBytesWithPooledBuffers(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "pool@example.org", "Pool", core.RoleSender)
	const letters = 48
	sent := make([][]byte, letters)
	answers := make([]response, letters)
	var wg sync.WaitGroup
	for i := range letters {
		// 40 KB to 1 MB: every pooled class, several letters per class.
		size := 40_000 + (i*997_003)%(1<<20-40_000)
		sent[i] = bytes.Repeat([]byte{byte('a' + i%26), byte('0' + i%10)}, size/2)
		wg.Go(func() {
			answers[i] = e.post(t, key, multipartBody(letter().parts(file(fmt.Sprintf("l%02d.pdf", i), sent[i]))...))
		})
	}
	wg.Wait()
	for i, r := range answers {
		if r.status != http.StatusCreated {
			t.Errorf("deposit %d: %s", i, r)
			continue
		}
		id := r.notice(t).ID
		got, err := e.db.Content(context.Background(), id, "doc-01")
		if err != nil || !bytes.Equal(got, sent[i]) {
			t.Errorf("letter %d (%s): stored %d bytes (%v), not its own %d", i, id, len(got), err, len(sent[i]))
		}
	}
}
