package smtp_test

import (
	"testing"

	lresmtp "github.com/lre-project/lre/smtp"
)

func TestVERP(t *testing.T) {
	addr := lresmtp.VERPAddress("LRE-ABCD-EFGH-IJKL-MNOP", "lre.example")
	if addr != "bounce+LRE-ABCD-EFGH-IJKL-MNOP@lre.example" {
		t.Fatalf("VERPAddress = %q", addr)
	}
	tests := []struct {
		addr string
		id   string
		ok   bool
	}{
		{addr, "LRE-ABCD-EFGH-IJKL-MNOP", true},
		{"<" + addr + ">", "LRE-ABCD-EFGH-IJKL-MNOP", true},
		{"BOUNCE+4Y8Vq23KZ1z9sWc@LRE.EXAMPLE", "4Y8Vq23KZ1z9sWc", true},
		{"bounce+@lre.example", "", false},
		{"bounce@lre.example", "", false},
		{"notifications@lre.example", "", false},
		{"bounce+a/b@lre.example", "", false},
		{"bounce+a b@lre.example", "", false},
		{"bounce+x@", "", false},
		{"bounce+x", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			id, ok := lresmtp.ParseVERP(tt.addr)
			if id != tt.id || ok != tt.ok {
				t.Errorf("ParseVERP(%q) = %q, %v; want %q, %v", tt.addr, id, ok, tt.id, tt.ok)
			}
		})
	}
}
