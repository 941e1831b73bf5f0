package contentfile

import "sync"

// groupSync shares one fsync among every caller that arrived while the
// previous one ran: a caller needs a sync that started after its own
// change, so it starts one when none runs, else waits for the next.
// Concurrent deposits thus pay one directory fsync between them.
type groupSync struct {
	fsync func() error

	mu        sync.Mutex
	cond      *sync.Cond
	running   bool
	started   uint64
	completed uint64
	err       error
}

func newGroupSync(fsync func() error) *groupSync {
	g := &groupSync{fsync: fsync}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *groupSync) wait() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	need := g.started + 1
	for g.completed < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		gen := g.started
		g.mu.Unlock()
		err := g.fsync()
		g.mu.Lock()
		g.running, g.completed, g.err = false, gen, err
		g.cond.Broadcast()
	}
	return g.err
}
