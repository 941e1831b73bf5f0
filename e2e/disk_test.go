package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smallDisk mounts a file system of size bytes on a fresh directory: tmpfs,
// or a loop-mounted ext4 image where tmpfs cannot be mounted. It skips the
// test when neither can be (not root, no mount permission).
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("mounting a small file system needs Linux")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		img := filepath.Join(t.TempDir(), "disk.img")
		out2, err2 := loopExt4(img, dir, size)
		if err2 != nil {
			t.Skipf("cannot mount a small file system: tmpfs: %v %s; loop ext4: %v %s", err, out, err2, out2)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

func loopExt4(img, dir string, size int64) ([]byte, error) {
	f, err := os.Create(img)
	if err != nil {
		return nil, err
	}
	err = f.Truncate(size)
	f.Close()
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		return out, err
	}
	return exec.Command("mount", "-o", "loop", img, dir).CombinedOutput()
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// fill writes a file that leaves about leave bytes free on dir's file
// system, and returns its path.
func fill(t *testing.T, dir string, leave int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for freeBytes(t, dir) > leave+int64(len(chunk)) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatalf("fill: %v", err)
		}
	}
	return path
}

// TestDiskFull fills the data dir's file system while letters are
// deposited: each refused deposit is a 507 or 503 with a JSON error that
// says so, what was acknowledged stays readable, nothing is half-written
// (lre log verify passes, no letter exists that was not acknowledged), and
// once space returns the same server takes deposits again and notifies
// every letter.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	lreBinary(t)
	mnt := smallDisk(t, 32<<20)
	dir := filepath.Join(mnt, "data")
	userID, key := addSender(t, dir, "full@cabinet.example")
	sk := startSink(t, behaviour{})
	p := newProc(t, dir, mailFlags(sk)...)
	p.start()
	c := newClient(p.url(""), key, 20*time.Second)
	filler := fill(t, mnt, 3<<20)

	rng := rand.New(rand.NewPCG(17, 18))
	var letters []ackedLetter
	refused := 0
	for i := 0; refused < 3; i++ {
		if i > 60 {
			t.Fatalf("60 deposits of 400 KB fit in 3 MB of free space: %d acknowledged", len(letters))
		}
		l := bigLetter(rng, fmt.Sprintf("FULL%02d", i), 400<<10)
		r, err := c.deposit(context.Background(), l)
		if err != nil {
			t.Fatalf("deposit %d: %v", i, err)
		}
		switch r.status {
		case http.StatusCreated, http.StatusAccepted:
			n, err := checkAck(l, r)
			if err != nil {
				t.Fatal(err)
			}
			letters = append(letters, ackedLetter{l, n})
			continue
		case http.StatusInsufficientStorage, http.StatusServiceUnavailable:
		default:
			t.Fatalf("deposit on a full disk: %s, want 507 or 503", r)
		}
		refused++
		var e apiError
		if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" || !strings.Contains(strings.ToLower(e.Error.Message), "space") {
			t.Errorf("refusal on a full disk: %s; want a JSON error whose message speaks of space", r)
		}
	}
	t.Logf("%d letters fitted before the disk was full", len(letters))
	p.kill()
	if err := p.tryStart(15 * time.Second); err != nil {
		t.Errorf("restart on a full disk: %v\n%s", err, p.logs.tail(5))
	}
	for _, a := range letters {
		if n := c.notice(t, a.ack.ID); n.DepositDigest != a.ack.DepositDigest {
			t.Errorf("%s reads back with digest %s on a full disk", a.ack.ID, n.DepositDigest)
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		l := bigLetter(rng, fmt.Sprintf("BACK%d", i), 400<<10)
		r, err := c.deposit(context.Background(), l)
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("deposit once space returned: %v %v, want 201", r, err)
		}
		n, err := checkAck(l, r)
		if err != nil {
			t.Fatal(err)
		}
		letters = append(letters, ackedLetter{l, n})
	}
	waitFor(t, 60*time.Second, "every letter notified", func() bool {
		for _, a := range letters {
			if c.notice(t, a.ack.ID).Status != "notified" {
				return false
			}
		}
		return true
	})
	checkServed(t, c, letters)
	p.stop()
	if records := verifyLog(t, dir); records != 2*len(letters) {
		t.Errorf("log holds %d records, want %d", records, 2*len(letters))
	}
	checkLetters(t, openStore(t, dir), userID, letters, embeddedRoots(t, dir), sk)
}

// bigLetter is a letter with one random attachment of size/2 to size bytes.
func bigLetter(rng *rand.Rand, tag string, size int) letter {
	for {
		m := newLetter(rng, tag, 1, size)
		if len(m.files) == 1 && len(m.files[0].data) > size/2 {
			return m
		}
	}
}

// TestDataDirInUse: while a server runs, a second server, lre users add
// and lre log verify on the same data dir each stop within seconds and say
// the data dir is in use.
func TestDataDirInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addSender(t, dir, "lock@cabinet.example")
	p := newProc(t, dir)
	p.start()
	for _, args := range [][]string{
		{"serve", "--data", dir, "--listen", freeAddr(t)},
		{"users", "add", "--data", dir, "--email", "second@cabinet.example", "--name", "Second"},
		{"log", "verify", "--data", dir},
	} {
		t.Run(args[0], func(t *testing.T) {
			began := time.Now()
			out, errOut, err := runLRE(t, args...)
			if err == nil {
				t.Fatalf("lre %s succeeded on a data dir in use:\n%s", strings.Join(args, " "), out)
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("lre %s took %s to give up", args[0], d)
			}
			if !strings.Contains(errOut, "data dir in use") {
				t.Errorf("lre %s said %q, want it to say the data dir is in use", args[0], errOut)
			}
		})
	}
	if r, err := http.Get(p.url("/healthz")); err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("the running server suffered: %v %v", r, err)
	}
}
