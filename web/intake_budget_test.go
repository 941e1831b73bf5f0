package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sync/semaphore"
)

// The intake budget serves letters in arrival order: a small letter that
// would fit does not pass a large one already waiting, so large letters
// are never starved; both pass once the budget comes back.
func TestIntakeBudgetKeepsArrivalOrder(t *testing.T) {
	sem := semaphore.NewWeighted(10)
	ctx := context.Background()
	if err := acquireIntake(ctx, sem, 8); err != nil {
		t.Fatal(err)
	}
	large, small := make(chan error, 1), make(chan error, 1)
	go func() { large <- acquireIntake(ctx, sem, 5) }()
	// TryAcquire refuses while anyone waits: that says the large letter queued
	for sem.TryAcquire(1) {
		sem.Release(1)
		time.Sleep(time.Millisecond)
	}
	go func() { small <- acquireIntake(ctx, sem, 1) }()
	select {
	case err := <-small:
		t.Fatalf("a small letter passed a waiting large one (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	sem.Release(8)
	if err := <-large; err != nil {
		t.Fatal(err)
	}
	if err := <-small; err != nil {
		t.Fatal(err)
	}
}

// Waiting longer than intakeWait is errIntakeBusy (503 with Retry-After),
// a request that ends first gets its own error, and neither keeps any of
// the budget.
func TestIntakeBudgetGivesUp(t *testing.T) {
	old := intakeWait
	intakeWait = 30 * time.Millisecond
	defer func() { intakeWait = old }()
	sem := semaphore.NewWeighted(10)
	if err := acquireIntake(context.Background(), sem, 8); err != nil {
		t.Fatal(err)
	}
	if err := acquireIntake(context.Background(), sem, 5); !errors.Is(err, errIntakeBusy) {
		t.Fatalf("after intakeWait: %v, want errIntakeBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := acquireIntake(ctx, sem, 5); !errors.Is(err, context.Canceled) {
		t.Fatalf("ended request: %v, want context.Canceled", err)
	}
	sem.Release(8)
	if !sem.TryAcquire(10) {
		t.Fatal("a request that gave up kept part of the budget")
	}
}
