package core_test

import (
	"testing"

	"github.com/lre-project/lre/core"
)

// TestBytesForPeople checks the sizes error messages and pages show: whole
// binary multiples without decimals, one decimal otherwise, the language's
// decimal mark.
func TestBytesForPeople(t *testing.T) {
	for _, c := range []struct {
		n      int64
		en, fr string
	}{
		{0, "0 bytes", "0 octets"},
		{1023, "1023 bytes", "1023 octets"},
		{1024, "1 KB", "1 ko"},
		{1536, "1.5 KB", "1,5 ko"},
		{65 << 10, "65 KB", "65 ko"},
		{26214400, "25 MB", "25 Mo"},
		{26214400 + 1, "25 MB", "25 Mo"},
		{27 << 19, "13.5 MB", "13,5 Mo"},
		{3 << 30, "3 GB", "3 Go"},
	} {
		b := core.Bytes(c.n)
		if got := b.String(); got != c.en {
			t.Errorf("Bytes(%d).String() = %q, want %q", c.n, got, c.en)
		}
		if got := b.Format(",", "octets", "ko", "Mo", "Go"); got != c.fr {
			t.Errorf("Bytes(%d) in French = %q, want %q", c.n, got, c.fr)
		}
	}
}
