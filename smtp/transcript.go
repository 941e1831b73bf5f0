package smtp

import (
	"bytes"
	"fmt"
	"strings"
)

// Limits keep a hostile server from growing a transcript without bound.
const (
	maxTranscriptLines = 200
	maxLineBytes       = 2048
)

var dataTerminator = []byte("\r\n.\r\n")

// transcript records the SMTP dialogue for the delivery evidence and for
// support: commands and replies, but neither the message content (personal
// data that the evidence only needs as a digest) nor credentials.
//
// It is fed by go-smtp's DebugWriter, which sees both directions on one
// stream; server replies are told apart by their three-digit code, which no
// client command or base64 SASL line can start with. It also notices when
// the DATA terminator reaches the socket: the DebugWriter is written only
// after the connection accepted the bytes, which is exactly what decides
// whether a lost reply makes the delivery ambiguous.
type transcript struct {
	lines    []string
	partial  []byte
	inData   bool
	dataLen  int
	tail     []byte // last bytes of data, to find the terminator across writes
	dataSent bool   // the CRLF.CRLF terminator was written to the connection
	redact   bool   // inside AUTH: client lines carry credentials
	skip     int    // server lines to drop (a replayed greeting)
	greeting string // first 220 line the server sent
}

// Write implements io.Writer for smtp.Client.DebugWriter.
func (t *transcript) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if t.inData {
			p = t.consumeData(p)
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(t.partial) < maxLineBytes {
				t.partial = append(t.partial, p...)
			}
			break
		}
		line := string(append(t.partial, p[:i]...))
		t.partial = t.partial[:0]
		p = p[i+1:]
		t.line(strings.TrimSuffix(line, "\r"))
	}
	return n, nil
}

// beginData is called once the server said 354: what follows is content.
func (t *transcript) beginData() {
	t.inData, t.dataLen, t.tail = true, 0, []byte("\r\n")
}

// consumeData counts content bytes until the terminator and returns what
// follows it.
func (t *transcript) consumeData(p []byte) []byte {
	buf := append(append([]byte(nil), t.tail...), p...)
	i := bytes.Index(buf, dataTerminator)
	if i < 0 {
		t.dataLen += len(p)
		t.tail = append([]byte(nil), buf[max(0, len(buf)-len(dataTerminator)+1):]...)
		return nil
	}
	end := i + len(dataTerminator) - len(t.tail)
	t.dataLen += end
	t.inData, t.dataSent, t.tail = false, true, nil
	t.add(fmt.Sprintf("C: [message content, %d bytes]", max(0, t.dataLen-3)))
	t.add("C: .")
	return p[end:]
}

func (t *transcript) line(l string) {
	if isReply(l) {
		if t.skip > 0 {
			t.skip--
			return
		}
		if t.greeting == "" && strings.HasPrefix(l, "220") {
			t.greeting = l
		}
		t.add("S: " + l)
		return
	}
	if t.redact {
		l = redactAuth(l)
	}
	t.add("C: " + l)
}

func isReply(l string) bool {
	if len(l) < 3 || (len(l) > 3 && l[3] != ' ' && l[3] != '-') {
		return false
	}
	for _, c := range l[:3] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// redactAuth keeps the mechanism name and hides the SASL responses.
func redactAuth(l string) string {
	f := strings.Fields(l)
	if len(f) >= 2 && strings.EqualFold(f[0], "AUTH") {
		if len(f) > 2 {
			return f[0] + " " + f[1] + " [credentials hidden]"
		}
		return f[0] + " " + f[1]
	}
	return "[credentials hidden]"
}

// note records a local event (connection, TLS, error), marked with "*".
func (t *transcript) note(format string, args ...any) {
	t.add("* " + fmt.Sprintf(format, args...))
}

func (t *transcript) add(l string) {
	switch {
	case len(t.lines) < maxTranscriptLines:
		if len(l) > maxLineBytes {
			l = l[:maxLineBytes] + "..."
		}
		t.lines = append(t.lines, l)
	case len(t.lines) == maxTranscriptLines:
		t.lines = append(t.lines, "* transcript truncated")
	}
}

// greetingHost is the name the server gave in its 220 greeting.
func (t *transcript) greetingHost() string {
	f := strings.Fields(strings.TrimLeft(t.greeting[min(len(t.greeting), 4):], " "))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func (t *transcript) String() string { return strings.Join(t.lines, "\n") }
