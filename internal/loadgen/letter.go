package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
)

// Letter is one multipart deposit request, built once: the attachment is
// shared by every request, so the load generator itself stays small even
// with 64 five-megabyte letters in flight.
type Letter struct {
	ContentType  string
	head, tail   []byte
	attachment   []byte
	contentBytes int64
}

const boundary = "lre-bench-0123456789abcdef"

// NewLetter returns a letter with a body text and one attachment of size
// pseudo-random (incompressible) bytes.
func NewLetter(size int) *Letter {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.SetBoundary(boundary)
	fields := [][2]string{
		{"recipient_email", "coowner@example.com"},
		{"recipient_name", "Copropriétaire Bench"},
		{"subject", "Convocation à l'assemblée générale"},
		{"body", "Madame, Monsieur,\n\nVous êtes convoqué(e) à l'assemblée générale des copropriétaires.\n"},
	}
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	l := &Letter{ContentType: mw.FormDataContentType(), attachment: payload(size)}
	if size > 0 {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachments"; filename="convocation.pdf"`)
		h.Set("Content-Type", "application/pdf")
		mw.CreatePart(h)
	}
	l.head = bytes.Clone(head.Bytes())
	var tail bytes.Buffer
	fmt.Fprintf(&tail, "\r\n--%s--\r\n", boundary)
	l.tail = tail.Bytes()
	l.contentBytes = int64(len(l.head) + len(l.attachment) + len(l.tail))
	return l
}

func payload(size int) []byte {
	b := make([]byte, size)
	r := rand.NewChaCha8([32]byte{'l', 'r', 'e'})
	r.Read(b)
	return b
}

// Len is the request body's length.
func (l *Letter) Len() int64 { return l.contentBytes }

// Body returns a fresh reader over the request body.
func (l *Letter) Body() io.Reader {
	return io.MultiReader(bytes.NewReader(l.head), bytes.NewReader(l.attachment), bytes.NewReader(l.tail))
}

// send posts one letter and returns the HTTP status (0 on transport error).
func send(ctx context.Context, c *http.Client, cfg Config, l *Letter, idem string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, l.Body())
	if err != nil {
		return 0, err
	}
	req.ContentLength = l.Len()
	req.Header.Set("Content-Type", l.ContentType)
	req.Header.Set("Idempotency-Key", "bench-"+idem)
	if cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}
