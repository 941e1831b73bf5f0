package returned

import (
	"regexp"
	"sort"
	"strings"
)

// maxHuman bounds the reporting server's text that is read.
const maxHuman = 64 << 10

// originalMarker matches the line where a plain-text bounce starts
// quoting the returned message: qmail's "--- Below this line is a copy of
// the message.", Exim's "------ This is a copy of the message, including
// all the headers. ------", "----- Original message -----" and their kin.
var originalMarker = regexp.MustCompile(`(?i)^\s*(?:[-=_*]{2,}.*(?:original|copy of|returned|undelivered|unsent|message (?:header|follows|body|text)|headers? (?:of|follow)|message was)|` +
	`(?:original|returned|unsent|undelivered) message(?: headers?)?(?: follows| below|:|\s*$)|` +
	`.*below this line is a copy|content-type: message/rfc822|the (?:header|text|original|first) .*(?:original|message) (?:is )?(?:follows|following|below)|` +
	`(?:return-path|received|dkim-signature|x-original-to|delivered-to): .)`)

// humanText gathers the text of the parts written by the reporting server
// (plain text, else HTML without its tags) and cuts it where a quoted copy
// of the returned message starts; the copy is returned too.
func humanText(parts []part) string {
	var b strings.Builder
	html := ""
	for _, p := range parts {
		if p.original || b.Len() > maxHuman {
			continue
		}
		switch {
		case p.ctype == "text/plain" || p.ctype == "text" || p.ctype == "":
			b.Write(p.body)
			b.WriteByte('\n')
		case p.ctype == "text/html" && html == "":
			html = stripTags(string(p.body))
		}
	}
	text := b.String()
	if strings.TrimSpace(text) == "" {
		text = html
	}
	human, _ := cutOriginal(text)
	if len(human) > maxHuman {
		human = human[:maxHuman]
	}
	return human
}

// cutOriginal splits text at the first line that starts the quoted copy.
func cutOriginal(text string) (human, quoted string) {
	off := 0
	for off < len(text) {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		line := text[off : off+end]
		if off > 0 && mayMark(line) && originalMarker.MatchString(line) {
			return text[:off], text[off:]
		}
		off += end + 1
	}
	return text, ""
}

// mayMark is a cheap test that line could match originalMarker: every
// branch of it holds a punctuation run, a colon, "message" or "below".
func mayMark(line string) bool {
	return strings.ContainsAny(line, ":-=_*") || strings.Contains(line, "essage") || strings.Contains(line, "ESSAGE") ||
		strings.Contains(line, "elow") || strings.Contains(line, "ELOW")
}

// inlineOriginalID finds the Message-ID of a message quoted inline after
// the human text (qmail, Exim and others do not attach it).
func inlineOriginalID(parts []part) string {
	for _, p := range parts {
		if p.original || (p.ctype != "text/plain" && p.ctype != "") {
			continue
		}
		_, quoted := cutOriginal(string(p.body))
		for _, f := range fieldLines([]byte(quoted)) {
			if f.name == "message-id" {
				return messageID(f.value)
			}
		}
	}
	return ""
}

var tagRe = regexp.MustCompile(`(?s)<(?:style|script)[^>]*>.*?</(?:style|script)>|<[^>]*>`)

func stripTags(html string) string {
	s := tagRe.ReplaceAllString(html, " ")
	r := strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'")
	return r.Replace(s)
}

// addrRe finds mail addresses in text, with a quoted local part too.
var addrRe = regexp.MustCompile(`(?:"[^"\r\n]{1,64}"|[A-Za-z0-9._%+\-=#!$&'*/?^{|}~]{1,64})@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`)

// daemonRe recognises the addresses of mail systems themselves.
var daemonRe = regexp.MustCompile(`(?i)^(?:mailer-daemon|mail-daemon|mailerdaemon|mdaemon|post_?master|bounces?|double-bounce|no-?reply)@`)

// block is one recipient's part of a plain-text bounce.
type block struct {
	address string
	text    string
}

// textBlocks finds the failed addresses of the human text and, for each,
// the text from its first mention to the next address's: MTAs write the
// address, then what the remote server said about it. The report's own
// sender and recipient and the mail systems' addresses are not failed
// recipients.
func (m *message) textBlocks() []block {
	if m.blocks == nil {
		m.blocks = m.findBlocks()
	}
	return m.blocks
}

func (m *message) findBlocks() []block {
	skip := map[string]bool{}
	for _, name := range []string{"from", "to", "return-path", "sender", "reply-to"} {
		if a := cleanAddress(m.header.get(name)); a != "" {
			skip[strings.ToLower(a)] = true
		}
	}
	lines := strings.Split(m.human, "\n")
	type first struct {
		addr string
		line int
	}
	var found []first
	seen := map[string]bool{}
	for i, line := range lines {
		if !strings.Contains(line, "@") || strings.Contains(strings.ToLower(line), "message-id") {
			continue
		}
		for _, a := range addrRe.FindAllString(line, -1) {
			a = strings.TrimRight(a, ".")
			key := strings.ToLower(a)
			if seen[key] || skip[key] || daemonRe.MatchString(a) {
				continue
			}
			seen[key] = true
			found = append(found, first{a, i})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].line < found[j].line })
	blocks := make([]block, 0, len(found)+1)
	for i, f := range found {
		end := len(lines)
		for j := i + 1; j < len(found); j++ {
			if found[j].line > f.line {
				end = found[j].line
				break
			}
		}
		end = min(end, f.line+40)
		if oneLineStatement(lines[f.line], f.addr) {
			end = f.line + 1
		}
		blocks = append(blocks, block{address: f.addr, text: strings.Join(lines[f.line:end], "\n")})
	}
	return blocks
}

// statementRe recognises a line that says all about its address:
// Sendmail's "550 <a@b>... User unknown", "a@b: [192.0.2.5], 550 ... No such user".
var statementRe = regexp.MustCompile(`(?:^|\s)[245][0-9][0-9][\s\-]`)

func oneLineStatement(line, addr string) bool {
	i := strings.Index(line, addr)
	if i < 0 || !statementRe.MatchString(line) {
		return false
	}
	after := strings.Trim(line[i+len(addr):], " \t>.:;,()[]")
	return len(after) >= 8
}

// blockFor returns the text about address in the human text, "" if none.
func (m *message) blockFor(blocks []block, address string) string {
	for _, b := range blocks {
		if strings.EqualFold(b.address, address) {
			return b.text
		}
	}
	return ""
}

// bounceSubject and bouncePhrase recognise a plain-text bounce by its
// subject or by the wording of the common MTAs and providers.
var (
	bounceSubject = regexp.MustCompile(`(?i)undeliver|undelivered|deliver(?:y|ed)? (?:status|failure|failed|has failed|problem|notification|report|error|incomplete)|` +
		`failure (?:notice|delivery)|delivery (?:fail|error)|returned mail|returning message|mail delivery|could not be delivered|non[- ]?deliver|` +
		`returned to sender|nondeliverable|mail (?:system )?error|permanent error|not delivered|error sending|delayed|warning: could not|` +
		`postmaster notify|mail failure|message failure|delivery status|bounce|rejected|メールエラー|配信`)
	bouncePhrase = regexp.MustCompile(`(?i)this is the (?:qmail-send|mail system|mail delivery)|wasn't able to deliver|was not able to deliver|` +
		`could not be delivered|couldn't be delivered|cannot be delivered|can't be delivered|following address(?:es)? failed|` +
		`delivery to the following recipient|was not delivered|wasn't delivered|has not been delivered|did not reach|undeliverable|` +
		`delivery has failed|permanent(?:ly)? (?:error|failure|failed)|unable to deliver|delivery failed|message was not sent|` +
		`the following recipient|failed to deliver|not be delivered|the original message was received|returned mail|` +
		`your message .* (?:could not|couldn't|was not|wasn't|cannot|can't)|delivery (?:status|notification)|smtp error|` +
		`error message below|invalid (?:user|recipient) address|requested action not taken|not (?:a )?member of`)
	daemonName = regexp.MustCompile(`(?i)mailer-daemon|mail-daemon|mail delivery|post_?master|mdaemon|delivery (?:system|subsystem|service)|` +
		`mail administrator|system administrator|returned mail|mail system`)
)

// bounceLike tells a message written by a mail system about a failure.
func (m *message) bounceLike() bool {
	from := decodeWords(m.header.get("from"))
	if m.header.get("x-failed-recipients") != "" {
		return true
	}
	if daemonName.MatchString(from) {
		return true
	}
	if bounceSubject.MatchString(m.subject) && !m.autoReply() {
		return true
	}
	return !m.autoReply() && bouncePhrase.MatchString(m.human) && len(m.textBlocks()) > 0
}

var autoSubject = regexp.MustCompile(`(?i)^(?:auto(?:matic)?[- ]?(?:reply|response|answer)|auto:|out of (?:the )?office|away|absent|absence|vacation|on leave|` +
	`réponse automatique|abwesenheit|automatische antwort|respuesta automática|risposta automatica)|\b(?:out of (?:the )?office|autoreply|auto-reply|vacation)\b`)

// autoReply tells an RFC 3834 automatic answer (vacation, out of office).
func (m *message) autoReply() bool {
	as := strings.ToLower(m.header.get("auto-submitted"))
	if strings.HasPrefix(as, "auto-replied") {
		return true
	}
	if m.header.get("x-autoreply") != "" || m.header.get("x-autorespond") != "" {
		return true
	}
	prec := strings.ToLower(m.header.get("precedence"))
	return prec == "auto_reply" || autoSubject.MatchString(m.subject)
}
